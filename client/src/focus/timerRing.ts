/** The focus room's shared timer ring: every member sees the same countdown
 * (server time, corrected by the heartbeat's clock offset), with start,
 * pause/resume and reset for those allowed to control it (the owner may keep
 * them to the room's hosts, with a switch on the ring), and a chime and
 * notification at each phase end as the player's preferences say (`timerChime.ts`). */
import type { RealtimeProvider } from '../net/realtime/types';
import { h, underTopBar } from '../ui/dom';
import { changeNotifications, currentPreferences } from '../ui/preferences';
import { askToNotify, phaseEnded } from './timerChime';
import './timer.css';
import { clockLabel, fractionLeft, nextTimer, phaseLabel, PRESETS, remainingMs, type TimerShown } from './timerClock';

const SVG = 'http://www.w3.org/2000/svg';
const RADIUS = 44;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

function circle(cls: string): SVGCircleElement {
  const c = document.createElementNS(SVG, 'circle');
  c.setAttribute('class', cls);
  c.setAttribute('cx', '50'); c.setAttribute('cy', '50'); c.setAttribute('r', String(RADIUS));
  return c;
}

/** Who controls the room's timer: anyone in it, or with `hostsOnly` only its
 * hosts (the owner). The calls are absent offline. */
export interface TimerAccess {
  owner: boolean;
  hostsOnly: boolean;
  /** The owner's switch; resolves with the setting now in force. */
  setHostsOnly?(on: boolean): Promise<boolean>;
  /** The setting as the server has it now (others learn of the owner's switch). */
  recheck?(): Promise<boolean>;
}

const RECHECK_MS = 10_000;

/** On a desktop the ring sits just under the top bar, however many rows its
 * buttons wrap to, so it never covers Leave; a phone keeps it bottom right (timer.css). */
function place(box: HTMLElement): void {
  if (matchMedia('(max-width: 640px)').matches) box.style.top = ''; else underTopBar(box);
}

/** May this member start, pause and reset the timer? */
export const mayControl = (a: Pick<TimerAccess, 'owner' | 'hostsOnly'>): boolean => a.owner || !a.hostsOnly;

/** Mounts the ring in `parent`. Returns the unmount. */
export function mountTimerRing(parent: HTMLElement, provider: RealtimeProvider, access: TimerAccess): () => void {
  let timer: TimerShown | null = null;
  let hostsOnly = access.hostsOnly;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 100 100');
  svg.setAttribute('aria-hidden', 'true');
  const arc = circle('arc');
  arc.setAttribute('stroke-dasharray', String(CIRCUMFERENCE));
  svg.append(circle('track'), arc);
  const clock = h('div', { class: 'clock', role: 'timer', 'aria-live': 'off' });
  const phase = h('div', { class: 'phase' });
  const title = h('div', { class: 'title' });
  const preset = h('select', { 'aria-label': 'Timer length' }, ...PRESETS.map((p, i) => h('option', { value: String(i), text: p.label })));
  const start = h('button', { class: 'btn primary', text: 'Start' });
  const pause = h('button', { class: 'btn', text: 'Pause' });
  const reset = h('button', { class: 'btn ghost', text: 'Reset' });
  const sound = h('button', { class: 'btn ghost', title: 'Chime at phase end (saved in your preferences)' });
  const buttons = h('div', { class: 'timer-controls' }, preset, start, pause, reset);
  const note = h('p', { class: 'timer-note', text: 'Only the room\'s hosts can start the timer.' });
  const lock = h('input', { type: 'checkbox', checked: hostsOnly });
  const lockRow = h('label', { class: 'check timer-lock', hidden: !(access.owner && access.setHostsOnly) }, lock, ' Only hosts control the timer');
  const box = h('section', { class: 'focus-timer', 'aria-label': 'Room timer' },
    h('div', { class: 'ring' }, svg, h('div', { class: 'face' }, clock, phase)), title, note,
    h('div', { class: 'timer-row' }, buttons, sound), lockRow);
  parent.append(box);

  lock.addEventListener('change', () => {
    lock.disabled = true;
    access.setHostsOnly!(lock.checked).then((on) => { hostsOnly = on; }, () => { lock.checked = hostsOnly; })
      .finally(() => { lock.disabled = false; show(); });
  });
  const recheck = access.owner || !access.recheck ? undefined : setInterval(() => {
    access.recheck!().then((on) => { hostsOnly = on; show(); }, () => { /* offline a moment: keep what we know */ });
  }, RECHECK_MS);

  start.addEventListener('click', () => {
    askToNotify(currentPreferences().notifications);
    const p = PRESETS[Number(preset.value)];
    provider.sendTimer({ t: 'start_timer', duration: p.minutes, type: p.type, ...(p.rest ? { breakDuration: p.rest, cycles: 0 } : {}) });
  });
  pause.addEventListener('click', () => provider.sendTimer({ t: timer?.paused ? 'resume_timer' : 'pause_timer' }));
  reset.addEventListener('click', () => provider.sendTimer({ t: 'reset_timer' }));
  sound.addEventListener('click', () => {
    void changeNotifications({ phaseEndSound: !currentPreferences().notifications.phaseEndSound }).then(show);
    show();
  });

  function show(): void {
    place(box);
    const now = Date.now() + provider.clockOffsetMs();
    const left = timer ? remainingMs(timer, now) : 0;
    clock.textContent = timer ? clockLabel(left) : '--:--';
    phase.textContent = timer ? `${phaseLabel(timer)}${timer.paused ? ' · paused' : ''}` : 'No timer';
    title.textContent = timer?.title ?? '';
    arc.setAttribute('stroke-dashoffset', String(CIRCUMFERENCE * (1 - (timer ? fractionLeft(timer, now) : 0))));
    box.dataset.phase = timer ? timer.type : 'none';
    box.dataset.remainingMs = String(Math.round(left));
    box.dataset.endsAtServerMs = timer && !timer.paused ? String(timer.endsAtServerMs) : '';
    box.classList.toggle('paused', !!timer?.paused);
    const allowed = mayControl({ owner: access.owner, hostsOnly });
    for (const b of [preset, start, pause, reset]) b.disabled = !allowed;
    note.hidden = allowed;
    if (!lock.disabled) lock.checked = hostsOnly; // not while the switch is being saved
    pause.hidden = reset.hidden = !timer;
    pause.textContent = timer?.paused ? 'Resume' : 'Pause';
    const on = currentPreferences().notifications.phaseEndSound;
    sound.textContent = on ? 'Chime on' : 'Chime off';
    sound.setAttribute('aria-pressed', String(on));
  }

  const every = setInterval(show, 250);
  const unsubs = [
    provider.on('room_state', (p) => { timer = nextTimer(timer, { t: 'room_state', payload: p }); show(); }),
    provider.on('timer_started', (p) => { timer = nextTimer(timer, { t: 'timer_started', payload: p }); show(); }),
    provider.on('timer_updated', (p) => { timer = nextTimer(timer, { t: 'timer_updated', payload: p }); show(); }),
    provider.on('timer_completed', (p) => { timer = nextTimer(timer, { t: 'timer_completed', payload: p }); phaseEnded(p.type, currentPreferences().notifications); show(); }),
    provider.on('error', (e) => { if (e.code === 'hosts_only') { hostsOnly = true; show(); } }),
  ];
  show();
  return () => { clearInterval(every); clearInterval(recheck); unsubs.forEach((u) => u()); box.remove(); };
}
