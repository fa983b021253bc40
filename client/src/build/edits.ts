/** Build mode's edits of a world document (virtubar/world.py). Each returns a
 * new document and leaves the one it was given alone, so the undo stack can
 * keep every earlier state as it was. No DOM here. */
import { extent, type World, type WorldObject, type Zone, type ZoneType } from '../world/world';

export type ObjectKind = WorldObject['kind'];
export type Rule = NonNullable<Zone['audio']>;

/** The kinds the palette offers, in its order, with what a new one is. */
export const KINDS: readonly { kind: ObjectKind; title: string; w: number; d: number; exclusive?: boolean; label?: string }[] = [
  { kind: 'table', title: 'Table', w: 2, d: 1 },
  { kind: 'seat', title: 'Seat', w: 1, d: 1, exclusive: true },
  { kind: 'whiteboard', title: 'Whiteboard', w: 3, d: 0.5, label: 'Whiteboard' },
  { kind: 'screen', title: 'Screen', w: 3, d: 0.5, label: 'Screen' },
  { kind: 'jukebox', title: 'Jukebox', w: 1, d: 1, label: 'Jukebox' },
  { kind: 'door', title: 'Door', w: 1, d: 1, exclusive: true },
  { kind: 'portal', title: 'Portal', w: 1, d: 1, label: 'Portal' },
  { kind: 'counter', title: 'Counter', w: 3, d: 1 },
  { kind: 'dancefloor', title: 'Dance floor', w: 4, d: 4 },
  { kind: 'plant', title: 'Plant', w: 1, d: 1 },
];
export const ZONE_TYPES: readonly ZoneType[] = ['open', 'meeting', 'private', 'quiet', 'stage', 'focus'];
export const RULES: readonly Rule[] = ['proximity', 'zone', 'room', 'none'];

const QUARTER = Math.PI / 2;

/** The first `${prefix}-N` no id in `taken` has. */
export function freeId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let n = 1;
  while (used.has(`${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}

/** Keeps a point inside the world (the format refuses objects outside it). */
function inside(world: World, x: number, z: number): [number, number] {
  const [ex, ez] = extent(world);
  const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max - 0.01);
  return [clamp(x, ex), clamp(z, ez)];
}

export function placeObject(world: World, kind: ObjectKind, x: number, z: number): { world: World; id: string } {
  const spec = KINDS.find((k) => k.kind === kind)!;
  const id = freeId(kind, (world.objects ?? []).map((o) => o.id));
  const [px, pz] = inside(world, x, z);
  const object: WorldObject = { id, kind, x: px, z: pz, w: spec.w, d: spec.d };
  if (spec.exclusive) object.exclusive = true;
  if (spec.label) object.label = spec.label;
  return { world: { ...world, objects: [...(world.objects ?? []), object] }, id };
}

function changeObject(world: World, id: string, change: (o: WorldObject) => WorldObject): World {
  return { ...world, objects: (world.objects ?? []).map((o) => o.id === id ? change(o) : o) };
}

export function moveObject(world: World, id: string, x: number, z: number): World {
  const [px, pz] = inside(world, x, z);
  return changeObject(world, id, (o) => ({ ...o, x: px, z: pz }));
}

/** Quarter turns (clockwise seen from above for `turns` > 0), to the nearest quarter; the footprint turns with it. */
export function rotateObject(world: World, id: string, turns: number): World {
  return changeObject(world, id, (o) => {
    const quarters = (((Math.round((o.rot ?? 0) / QUARTER) + turns) % 4) + 4) % 4;
    const odd = Math.abs(turns) % 2 === 1;
    return { ...o, rot: Math.round(quarters * QUARTER * 1e6) / 1e6, w: odd ? o.d ?? 1 : o.w ?? 1, d: odd ? o.w ?? 1 : o.d ?? 1 };
  });
}

export function labelObject(world: World, id: string, label: string): World {
  const text = label.trim();
  return changeObject(world, id, ({ label: _old, ...o }) => text ? { ...o, label: text } : o);
}

export function removeObject(world: World, id: string): World {
  return { ...world, objects: (world.objects ?? []).filter((o) => o.id !== id) };
}

export interface ZoneRect { x: number; z: number; w: number; d: number }

export function addZone(world: World, shape: ZoneRect, type: ZoneType = 'meeting'): { world: World; id: string } {
  const id = freeId('zone', world.zones.map((z) => z.id));
  const zone: Zone = { id, name: `New zone ${id.slice(5)}`, type, shape: { ...shape } };
  return { world: { ...world, zones: [...world.zones, zone] }, id };
}

/** What the zone panel edits; `null` clears an optional rule (the type's default applies). */
export interface ZoneChange {
  name?: string; type?: ZoneType; capacity?: number | null; audio?: Rule | null; video?: Rule | null; shape?: ZoneRect;
}

export function changeZone(world: World, id: string, change: ZoneChange): World {
  return {
    ...world,
    zones: world.zones.map((zone) => {
      if (zone.id !== id) return zone;
      const next: Zone = { ...zone };
      if (change.name !== undefined) next.name = change.name;
      if (change.type !== undefined) next.type = change.type;
      if (change.shape !== undefined) next.shape = { ...change.shape };
      if (change.capacity === null) delete next.capacity;
      else if (change.capacity !== undefined) next.capacity = change.capacity;
      if (change.audio === null) delete next.audio;
      else if (change.audio !== undefined) next.audio = change.audio;
      if (change.video === null) delete next.video;
      else if (change.video !== undefined) next.video = change.video;
      return next;
    }),
  };
}

/** A world keeps at least one zone: removing the last one does nothing. */
export function removeZone(world: World, id: string): World {
  if (world.zones.length <= 1) return world;
  return { ...world, zones: world.zones.filter((z) => z.id !== id) };
}

/** Makes cell (col, row) a wall or floor; outside the grid nothing changes. */
export function setWall(world: World, col: number, row: number, wall: boolean): World {
  if (row < 0 || row >= world.depth || col < 0 || col >= world.width) return world;
  const line = world.grid[row];
  const cell = wall ? '#' : '.';
  if (line[col] === cell) return world;
  const grid = world.grid.slice();
  grid[row] = line.slice(0, col) + cell + line.slice(col + 1);
  return { ...world, grid };
}

export function addSpawn(world: World, x: number, z: number): World {
  const [px, pz] = inside(world, x, z);
  return { ...world, spawns: [...world.spawns, { x: px, z: pz }] };
}

export function moveSpawn(world: World, index: number, x: number, z: number): World {
  const [px, pz] = inside(world, x, z);
  return { ...world, spawns: world.spawns.map((p, i) => i === index ? { x: px, z: pz } : p) };
}

/** A world keeps at least one spawn point: removing the last one does nothing. */
export function removeSpawn(world: World, index: number): World {
  if (world.spawns.length <= 1) return world;
  return { ...world, spawns: world.spawns.filter((_, i) => i !== index) };
}
