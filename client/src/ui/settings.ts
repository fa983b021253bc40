/** Settings: name and avatar (the avatar editor, with its preview and
 * swatches; saved to your profile), and the microphone, speaker and camera
 * used in rooms (saved on this device; a room's own settings change them live). */
import { ApiError, type Api } from '../api/client';
import { openAvatarEditor } from '../avatarEditor';
import { PeopleApi } from '../people/api';
import { loadDevices, saveDevices } from '../voice/devices';
import { deviceFields } from './deviceFields';
import { field, h, toast } from './dom';

export function settingsScreen(api: Api, done: () => void): HTMLElement {
  const user = api.user!;
  const error = h('p', { class: 'error', role: 'alert' });
  const name = h('input', { type: 'text', value: user.displayName, maxlength: '40', required: true });
  const people = new PeopleApi(api);
  const devices = deviceFields(loadDevices(), (text) => { error.textContent = text; });
  void devices.list(false);

  const form = h('form', { class: 'card settings' },
    h('h2', { text: 'You' }), field('Display name', name),
    h('h2', { text: 'Avatar' }), h('button', { class: 'btn', type: 'button', text: 'Edit avatar',
      onclick: () => void openAvatarEditor(document.body, people, () => toast('Saved: your new look.')) }),
    h('h2', { text: 'Audio and video' }), devices.el,
    h('div', { class: 'row' }, h('button', { class: 'btn primary', type: 'submit', text: 'Save' }), h('button', { class: 'btn ghost', type: 'button', onclick: done, text: 'Back' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    saveDevices(devices.values());
    try { await api.updateMe({ displayName: name.value.trim() }); done(); }
    catch (err) { error.textContent = err instanceof ApiError ? err.describe() : String(err); }
  });
  return h('main', { class: 'screen settings' }, h('h1', { text: 'Settings' }), error, form);
}
