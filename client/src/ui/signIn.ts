/** Sign in: one click as a guest, or email/username and password, or a new
 * account, or (when the server offers one) an OpenID Connect provider. */
import { ApiError, type Api } from '../api/client';
import { field, h } from './dom';

export function signInScreen(api: Api, done: () => void): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const fail = (e: unknown) => { error.textContent = e instanceof ApiError ? e.describe() : String(e); };
  const busy = (form: HTMLElement, on: boolean) => form.querySelectorAll('button').forEach((b) => { b.disabled = on; });

  const guestName = h('input', { type: 'text', placeholder: 'Optional', maxlength: '40', autocomplete: 'nickname' });
  const guest = h('form', { class: 'card' }, h('h2', { text: 'Jump in' }), field('Display name', guestName), h('button', { class: 'btn primary', type: 'submit', text: 'Continue as guest' }));
  guest.addEventListener('submit', async (e) => {
    e.preventDefault(); busy(guest, true);
    try { await api.anonymous(guestName.value.trim() || undefined); done(); } catch (err) { fail(err); } finally { busy(guest, false); }
  });

  const login = h('input', { type: 'text', required: true, autocomplete: 'username' });
  const password = h('input', { type: 'password', required: true, autocomplete: 'current-password' });
  const signIn = h('form', { class: 'card' }, h('h2', { text: 'Sign in' }), field('Email or username', login), field('Password', password), h('button', { class: 'btn', type: 'submit', text: 'Sign in' }));
  signIn.addEventListener('submit', async (e) => {
    e.preventDefault(); busy(signIn, true);
    try { await api.login(login.value.trim(), password.value); done(); } catch (err) { fail(err); } finally { busy(signIn, false); }
  });

  const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
  const username = h('input', { type: 'text', required: true, autocomplete: 'username' });
  const newPassword = h('input', { type: 'password', placeholder: '8 characters or more', required: true, minlength: '8', autocomplete: 'new-password' });
  const register = h('form', { class: 'card' }, h('h2', { text: 'Create an account' }), field('Email', email), field('Username', username),
    field('New password', newPassword), h('button', { class: 'btn', type: 'submit', text: 'Create account' }));
  register.addEventListener('submit', async (e) => {
    e.preventDefault(); busy(register, true);
    try { await api.register(email.value.trim(), username.value.trim(), newPassword.value); done(); } catch (err) { fail(err); } finally { busy(register, false); }
  });

  const oidc = h('div', { class: 'card', hidden: true }, h('h2', { text: 'Single sign-on' }),
    providerButton(api, 'btn primary', fail, () => { oidc.hidden = false; }));

  return h('main', { class: 'screen signin' },
    h('header', { class: 'brand' }, h('img', { src: '/icons/icon-192.png', alt: '', width: '56', height: '56' }), h('h1', { text: 'VirtuBar' }),
      h('p', { text: 'Live spaces to hang out, work and meet: a bar, an office, a focus room, a town.' })),
    error, h('div', { class: 'cards' }, guest, oidc, signIn, register));
}

/** "Sign in with <provider>", shown (`offered`) only when the server offers
 * one; a guest's token goes along, so a guest keeps their name and friends. */
export function providerButton(api: Api, cls: string, fail: (e: unknown) => void, offered: () => void = () => undefined): HTMLButtonElement {
  const button = h('button', { class: cls, type: 'button', text: 'Sign in', hidden: true });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try { location.assign(await api.oidcStart()); } catch (err) { fail(err); button.disabled = false; }
  });
  void api.oidcConfig().then((c) => {
    if (!c.enabled) return;
    button.textContent = `Sign in with ${c.name ?? 'your provider'}`;
    button.hidden = false;
    offered();
  }).catch(() => undefined);  // no provider offered: no button
  return button;
}
