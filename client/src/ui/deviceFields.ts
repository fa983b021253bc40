/** The microphone, speaker and camera menus, each under a visible label and
 * filled from the browser's device list. The settings screen saves them with
 * its Save; the room's settings apply each as it is picked. The speaker menu
 * shows only where the browser can route sound to a chosen output (setSinkId). */
import { chosen, deviceChoices, type DevicePrefs, type DeviceRole } from '../voice/devices';
import { h } from './dom';

export interface DeviceFields {
  /** The labelled menus and the button that asks for access (names show only after it). */
  el: HTMLElement;
  selects: Partial<Record<DeviceRole, HTMLSelectElement>>;
  /** Fills the menus (asking for access first when `ask`); a failure goes to `problem`. */
  list(ask: boolean): Promise<void>;
  values(): DevicePrefs;
}

/** Can this browser play the room's sound on a chosen output? */
export const speakerChoosable = (): boolean => typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype;

const TITLES: Record<DeviceRole, string> = { mic: 'Microphone', speaker: 'Speaker', camera: 'Camera' };

export function deviceFields(saved: DevicePrefs, problem: (text: string) => void): DeviceFields {
  const roles: DeviceRole[] = speakerChoosable() ? ['mic', 'speaker', 'camera'] : ['mic', 'camera'];
  const selects: Partial<Record<DeviceRole, HTMLSelectElement>> = {};
  const labels = roles.map((role) => {
    const select = selects[role] = h('select', { class: 'device' });
    return h('label', { class: 'field device-field' }, h('span', { text: TITLES[role] }), select);
  });

  async function list(ask: boolean): Promise<void> {
    try {
      if (ask) {
        // Device names show only once access is granted; a machine without a camera still lists its microphones.
        const granted = await navigator.mediaDevices.getUserMedia({ audio: true, video: true })
          .catch(() => navigator.mediaDevices.getUserMedia({ audio: true }));
        granted.getTracks().forEach((t) => t.stop());
      }
      const devices = await navigator.mediaDevices.enumerateDevices();
      for (const role of roles) {
        const select = selects[role]!;
        const choices = deviceChoices(role, devices);
        // What the player picked while the list loaded stays picked; else the saved device.
        const keep = chosen(choices, select.value || saved[role]);
        select.replaceChildren(...choices.map((c) => h('option', { value: c.value, text: c.label, title: c.label })));
        select.value = keep;
      }
    } catch (e) { problem(`Devices unavailable: ${(e as Error).message}`); }
  }

  const allow = h('button', { class: 'btn ghost wrap', type: 'button', text: 'Allow microphone and camera to list devices' });
  const el = h('div', { class: 'device-fields' }, ...labels, allow);
  allow.addEventListener('click', () => void list(true));
  return {
    el, selects, list,
    values: () => Object.fromEntries(roles.map((r) => [r, selects[r]!.value || undefined])) as DevicePrefs,
  };
}
