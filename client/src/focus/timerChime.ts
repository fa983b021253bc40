/** What a player hears and sees when a phase of the room's timer ends: a
 * chime generated with WebAudio (no media file) and, when the tab is in the
 * background, a browser notification. Both can be turned off on the ring;
 * the choice is kept in this browser. Every phase end is also announced as
 * the window event `virtubar:chime` (what the end-to-end tests listen for). */

const KEY = 'virtubar.timerSound';
let ctx: AudioContext | null = null;

export function soundOn(storage: Storage = localStorage): boolean { return storage.getItem(KEY) !== 'off'; }
export function setSoundOn(on: boolean, storage: Storage = localStorage): void { storage.setItem(KEY, on ? 'on' : 'off'); }

/** Two soft bell tones (a rising fifth for a break, falling for work). */
function chime(type: 'work' | 'break', volume = 0.25): void {
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
    gain.gain.linearRampToValueAtTime(volume, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.2);
    osc.connect(gain).connect(ctx!.destination);
    osc.start(at);
    osc.stop(at + 1.25);
  });
}

/** Asked on a click (browsers allow the prompt only then). */
export function askToNotify(): void {
  if ('Notification' in globalThis && Notification.permission === 'default') void Notification.requestPermission();
}

/** The end of a `type` phase: the event, then chime and notification as allowed. */
export function phaseEnded(type: 'work' | 'break'): void {
  dispatchEvent(new CustomEvent('virtubar:chime', { detail: { type } }));
  if (!soundOn()) return;
  try { chime(type); } catch { /* no audio output: the ring still shows it */ }
  if ('Notification' in globalThis && Notification.permission === 'granted' && document.hidden) {
    new Notification(type === 'work' ? 'Work block done: time for a break' : 'Break over: back to work', { tag: 'virtubar-timer' });
  }
}
