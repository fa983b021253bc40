/** The world document (virtubar/world.py): metres, x east, z south, y up.
 * The client reads it to draw the room and to predict where the local member
 * may walk; the edge has the final word (position_correction). */

import type { World, Zone } from '../net/realtime/wire.gen';

export type { Movement, Point, Rect, World, WorldObject, Zone } from '../net/realtime/wire.gen';
export type Template = World['template'];
/** A record so that a template added to (or dropped from) the world format is a compile error here. */
const TEMPLATE_ORDER: Record<Template, true> = { bar: true, office: true, focus: true, world: true };
export const TEMPLATES = Object.keys(TEMPLATE_ORDER) as readonly Template[];
export type ZoneType = NonNullable<Zone['type']>;
export type AudioRule = NonNullable<Zone['audio']>;
export type ObjectKind = NonNullable<World['objects']>[number]['kind'];

const DEFAULT_AUDIO: Record<ZoneType, AudioRule> = {
  open: 'proximity', meeting: 'zone', quiet: 'none', stage: 'room', focus: 'zone', private: 'zone',
};

export const cellSize = (w: World): number => w.cellSize ?? 1;
export const maxSpeed = (w: World): number => w.movement?.maxSpeed ?? 6;
export const hearingRadius = (w: World): number => w.hearingRadius ?? 6;
export const extent = (w: World): [number, number] => [w.width * cellSize(w), w.depth * cellSize(w)];
export const audioRule = (z: Zone): AudioRule => z.audio ?? DEFAULT_AUDIO[z.type ?? 'open'];

export function isWall(w: World, x: number, z: number): boolean {
  const [ex, ez] = extent(w);
  if (!(x >= 0 && x < ex && z >= 0 && z < ez)) return true;
  const c = cellSize(w);
  return w.grid[Math.floor(z / c)][Math.floor(x / c)] === '#';
}

/** The smallest zone containing the point, as the server decides it. */
export function zoneAt(w: World, x: number, z: number): Zone | null {
  let best: Zone | null = null;
  for (const zone of w.zones) {
    const s = zone.shape;
    if (s.x <= x && x < s.x + s.w && s.z <= z && z < s.z + s.d && (!best || s.w * s.d < best.shape.w * best.shape.d)) {
      best = zone;
    }
  }
  return best;
}

/** Problems that make a world document unusable (an empty list when fine). */
export function worldProblems(w: World): string[] {
  const out: string[] = [];
  if (!w || typeof w !== 'object') return ['the world is not an object'];
  if (!Array.isArray(w.grid) || w.grid.length !== w.depth) out.push(`grid: expected ${w.depth} rows`);
  else w.grid.forEach((row, i) => { if (row.length !== w.width) out.push(`grid[${i}]: expected ${w.width} cells`); });
  if (!Array.isArray(w.zones) || w.zones.length === 0) out.push('zones: at least one zone is needed');
  if (!Array.isArray(w.spawns) || w.spawns.length === 0) out.push('spawns: at least one spawn is needed');
  return out;
}

/** Body radius used for local collision prediction (metres). */
export const BODY_RADIUS = 0.25;

/** Moves from (x,z) by (dx,dz), sliding along walls axis by axis so the member
 * glides along a wall instead of sticking to it. Writes into `out`. */
export function slide(w: World, x: number, z: number, dx: number, dz: number, out: { x: number; z: number }): void {
  const nx = x + dx;
  out.x = blocked(w, nx, z) ? x : nx;
  const nz = z + dz;
  out.z = blocked(w, out.x, nz) ? z : nz;
}

function blocked(w: World, x: number, z: number): boolean {
  const r = BODY_RADIUS;
  return isWall(w, x - r, z - r) || isWall(w, x + r, z - r) || isWall(w, x - r, z + r) || isWall(w, x + r, z + r);
}
