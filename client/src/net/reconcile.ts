/** Local avatar reconciliation: the client moves at once (prediction) and
 * remembers where it claimed to be at each seq. When the edge answers with a
 * position_correction for a seq, the error at that seq is removed from the
 * current position over CORRECTION_FRAMES frames, keeping the moves made
 * since (they are replayed on top of the corrected point). */
import { CORRECTION_FRAMES } from './realtime/constants';

const CAP = 64;

export class Reconciler {
  private readonly seqs = new Float64Array(CAP).fill(-1);
  private readonly xs = new Float64Array(CAP);
  private readonly zs = new Float64Array(CAP);
  private head = 0;
  private dx = 0;
  private dz = 0;
  private framesLeft = 0;

  /** Records the position sent with `seq`. */
  sent(seq: number, x: number, z: number): void {
    this.seqs[this.head] = seq; this.xs[this.head] = x; this.zs[this.head] = z;
    this.head = (this.head + 1) % CAP;
  }

  /** Takes the server's position for `seq`; `curX/curZ` is where the avatar is now. */
  correct(seq: number, x: number, z: number, curX: number, curZ: number): void {
    let ex = x - curX, ez = z - curZ;
    for (let i = 0; i < CAP; i++) {
      if (this.seqs[i] === seq) { ex = x - this.xs[i]; ez = z - this.zs[i]; break; }
    }
    for (let i = 0; i < CAP; i++) {
      if (this.seqs[i] >= seq) { this.xs[i] += ex; this.zs[i] += ez; }
    }
    this.dx += ex; this.dz += ez;
    this.framesLeft = CORRECTION_FRAMES;
  }

  /** Applies this frame's share of the pending correction to `pos`. */
  step(pos: { x: number; z: number }): void {
    if (this.framesLeft === 0) return;
    const sx = this.dx / this.framesLeft, sz = this.dz / this.framesLeft;
    pos.x += sx; pos.z += sz;
    this.dx -= sx; this.dz -= sz;
    this.framesLeft--;
  }

  get pending(): boolean { return this.framesLeft > 0; }
}
