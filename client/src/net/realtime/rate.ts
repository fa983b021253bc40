/** Transform rate limiting: at most `hz` sends per second, and only when the
 * transform changed or a second has passed (keeps idle rooms quiet). */
import type { TransformInput } from './types';

export class TransformGate {
  private readonly intervalMs: number;
  private lastSentMs = -Infinity;
  private last: TransformInput | null = null;

  constructor(hz: number) { this.intervalMs = 1000 / hz; }

  /** True when `t` may be sent at `nowMs`; records it as sent. */
  admit(t: TransformInput, nowMs: number): boolean {
    const since = nowMs - this.lastSentMs;
    if (since < this.intervalMs - 0.5) return false;
    if (this.last && since < 1000 && same(this.last, t)) return false;
    this.lastSentMs = nowMs;
    this.last = { ...t };
    return true;
  }
}

function same(a: TransformInput, b: TransformInput): boolean {
  return Math.abs(a.x - b.x) < 1e-3 && Math.abs(a.y - b.y) < 1e-3 && Math.abs(a.z - b.z) < 1e-3 &&
    Math.abs(a.rotY - b.rotY) < 1e-3 && a.anim === b.anim && a.speaking === b.speaking;
}
