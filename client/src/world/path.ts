/** Path finding for click-to-walk: A* over the world's walk grid (8 ways,
 * never cutting a wall's corner), then straightened wherever the body fits
 * in a straight line, so the member walks round desks and through doors
 * instead of stopping at the first one. Pure. */
import { BODY_RADIUS, cellSize, isWall, type World } from './world';

export interface Waypoint { x: number; z: number }

/** Does a body of BODY_RADIUS fit all along a → b? */
export function clearLine(w: World, ax: number, az: number, bx: number, bz: number): boolean {
  const steps = Math.ceil(Math.hypot(bx - ax, bz - az) / (cellSize(w) / 4));
  const r = BODY_RADIUS;
  for (let i = 0; i <= steps; i++) {
    const t = steps ? i / steps : 0;
    const x = ax + (bx - ax) * t, z = az + (bz - az) * t;
    if (isWall(w, x - r, z - r) || isWall(w, x + r, z - r) || isWall(w, x - r, z + r) || isWall(w, x + r, z + r)) return false;
  }
  return true;
}

/** The waypoints from (fromX, fromZ) to (toX, toZ), the start left out and
 * the target last; null when the target is in a wall or cannot be reached. */
export function findPath(w: World, fromX: number, fromZ: number, toX: number, toZ: number): Waypoint[] | null {
  if (isWall(w, toX, toZ)) return null;
  if (clearLine(w, fromX, fromZ, toX, toZ)) return [{ x: toX, z: toZ }];
  const c = cellSize(w), width = w.width;
  const cell = (x: number, z: number) => Math.floor(z / c) * width + Math.floor(x / c);
  const start = cell(fromX, fromZ), goal = cell(toX, toZ);
  const cells = cellsFrom(w, start, goal);
  if (!cells) return null;
  const points: Waypoint[] = cells.map((i) => ({ x: ((i % width) + 0.5) * c, z: (Math.floor(i / width) + 0.5) * c }));
  points[points.length - 1] = { x: toX, z: toZ };
  const out: Waypoint[] = [];
  let ax = fromX, az = fromZ;
  for (let i = 0; i < points.length; ) {  // string pulling: the farthest point still in a straight line
    let j = points.length - 1;
    while (j > i && !clearLine(w, ax, az, points[j].x, points[j].z)) j--;
    out.push(points[j]);
    ax = points[j].x; az = points[j].z;
    i = j + 1;
  }
  return out;
}

const STEPS: [number, number, number][] = [[1, 0, 1], [-1, 0, 1], [0, 1, 1], [0, -1, 1], [1, 1, Math.SQRT2], [1, -1, Math.SQRT2], [-1, 1, Math.SQRT2], [-1, -1, Math.SQRT2]];

/** A* from cell `start` to cell `goal`: the cells after `start`, `goal` last. */
function cellsFrom(w: World, start: number, goal: number): number[] | null {
  const width = w.width, depth = w.depth;
  const open = (col: number, row: number) => col >= 0 && row >= 0 && col < width && row < depth && w.grid[row][col] !== '#';
  const cost = new Float64Array(width * depth).fill(Infinity);
  const from = new Int32Array(width * depth).fill(-1);
  const gx = goal % width, gz = Math.floor(goal / width);
  const guess = (i: number) => { const dx = Math.abs(i % width - gx), dz = Math.abs(Math.floor(i / width) - gz); return Math.max(dx, dz) + (Math.SQRT2 - 1) * Math.min(dx, dz); };
  const heap = new Heap();
  cost[start] = 0;
  heap.push(start, guess(start));
  while (heap.size) {
    const i = heap.pop();
    if (i === goal) {
      const cells: number[] = [];
      for (let k = goal; k !== start; k = from[k]) cells.push(k);
      return cells.reverse();
    }
    const col = i % width, row = Math.floor(i / width);
    for (const [dx, dz, step] of STEPS) {
      if (!open(col + dx, row + dz) || (dx && dz && (!open(col + dx, row) || !open(col, row + dz)))) continue;
      const j = (row + dz) * width + col + dx, g = cost[i] + step;
      if (g < cost[j]) { cost[j] = g; from[j] = i; heap.push(j, g + guess(j)); }
    }
  }
  return null;
}

/** A binary min-heap of cells by priority (stale entries are skipped by cost). */
class Heap {
  private readonly items: number[] = [];
  private readonly keys: number[] = [];
  get size(): number { return this.items.length; }
  push(item: number, key: number): void {
    const a = this.items, k = this.keys;
    let i = a.length;
    a.push(item); k.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p] <= k[i]) break;
      [a[p], a[i]] = [a[i], a[p]]; [k[p], k[i]] = [k[i], k[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.items, k = this.keys, top = a[0];
    const lastItem = a.pop()!, lastKey = k.pop()!;
    if (a.length) {
      a[0] = lastItem; k[0] = lastKey;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && k[l] < k[m]) m = l;
        if (r < a.length && k[r] < k[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]]; [k[m], k[i]] = [k[i], k[m]];
        i = m;
      }
    }
    return top;
  }
}

/** A click-to-walk route: where to head for now (`to`, moved from waypoint to waypoint). */
export class Route {
  private legs: Waypoint[] = [];

  /** Plans from `from` to `to`; false (no walk) when there is no way there. */
  plan(w: World, from: Waypoint, to: Waypoint & { set(x: number, y: number, z: number): unknown }): boolean {
    this.legs = findPath(w, from.x, from.z, to.x, to.z) ?? [];
    return this.next(to);
  }

  /** Heads `to` for the next waypoint; false once the route is walked. */
  next(to: { set(x: number, y: number, z: number): unknown }): boolean {
    const p = this.legs.shift();
    if (p) to.set(p.x, 0, p.z);
    return !!p;
  }
}
