/** The room browser: templates, live occupancy, search, quick-join (the edge
 * fills rooms first) and create. */
import { ApiError, type Api, type Room } from '../api/client';
import type { Template } from '../world/world';
import { TEMPLATES } from '../world/world';
import { field, h } from './dom';
import { icon } from './icons';
import { WORK_STYLES, type WorkStyle } from './preferences';
import { providerButton } from './signIn';

export const TEMPLATE_INFO: Record<Template, { title: string; blurb: string }> = {
  bar: { title: 'Bar', blurb: 'A 3D bar with a dance floor and a jukebox.' },
  office: { title: 'Office', blurb: 'Desks, meeting rooms and a stage.' },
  focus: { title: 'Focus room', blurb: 'Quiet co-working with your status.' },
  world: { title: 'Town', blurb: 'An isometric town with a cafe and a library.' },
};

export interface BrowserActions {
  join(q: { roomId?: string; template?: Template }): void; settings(): void; signOut(): void; schedule(): void;
  preferences?(): void; history?(): void;
  /** Open the Friends panel or the avatar editor inside the given element. */
  friends?(at: HTMLElement): void; avatar?(at: HTMLElement): void;
}

export function browserScreen(api: Api, actions: BrowserActions): HTMLElement {
  let template: Template | '' = '';
  const list = h('ul', { class: 'rooms', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert' });
  const search = h('input', { type: 'search' });
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const tabButtons: HTMLButtonElement[] = [];
  for (const t of ['', ...TEMPLATES] as (Template | '')[]) {
    const b = h('button', { class: 'tab', role: 'tab', 'aria-selected': String(t === template) }, t ? icon(t, 16) : null, t ? ` ${TEMPLATE_INFO[t].title}` : 'All');
    b.addEventListener('click', () => { template = t; tabButtons.forEach((x, i) => x.setAttribute('aria-selected', String(i === tabButtons.indexOf(b)))); void load(); });
    tabButtons.push(b);
    tabs.append(b);
  }

  const quick = h('div', { class: 'quick' }, ...TEMPLATES.map((t) =>
    h('button', { class: 'tile', onclick: () => actions.join({ template: t }) },
      h('span', { class: 'icon' }, icon(t, 32)), h('b', { text: `Quick-join ${TEMPLATE_INFO[t].title}` }), h('small', { text: TEMPLATE_INFO[t].blurb }))));

  const name = h('input', { type: 'text', required: true, maxlength: '80' });
  const kind = h('select', {}, ...TEMPLATES.map((t) => h('option', { value: t, text: TEMPLATE_INFO[t].title })));
  const capacity = h('input', { type: 'number', min: '2', max: '500', value: '30' });
  const isPublic = h('input', { type: 'checkbox', checked: true });
  const style = h('select', {},
    h('option', { value: '', text: 'Any work style' }), ...WORK_STYLES.map((w) => h('option', { value: w.value, text: w.label })));
  const styleField = field('Work style', style, { hidden: true });
  kind.addEventListener('change', () => { styleField.hidden = kind.value !== 'focus'; });
  const create = h('form', { class: 'card create' }, h('h2', { text: 'Create a room' }), field('Room name', name),
    field('Template', kind), styleField, field('Capacity', capacity),
    h('label', {}, isPublic, ' Listed publicly (else only its link opens it)'), h('button', { class: 'btn primary', type: 'submit', text: 'Create and join' }));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const workStyle = kind.value === 'focus' && style.value ? style.value as WorkStyle : undefined;
      const room = await api.createRoom({ name: name.value.trim(), template: kind.value as Template, capacity: Number(capacity.value), public: isPublic.checked, workStyle });
      actions.join({ roomId: room.id });
    } catch (err) { error.textContent = err instanceof ApiError ? err.describe() : String(err); }
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => void load(), 250); });

  async function load(): Promise<void> {
    try {
      const page = await api.rooms({ template: template || undefined, q: search.value.trim(), limit: 20 });
      error.textContent = '';
      list.replaceChildren(...(page.items.length ? page.items.map(row) : [h('li', { class: 'muted', text: 'No rooms match. Create one!' })]));
    } catch (err) { error.textContent = err instanceof ApiError ? err.describe() : String(err); }
  }
  function row(r: Room): HTMLElement {
    const full = r.occupancy >= r.capacity;
    return h('li', { class: 'room-row' },
      h('span', { class: 'icon' }, icon(r.template, 20)),
      h('span', { class: 'name', text: r.name }),
      r.workStyle ? h('span', { class: 'chip style', text: r.workStyle, title: 'Work style' }) : null,
      h('span', { class: 'occ', text: `${r.occupancy} / ${r.capacity}`, title: 'People in the room now' }),
      h('button', { class: 'btn', disabled: full, onclick: () => actions.join({ roomId: r.id }), text: full ? 'Full' : 'Join' }));
  }
  void load();
  const refresh = setInterval(() => { if (!list.isConnected) clearInterval(refresh); else void load(); }, 10_000);

  const user = api.user!;
  const screen = h('main', { class: 'screen browser' });
  screen.append(
    h('header', { class: 'bar-top' }, h('h1', { text: 'VirtuBar' }),
      h('span', { class: 'me', text: `${user.displayName}${user.anonymous ? ' (guest)' : ''}` }),
      actions.friends ? h('button', { class: 'btn ghost', onclick: () => actions.friends!(screen), text: 'Friends' }) : null,
      actions.avatar ? h('button', { class: 'btn ghost', onclick: () => actions.avatar!(screen), text: 'Avatar' }) : null,
      actions.history ? h('button', { class: 'btn ghost', onclick: actions.history, text: 'Focus history' }) : null,
      actions.preferences ? h('button', { class: 'btn ghost', onclick: actions.preferences, text: 'Preferences' }) : null,
      h('button', { class: 'btn ghost', onclick: actions.schedule, text: 'Schedule' }),
      h('button', { class: 'btn ghost', onclick: actions.settings, text: 'Settings' }),
      user.anonymous ? providerButton(api, 'btn primary', (e) => { error.textContent = e instanceof ApiError ? e.describe() : String(e); }) : null,
      h('button', { class: 'btn ghost', onclick: actions.signOut, text: 'Sign out' })),
    quick, error,
    h('section', { class: 'card list' }, h('div', { class: 'row' }, tabs, field('Search rooms', search, { class: 'search' })), list), create);
  return screen;
}
