/** The focus room's shared timer ring: every member sees the same countdown
 * (server time, corrected by the heartbeat's clock offset), with start,
 * pause/resume and reset for those allowed to control it, and a chime and
 * notification at each phase end (`timerChime.ts`). */
import type { RealtimeProvider } from '../net/realtime/types';
import { h } from '../ui/dom';
import { askToNotify, phaseEnded, setSoundOn, soundOn } from './timerChime';
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

/** Mounts the ring in `parent`; `controls`: whether this member may control
 * the timer (the room's owner may keep it to hosts). Returns the unmount. */
export function mountTimerRing(parent: HTMLElement, provider: RealtimeProvider, controls: boolean): () => void {
  let timer: TimerShown | null = null;
  let allowed = controls;
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
  const sound = h('button', { class: 'btn ghost', 'aria-pressed': String(soundOn()), title: 'Chime and notification at phase end' });
  const buttons = h('div', { class: 'timer-controls' }, preset, start, pause, reset);
  const box = h('section', { class: 'focus-timer', 'aria-label': 'Room timer' },
    h('div', { class: 'ring' }, svg, h('div', { class: 'face' }, clock, phase)), title, h('div', { class: 'timer-row' }, buttons, sound));
  parent.append(box);

  start.addEventListener('click', () => {
    askToNotify();
    const p = PRESETS[Number(preset.value)];
    provider.sendTimer({ t: 'start_timer', duration: p.minutes, type: p.type, ...(p.rest ? { breakDuration: p.rest, cycles: 0 } : {}) });
  });
  pause.addEventListener('click', () => provider.sendTimer({ t: timer?.paused ? 'resume_timer' : 'pause_timer' }));
  reset.addEventListener('click', () => provider.sendTimer({ t: 'reset_timer' }));
  sound.addEventListener('click', () => { setSoundOn(!soundOn()); askToNotify(); show(); });

  function show(): void {
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
    buttons.hidden = !allowed;
    pause.hidden = reset.hidden = !timer;
    pause.textContent = timer?.paused ? 'Resume' : 'Pause';
    sound.textContent = soundOn() ? 'Chime on' : 'Chime off';
    sound.setAttribute('aria-pressed', String(soundOn()));
  }

  const every = setInterval(show, 250);
  const unsubs = [
    provider.on('room_state', (p) => { timer = nextTimer(timer, { t: 'room_state', payload: p }); show(); }),
    provider.on('timer_started', (p) => { timer = nextTimer(timer, { t: 'timer_started', payload: p }); show(); }),
    provider.on('timer_updated', (p) => { timer = nextTimer(timer, { t: 'timer_updated', payload: p }); show(); }),
    provider.on('timer_completed', (p) => { timer = nextTimer(timer, { t: 'timer_completed', payload: p }); phaseEnded(p.type); show(); }),
    provider.on('error', (e) => { if (e.code === 'hosts_only') { allowed = false; show(); } }),
  ];
  show();
  return () => { clearInterval(every); unsubs.forEach((u) => u()); box.remove(); };
}
