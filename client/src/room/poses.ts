/** How a member rests where it stands: sitting on a seat, dancing on the
 * bar's dance floor, else idle. Pure, so every view draws the same pose the
 * others receive (the pose travels with each move). Moving stands you up. */
import type { Anim } from '../net/realtime/types';
import type { World, WorldObject } from '../world/world';

/** Is (x, z) on the object (objects are placed by their centre, as on the server)? */
export function onObject(o: WorldObject, x: number, z: number): boolean {
  return Math.abs(x - o.x) < (o.w ?? 1) / 2 && Math.abs(z - o.z) < (o.d ?? 1) / 2;
}

/** The seat at (x, z), if any. */
export function seatAt(world: World, x: number, z: number): WorldObject | null {
  return (world.objects ?? []).find((o) => o.kind === 'seat' && onObject(o, x, z)) ?? null;
}

/** The pose of a member standing still at (x, z). */
export function restingAnim(world: World, x: number, z: number): Anim {
  if (seatAt(world, x, z)) return 'sit';
  if (world.template === 'bar' && (world.objects ?? []).some((o) => o.kind === 'dancefloor' && onObject(o, x, z))) return 'dance';
  return 'idle';
}
