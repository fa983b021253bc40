/** Where build mode's pointer is: snapping to the world's grid, what lies
 * under a point (hit testing), and the top-down map's scale between canvas
 * pixels and metres. Pure: no DOM. */
import { cellSize, extent, type World, type WorldObject } from '../world/world';
import type { ZoneRect } from './edits';

/** `v` to the nearest multiple of `step`. */
export const snap = (v: number, step: number): number => Math.round(v / step) * step;

/** A point on the grid for an object's centre: cell centres and cell corners (half a cell). */
export function snapPoint(world: World, x: number, z: number): [number, number] {
  const half = cellSize(world) / 2;
  return [snap(x, half), snap(z, half)];
}

/** The cell (column, row) under a point. */
export function cellAt(world: World, x: number, z: number): [number, number] {
  const c = cellSize(world);
  return [Math.floor(x / c), Math.floor(z / c)];
}

/** The rectangle of whole cells spanned by two points (a drag), inside the world. */
export function cellRect(world: World, ax: number, az: number, bx: number, bz: number): ZoneRect {
  const c = cellSize(world);
  const [ex, ez] = extent(world);
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) / c) * c), z0 = Math.max(0, Math.floor(Math.min(az, bz) / c) * c);
  const x1 = Math.min(ex, (Math.floor(Math.max(ax, bx) / c) + 1) * c), z1 = Math.min(ez, (Math.floor(Math.max(az, bz) / c) + 1) * c);
  return { x: x0, z: z0, w: Math.max(c, x1 - x0), d: Math.max(c, z1 - z0) };
}

/** The footprint of an object, at least half a metre across so a thin one can be picked. */
function onObject(o: WorldObject, x: number, z: number): boolean {
  const w = Math.max(o.w ?? 1, 0.5), d = Math.max(o.d ?? 1, 0.5);
  return Math.abs(x - o.x) <= w / 2 && Math.abs(z - o.z) <= d / 2;
}

export type Part = { kind: 'object'; id: string } | { kind: 'zone'; id: string } | { kind: 'spawn'; index: number };

/** What a click at (x, z) picks: a spawn point, else the topmost (last drawn)
 * object, else the smallest zone, as the room decides which zone a point is in. */
export function hit(world: World, x: number, z: number): Part | null {
  const spawn = world.spawns.findIndex((p) => Math.hypot(p.x - x, p.z - z) <= 0.45);
  if (spawn >= 0) return { kind: 'spawn', index: spawn };
  const objects = world.objects ?? [];
  for (let i = objects.length - 1; i >= 0; i--) if (onObject(objects[i], x, z)) return { kind: 'object', id: objects[i].id };
  let best: World['zones'][number] | null = null;
  for (const zone of world.zones) {
    const s = zone.shape;
    if (s.x <= x && x < s.x + s.w && s.z <= z && z < s.z + s.d && (!best || s.w * s.d < best.shape.w * best.shape.d)) best = zone;
  }
  return best ? { kind: 'zone', id: best.id } : null;
}

/** The top-down map's placement in a canvas of `width` x `height` pixels:
 * the whole world fits, centred, `scale` pixels a metre. */
export class MapView {
  scale = 1;
  left = 0;
  top = 0;

  fit(world: World, width: number, height: number, margin = 12): void {
    const [ex, ez] = extent(world);
    this.scale = Math.max(1, Math.min((width - 2 * margin) / ex, (height - 2 * margin) / ez));
    this.left = (width - ex * this.scale) / 2;
    this.top = (height - ez * this.scale) / 2;
  }

  toWorld(px: number, py: number): [number, number] { return [(px - this.left) / this.scale, (py - this.top) / this.scale]; }
  toScreen(x: number, z: number): [number, number] { return [this.left + x * this.scale, this.top + z * this.scale]; }
}
