/** The room's settings: without leaving, a player picks their microphone,
 * speaker and camera. Each choice takes effect at once (others hear the new
 * microphone on the same voice connection; a camera that is on switches) and
 * is kept on this device for the next room. */
import { deviceFields } from '../ui/deviceFields';
import { h, toast } from '../ui/dom';
import { loadDevices, saveDevices, type DeviceRole } from '../voice/devices';
import type { VoiceSession } from '../voice/voice';
import type { VideoRoom } from '../video/video';

export interface RoomSettingsHost {
  /** The HUD's top-bar tools, where the Settings button goes (before Leave). */
  tools: HTMLElement;
  /** Where the panel opens: under the top bar, never over the room's controls. */
  column: HTMLElement;
  voice?: VoiceSession;
  video?: VideoRoom;
  /** The mic button shows the new microphone's state. */
  refreshMic(): void;
}

/** Mounts the Settings button and its panel; returns the unmount. */
export function mountRoomSettings(host: RoomSettingsHost): () => void {
  const fields = deviceFields(loadDevices(), (text) => toast(text, 'error'));
  const panel = h('section', { class: 'panel room-settings', 'aria-label': 'Room settings', hidden: true },
    h('h2', { text: 'Settings' }), fields.el);
  const button = h('button', { class: 'btn', 'aria-expanded': 'false', title: 'Microphone, speaker and camera', text: 'Settings' });
  button.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    button.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) void fields.list(false);
  });

  const apply: Record<DeviceRole, (id?: string) => Promise<string | null>> = {
    mic: async (id) => { const problem = await host.voice?.useMic(id) ?? null; host.refreshMic(); return problem; },
    speaker: async (id) => host.voice?.useSpeaker(id) ?? null,
    camera: async (id) => host.video?.useCamera(id) ?? null,
  };
  for (const [role, select] of Object.entries(fields.selects) as [DeviceRole, HTMLSelectElement][]) {
    select.addEventListener('change', () => {
      const id = select.value || undefined;
      void apply[role](id).then((problem) => {
        if (problem) return toast(problem, 'error');
        saveDevices({ ...loadDevices(), [role]: id });  // kept only once it worked
        toast(`Now using: ${select.selectedOptions[0]?.text ?? id}`);
      });
    });
  }
  host.tools.insertBefore(button, host.tools.lastElementChild);
  host.column.append(panel);
  return () => { button.remove(); panel.remove(); };
}
