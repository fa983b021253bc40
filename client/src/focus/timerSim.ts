/** The offline demo's stand-in for the edge's room timer (the `sim`
 * provider): the same events, from one browser's clock. */
import type { ServerPayloads, TimerCommand } from '../net/realtime/types';
import type { TimerShown } from './timerClock';

type Emit = <K extends 'timer_started' | 'timer_updated' | 'timer_completed'>(t: K, payload: ServerPayloads[K]) => void;

export class SimTimer {
  private timer: TimerShown | null = null;
  private work = 0;
  private due: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly roomId: string, private readonly emit: Emit, private readonly minuteMs = 60_000) {}

  get current(): TimerShown | null { return this.timer; }

  handle(c: TimerCommand, now = Date.now()): void {
    const t = this.timer;
    if (c.t === 'start_timer') {
      this.work = c.duration;
      this.begin({ duration: c.duration, type: c.type, endsAtServerMs: now + c.duration * this.minuteMs, remaining: 0,
        paused: false, cycle: 1, cycles: c.breakDuration ? c.cycles ?? 1 : 1, breakDuration: c.breakDuration ?? null });
    } else if (t && c.t === 'pause_timer' && !t.paused) {
      clearTimeout(this.due);
      this.timer = { ...t, paused: true, remaining: Math.max(0, t.endsAtServerMs - now) };
      this.emit('timer_updated', { roomId: this.roomId, remaining: this.timer.remaining, paused: true });
    } else if (t && c.t === 'resume_timer' && t.paused) {
      this.timer = { ...t, paused: false, endsAtServerMs: now + t.remaining };
      this.arm();
      this.emit('timer_updated', { roomId: this.roomId, remaining: t.remaining, paused: false, endsAtServerMs: this.timer.endsAtServerMs });
    } else if (t && c.t === 'reset_timer') {
      clearTimeout(this.due);
      this.timer = null;
      this.emit('timer_updated', { roomId: this.roomId, remaining: 0, paused: true, stopped: true });
    }
  }

  private begin(t: TimerShown): void {
    this.timer = t;
    this.arm();
    this.emit('timer_started', { roomId: this.roomId, duration: t.duration, type: t.type, endsAtServerMs: t.endsAtServerMs,
      cycle: t.cycle, cycles: t.cycles, breakDuration: t.breakDuration });
  }

  private arm(): void {
    clearTimeout(this.due);
    this.due = setTimeout(() => this.complete(), Math.max(0, this.timer!.endsAtServerMs - Date.now()));
  }

  private complete(): void {
    const t = this.timer!;
    this.timer = null;
    this.emit('timer_completed', { roomId: this.roomId, type: t.type });
    const more = t.cycles === 0 || t.cycle < t.cycles;
    const rest = t.breakDuration;
    if (rest && t.type === 'work' && more) this.begin({ ...t, type: 'break', duration: rest, endsAtServerMs: t.endsAtServerMs + rest * this.minuteMs });
    else if (rest && t.type === 'break') this.begin({ ...t, type: 'work', duration: this.work, cycle: t.cycle + 1, endsAtServerMs: t.endsAtServerMs + this.work * this.minuteMs });
  }
}
