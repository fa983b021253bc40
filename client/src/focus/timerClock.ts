/** The focus room's timer as the client shows it: pure time math, no DOM.
 * The server holds the timer; the client counts down from the server's
 * clock, estimated as local time plus the heartbeat's clock offset
 * (`RealtimeProvider.clockOffsetMs`), so every member's ring agrees. */
import type { RoomTimer, ServerPayloads } from '../net/realtime/types';

export type TimerShown = RoomTimer;

const MINUTE_MS = 60_000;

/** Milliseconds left at `serverNowMs` (never below zero). */
export function remainingMs(t: TimerShown, serverNowMs: number): number {
  return t.paused ? Math.max(0, t.remaining) : Math.max(0, t.endsAtServerMs - serverNowMs);
}

/** How much of the phase is left, 1 (full ring) to 0. */
export function fractionLeft(t: TimerShown, serverNowMs: number): number {
  const total = t.duration * MINUTE_MS;
  return total > 0 ? Math.min(1, Math.max(0, remainingMs(t, serverNowMs) / total)) : 0;
}

/** `25:00`, `4:05`, `1:02:03`: seconds rounded up, so the label reads 0:00 only at the end. */
export function clockLabel(ms: number): string {
  const s = Math.ceil(Math.max(0, ms) / 1000);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return hh ? `${hh}:${pad(mm)}:${pad(ss)}` : `${mm}:${pad(ss)}`;
}

/** "Work · 2 of 4", "Break", "Work · cycle 3" (endless). */
export function phaseLabel(t: TimerShown): string {
  const kind = t.type === 'work' ? 'Work' : 'Break';
  if (!t.breakDuration) return kind;
  return t.cycles ? `${kind} · ${t.cycle} of ${t.cycles}` : `${kind} · cycle ${t.cycle}`;
}

type TimerEvent =
  | { t: 'room_state'; payload: ServerPayloads['room_state'] }
  | { t: 'timer_started'; payload: ServerPayloads['timer_started'] }
  | { t: 'timer_updated'; payload: ServerPayloads['timer_updated'] }
  | { t: 'timer_completed'; payload: ServerPayloads['timer_completed'] };

/** The timer after a server event (null: none running). */
export function nextTimer(prev: TimerShown | null, e: TimerEvent): TimerShown | null {
  switch (e.t) {
    case 'room_state':
      return e.payload.timer ?? null;
    case 'timer_started': {
      const p = e.payload;
      return {
        duration: p.duration, type: p.type, endsAtServerMs: p.endsAtServerMs, remaining: p.duration * MINUTE_MS,
        paused: false, cycle: p.cycle, cycles: p.cycles, breakDuration: p.breakDuration ?? null, title: p.title ?? null,
      };
    }
    case 'timer_updated': {
      const p = e.payload;
      if (p.stopped || !prev) return null;
      return { ...prev, paused: p.paused, remaining: p.remaining, endsAtServerMs: p.endsAtServerMs ?? prev.endsAtServerMs };
    }
    case 'timer_completed':
      return null;
  }
}

/** The cycles a player picks from: work/break minutes. */
export const PRESETS: { label: string; type: 'work' | 'break'; minutes: number; rest: number | null }[] = [
  { label: '25 / 5', type: 'work', minutes: 25, rest: 5 },
  { label: '50 / 10', type: 'work', minutes: 50, rest: 10 },
  { label: '25 min', type: 'work', minutes: 25, rest: null },
  { label: '5 min break', type: 'break', minutes: 5, rest: null },
];
