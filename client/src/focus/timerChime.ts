/** What a player hears and sees when a phase of the room's timer ends, as
 * their preferences say (`ui/preferences.ts`, notification settings): a
 * chime generated with WebAudio (no media file) at the chosen volume, and a
 * browser notification when the tab is in the background. Every phase end
 * is announced as the window event `virtubar:phase-end`, and a chime that
 * plays as `virtubar:chime` (what the end-to-end tests listen for). */
import type { Notifications } from '../ui/preferences';

let ctx: AudioContext | null = null;

export interface PhaseEndActions { chime: boolean; gain: number; notify: boolean }

/** The loudest the chime gets, at volume 100: soft bells, not an alarm. */
const MAX_GAIN = 0.4;

/** What a phase end does, given the notification settings, whether the tab
 * is hidden and the browser's notification permission. Pure. */
export function phaseEndActions(n: Notifications, hidden: boolean, permission: NotificationPermission | 'unsupported'): PhaseEndActions {
  const volume = Math.min(100, Math.max(0, n.volume));
  const chime = n.phaseEndSound && volume > 0;
  return { chime, gain: chime ? (MAX_GAIN * volume) / 100 : 0, notify: n.browserNotification && hidden && permission === 'granted' };
}

/** Two soft bell tones (a rising fifth for a break, falling for work). */
function chime(type: 'work' | 'break', gainAt: number): void {
  const Ctx = globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctx) return;
  ctx ??= new Ctx();
  void ctx.resume?.();
  const notes = type === 'work' ? [660, 990] : [990, 660];
  notes.forEach((hz, i) => {
    const at = ctx!.currentTime + i * 0.35;
    const osc = ctx!.createOscillator(), gain = ctx!.createGain();
    osc.type = 'sine';
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(gainAt, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.2);
    osc.connect(gain).connect(ctx!.destination);
    osc.start(at);
    osc.stop(at + 1.25);
  });
}

const permission = (): NotificationPermission | 'unsupported' => ('Notification' in globalThis ? Notification.permission : 'unsupported');

/** Asked on a click (browsers allow the prompt only then), when the player wants notifications. */
export function askToNotify(n: Notifications): void {
  if (n.browserNotification && permission() === 'default') void Notification.requestPermission();
}

/** The end of a `type` phase: the events, then chime and notification as the settings allow. */
export function phaseEnded(type: 'work' | 'break', n: Notifications): void {
  const act = phaseEndActions(n, document.hidden, permission());
  dispatchEvent(new CustomEvent('virtubar:phase-end', { detail: { type } }));
  if (act.chime) {
    dispatchEvent(new CustomEvent('virtubar:chime', { detail: { type, gain: act.gain } }));
    try { chime(type, act.gain); } catch { /* no audio output: the ring still shows it */ }
  }
  if (act.notify) {
    new Notification(type === 'work' ? 'Work block done: time for a break' : 'Break over: back to work', { tag: 'virtubar-timer' });
  }
}
