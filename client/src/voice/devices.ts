/** The microphone, speaker and camera a player chose: kept on this device
 * (they name this machine's hardware, so they never go to the profile), and
 * turned into the choices a menu shows. Pure apart from the storage handed in. */

export interface DevicePrefs { mic?: string; speaker?: string; camera?: string }
export type DeviceRole = keyof DevicePrefs;

const KEY = 'virtubar.devices';
const KIND: Record<DeviceRole, MediaDeviceKind> = { mic: 'audioinput', speaker: 'audiooutput', camera: 'videoinput' };
const NAME: Record<DeviceRole, string> = { mic: 'Microphone', speaker: 'Speaker', camera: 'Camera' };

export interface DeviceChoice { value: string; label: string }

/** The saved choice (nothing saved, or unreadable: the browser's defaults). */
export function loadDevices(store: Pick<Storage, 'getItem'> = localStorage): DevicePrefs {
  try {
    const saved = JSON.parse(store.getItem(KEY) ?? '{}') as unknown;
    if (!saved || typeof saved !== 'object') return {};
    const out: DevicePrefs = {};
    for (const role of Object.keys(KIND) as DeviceRole[]) {
      const id = (saved as Record<string, unknown>)[role];
      if (typeof id === 'string' && id) out[role] = id;
    }
    return out;
  } catch { return {}; }
}

/** Saves `prefs`; an empty id means the browser's default and is not stored. */
export function saveDevices(prefs: DevicePrefs, store: Pick<Storage, 'setItem'> = localStorage): void {
  const kept: DevicePrefs = {};
  for (const role of Object.keys(KIND) as DeviceRole[]) if (prefs[role]) kept[role] = prefs[role];
  store.setItem(KEY, JSON.stringify(kept));
}

/** Shorter names: the USB ids Chrome appends ("(046d:0825)") say nothing to a player. */
export function deviceLabel(label: string): string {
  return label.replace(/\s*\([0-9a-f]{4}:[0-9a-f]{4}\)\s*$/i, '').trim();
}

/** The menu for `role`: the browser's default first, then each device once
 * (Chrome lists the default and the communications device again under ids
 * "default" and "communications"); unnamed devices (no permission yet) are numbered. */
export function deviceChoices(role: DeviceRole, devices: readonly Pick<MediaDeviceInfo, 'deviceId' | 'kind' | 'label'>[]): DeviceChoice[] {
  const choices: DeviceChoice[] = [{ value: '', label: `Default ${NAME[role].toLowerCase()}` }];
  for (const d of devices) {
    if (d.kind !== KIND[role] || !d.deviceId || d.deviceId === 'default' || d.deviceId === 'communications') continue;
    if (choices.some((c) => c.value === d.deviceId)) continue;
    choices.push({ value: d.deviceId, label: deviceLabel(d.label) || `${NAME[role]} ${choices.length}` });
  }
  return choices;
}

/** What the menu shows as chosen: the saved device while it is plugged in, else the default. */
export const chosen = (choices: readonly DeviceChoice[], saved: string | undefined): string =>
  saved && choices.some((c) => c.value === saved) ? saved : '';

/** getUserMedia's audio constraints for the microphone `id` (none: the default). */
export const micConstraints = (id?: string): MediaTrackConstraints =>
  ({ deviceId: id ? { exact: id } : undefined, echoCancellation: true, noiseSuppression: true });
