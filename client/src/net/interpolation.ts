/** Remote avatar smoothing: each member's transforms are buffered with the
 * server time they were sent, and drawn INTERPOLATION_DELAY_MS behind the
 * server clock, so movement stays smooth across network jitter. A target far
 * from where the avatar is drawn (a teleport, a long stall) snaps instead.
 * Fixed-size typed arrays: sampling allocates nothing per frame. */
import { INTERPOLATION_DELAY_MS, SNAP_DISTANCE } from './realtime/constants';
import type { Anim } from './realtime/types';

const CAP = 16;

export interface Pose { x: number; y: number; z: number; rotY: number; anim: Anim; speaking: boolean }

export class RemoteTrack {
  private readonly t = new Float64Array(CAP);
  private readonly pos = new Float64Array(CAP * 4);
  private readonly anims: Anim[] = new Array<Anim>(CAP).fill('idle');
  private readonly speak: boolean[] = new Array<boolean>(CAP).fill(false);
  private start = 0;
  private count = 0;
  private lastSeq = -1;
  /** Where the avatar is drawn now (updated by `sample`). */
  readonly pose: Pose = { x: 0, y: 0, z: 0, rotY: 0, anim: 'idle', speaking: false };

  constructor(readonly delayMs: number = INTERPOLATION_DELAY_MS, readonly snapDistance: number = SNAP_DISTANCE) {}

  /** Adds a transform sent at server time `serverTs`. Returns false for a
   * stale or repeated `seq` (ignored, as the protocol orders by seq). */
  push(seq: number, serverTs: number, x: number, y: number, z: number, rotY: number, anim: Anim, speaking: boolean): boolean {
    if (seq <= this.lastSeq) return false;
    this.lastSeq = seq;
    const far = this.count === 0 || Math.hypot(x - this.pose.x, z - this.pose.z, y - this.pose.y) > this.snapDistance;
    if (far) {
      this.count = 0;
      Object.assign(this.pose, { x, y, z, rotY, anim, speaking });
    } else if (serverTs <= this.t[this.idx(this.count - 1)]) {
      serverTs = this.t[this.idx(this.count - 1)] + 1; // same-tick batch: keep time strictly increasing
    }
    if (this.count === CAP) { this.start = (this.start + 1) % CAP; this.count--; }
    const i = this.idx(this.count++);
    this.t[i] = serverTs;
    this.pos[i * 4] = x; this.pos[i * 4 + 1] = y; this.pos[i * 4 + 2] = z; this.pos[i * 4 + 3] = rotY;
    this.anims[i] = anim; this.speak[i] = speaking;
    return true;
  }

  /** Places the avatar at the interpolated pose for server time `serverNow`. */
  sample(serverNow: number): Pose {
    const p = this.pose;
    if (this.count === 0) return p;
    const rt = serverNow - this.delayMs;
    let a = 0;
    while (a < this.count - 1 && this.t[this.idx(a + 1)] <= rt) a++;
    const ia = this.idx(a);
    if (a === this.count - 1 || rt <= this.t[ia]) {
      this.copy(ia);
      return p;
    }
    const ib = this.idx(a + 1);
    const f = (rt - this.t[ia]) / (this.t[ib] - this.t[ia]);
    p.x = lerp(this.pos[ia * 4], this.pos[ib * 4], f);
    p.y = lerp(this.pos[ia * 4 + 1], this.pos[ib * 4 + 1], f);
    p.z = lerp(this.pos[ia * 4 + 2], this.pos[ib * 4 + 2], f);
    p.rotY = lerpAngle(this.pos[ia * 4 + 3], this.pos[ib * 4 + 3], f);
    p.anim = this.anims[ib];
    p.speaking = this.speak[ib];
    return p;
  }

  /** Forgets buffered samples (after a resync from room_state). */
  reset(x: number, y: number, z: number, rotY: number, anim: Anim): void {
    this.count = 0;
    this.lastSeq = -1;
    Object.assign(this.pose, { x, y, z, rotY, anim });
  }

  private copy(i: number): void {
    const p = this.pose;
    p.x = this.pos[i * 4]; p.y = this.pos[i * 4 + 1]; p.z = this.pos[i * 4 + 2]; p.rotY = this.pos[i * 4 + 3];
    p.anim = this.anims[i]; p.speaking = this.speak[i];
  }

  private idx(n: number): number { return (this.start + n) % CAP; }
}

const lerp = (a: number, b: number, f: number): number => a + (b - a) * f;

export function lerpAngle(a: number, b: number, f: number): number {
  let d = (b - a) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  if (d < -Math.PI) d += 2 * Math.PI;
  return a + d * f;
}
