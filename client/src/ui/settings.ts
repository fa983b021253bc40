/** Settings: name and avatar (the avatar editor, with its preview and
 * swatches; saved to your profile), and the microphone, speaker and camera
 * used in rooms (saved on this device). */
import { ApiError, type Api } from '../api/client';
import { openAvatarEditor } from '../avatarEditor';
import { PeopleApi } from '../people/api';
import { h, toast } from './dom';

export interface DevicePrefs { mic?: string; speaker?: string; camera?: string }
const DEVICES = 'virtubar.devices';

export const loadDevices = (): DevicePrefs => JSON.parse(localStorage.getItem(DEVICES) ?? '{}') as DevicePrefs;

export function settingsScreen(api: Api, done: () => void): HTMLElement {
  const user = api.user!;
  const error = h('p', { class: 'error', role: 'alert' });
  const name = h('input', { type: 'text', value: user.displayName, maxlength: '40', required: true, 'aria-label': 'Display name' });
  const people = new PeopleApi(api);
  const mic = h('select', { 'aria-label': 'Microphone' }, h('option', { value: '', text: 'Default microphone' }));
  const speaker = h('select', { 'aria-label': 'Speaker' }, h('option', { value: '', text: 'Default speaker' }));
  const camera = h('select', { 'aria-label': 'Camera' }, h('option', { value: '', text: 'Default camera' }));
  for (const select of [mic, speaker, camera]) select.addEventListener('change', () => { select.dataset.picked = '1'; });
  const targets: Partial<Record<MediaDeviceKind, HTMLSelectElement>> = { audioinput: mic, audiooutput: speaker, videoinput: camera };
  const prefs = loadDevices();

  async function listDevices(ask: boolean): Promise<void> {
    try {
      if (ask) {
        // Device names show only once access is granted; a machine without a camera still lists its microphones.
        const granted = await navigator.mediaDevices.getUserMedia({ audio: true, video: true })
          .catch(() => navigator.mediaDevices.getUserMedia({ audio: true }));
        granted.getTracks().forEach((t) => t.stop());
      }
      const devices = await navigator.mediaDevices.enumerateDevices();
      for (const d of devices) {
        const target = targets[d.kind];
        if (!target || !d.deviceId || target.querySelector(`option[value="${CSS.escape(d.deviceId)}"]`)) continue;
        target.append(h('option', { value: d.deviceId, text: d.label || `${d.kind} ${target.options.length}` }));
      }
      // The saved choice, unless the player already picked another while the list loaded.
      for (const [select, saved] of [[mic, prefs.mic], [speaker, prefs.speaker], [camera, prefs.camera]] as const) {
        if (!select.dataset.picked) select.value = saved ?? '';
      }
    } catch (e) { error.textContent = `Devices unavailable: ${(e as Error).message}`; }
  }
  void listDevices(false);

  const form = h('form', { class: 'card settings' },
    h('h2', { text: 'You' }), h('label', {}, 'Name ', name),
    h('h2', { text: 'Avatar' }), h('button', { class: 'btn', type: 'button', text: 'Edit avatar',
      onclick: () => void openAvatarEditor(document.body, people, () => toast('Saved: your new look.')) }),
    h('h2', { text: 'Audio and video' }), h('label', {}, 'Microphone ', mic), h('label', {}, 'Speaker ', speaker), h('label', {}, 'Camera ', camera),
    h('button', { class: 'btn ghost', type: 'button', onclick: () => void listDevices(true), text: 'Allow microphone and camera to list devices' }),
    h('div', { class: 'row' }, h('button', { class: 'btn primary', type: 'submit', text: 'Save' }), h('button', { class: 'btn ghost', type: 'button', onclick: done, text: 'Back' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    localStorage.setItem(DEVICES, JSON.stringify({ mic: mic.value || undefined, speaker: speaker.value || undefined, camera: camera.value || undefined }));
    try { await api.updateMe({ displayName: name.value.trim() }); done(); }
    catch (err) { error.textContent = err instanceof ApiError ? err.describe() : String(err); }
  });
  return h('main', { class: 'screen settings' }, h('h1', { text: 'Settings' }), error, form);
}
