import { expect, test } from 'vitest';
import {
  addSpawn, addZone, changeZone, labelObject, moveObject, placeObject, removeObject, removeSpawn, removeZone, rotateObject, setWall,
} from '../src/build/edits';
import { MapView, cellRect, hit, snap, snapPoint } from '../src/build/grid';
import { firstOf, readTarget, roomIdFrom, setTarget } from '../src/build/portalTarget';
import { concerns, locate } from '../src/build/problems';
import { UndoStack } from '../src/build/undo';
import { DEFAULT_WORLDS } from '../src/world/defaults';
import { isWall, worldProblems, zoneAt } from '../src/world/world';

const office = DEFAULT_WORLDS.office;
const frozen = JSON.stringify(office);

test('placing a table adds it with its size and a fresh id, and leaves the old document alone', () => {
  const { world, id } = placeObject(office, 'table', 15.5, 12.5);
  expect(id).toBe('table-1');
  expect(world.objects!.at(-1)).toEqual({ id: 'table-1', kind: 'table', x: 15.5, z: 12.5, w: 2, d: 1 });
  expect(placeObject(world, 'table', 3, 3).id).toBe('table-2');
  const seat = placeObject(office, 'seat', 4, 4).world.objects!.at(-1)!;
  expect(seat.exclusive).toBe(true);  // one member per seat, as the shipped worlds have it
  expect(JSON.stringify(office)).toBe(frozen);
});

test('an object placed or moved past the edge stays inside the world', () => {
  const { world, id } = placeObject(office, 'plant', -3, 99);
  const plant = world.objects!.find((o) => o.id === id)!;
  expect(plant.x).toBe(0);
  expect(plant.z).toBeLessThan(24);
  const moved = moveObject(world, id, 40, 5).objects!.find((o) => o.id === id)!;
  expect([moved.x < 32, moved.z]).toEqual([true, 5]);
});

test('a quarter turn turns the footprint; four turns come back', () => {
  const { world, id } = placeObject(office, 'table', 10, 10);
  const once = rotateObject(world, id, 1).objects!.find((o) => o.id === id)!;
  expect([once.w, once.d, once.rot]).toEqual([1, 2, Math.round(Math.PI / 2 * 1e6) / 1e6]);
  let w = world;
  for (let i = 0; i < 4; i++) w = rotateObject(w, id, 1);
  const back = w.objects!.find((o) => o.id === id)!;
  expect([back.w, back.d, back.rot]).toEqual([2, 1, 0]);
  expect(rotateObject(world, id, -1).objects!.find((o) => o.id === id)!.rot).toBeCloseTo(3 * Math.PI / 2, 5);
});

test('a label is set, trimmed, and removed when emptied; a deleted object is gone', () => {
  const w = labelObject(office, 'wb-a', '  Plans ');
  expect(w.objects!.find((o) => o.id === 'wb-a')!.label).toBe('Plans');
  expect('label' in labelObject(office, 'wb-a', ' ').objects!.find((o) => o.id === 'wb-a')!).toBe(false);
  expect(removeObject(office, 'wb-a').objects!.some((o) => o.id === 'wb-a')).toBe(false);
});

test('a drawn zone is a meeting room the room recognises; its rules change and clear', () => {
  const { world, id } = addZone(office, cellRect(office, 12.2, 11.7, 15.9, 13.1));
  const zone = world.zones.find((z) => z.id === id)!;
  expect(zone).toEqual({ id: 'zone-1', name: 'New zone 1', type: 'meeting', shape: { x: 12, z: 11, w: 4, d: 3 } });
  expect(zoneAt(world, 13, 12)?.id).toBe('zone-1');  // smaller than the open floor: it wins
  const ruled = changeZone(world, id, { name: 'Kitchen', type: 'quiet', capacity: 4, audio: 'room', video: 'none' });
  expect(ruled.zones.find((z) => z.id === id)).toMatchObject({ name: 'Kitchen', type: 'quiet', capacity: 4, audio: 'room', video: 'none' });
  const cleared = changeZone(ruled, id, { capacity: null, audio: null }).zones.find((z) => z.id === id)!;
  expect(['capacity' in cleared, 'audio' in cleared, cleared.video]).toEqual([false, false, 'none']);
  expect(removeZone(world, id).zones.some((z) => z.id === id)).toBe(false);
  const alone = { ...office, zones: office.zones.slice(0, 1) };
  expect(removeZone(alone, 'floor').zones).toHaveLength(1);  // a world keeps a zone
});

test('walls are painted and erased cell by cell', () => {
  expect(isWall(office, 15.5, 12.5)).toBe(false);
  const walled = setWall(office, 15, 12, true);
  expect(isWall(walled, 15.5, 12.5)).toBe(true);
  expect(walled.grid[12]).toHaveLength(office.width);
  expect(isWall(setWall(walled, 15, 12, false), 15.5, 12.5)).toBe(false);
  expect(setWall(office, 99, 0, true)).toBe(office);
  expect(worldProblems(walled)).toEqual([]);
});

test('spawn points are added and removed, never the last one', () => {
  const w = addSpawn(office, 12.5, 12.5);
  expect(w.spawns.at(-1)).toEqual({ x: 12.5, z: 12.5 });
  expect(removeSpawn(w, w.spawns.length - 1).spawns).toEqual(office.spawns);
  const one = { ...office, spawns: [office.spawns[0]] };
  expect(removeSpawn(one, 0).spawns).toHaveLength(1);
});

test('snapping: object centres to half cells, zones to whole cells inside the world', () => {
  expect(snap(3.26, 0.5)).toBe(3.5);
  expect(snapPoint(office, 4.1, 7.8)).toEqual([4, 8]);
  expect(cellRect(office, 30.5, 22.5, 40, 40)).toEqual({ x: 30, z: 22, w: 2, d: 2 });
});

test('a click picks a spawn, else the topmost object, else the smallest zone', () => {
  const s = office.spawns[0];
  expect(hit(office, s.x + 0.1, s.z)).toEqual({ kind: 'spawn', index: 0 });
  expect(hit(office, 5.5, 1.6)).toEqual({ kind: 'object', id: 'wb-a' });
  expect(hit(office, 1.5, 7.5)).toEqual({ kind: 'zone', id: 'meeting-a' });
  expect(hit(office, 15.5, 12.5)).toEqual({ kind: 'zone', id: 'floor' });
  expect(hit(office, -5, -5)).toBe(null);
});

test('the map fits the whole world and converts both ways', () => {
  const m = new MapView();
  m.fit(office, 800, 600, 0);
  expect(m.scale).toBe(25);  // 32 x 24 m in 800 x 600 px
  expect(m.toScreen(16, 12)).toEqual([400, 300]);
  expect(m.toWorld(400, 300)).toEqual([16, 12]);
});

test('undo goes back edit by edit, redo forward; a new edit forgets what was undone', () => {
  const stack = new UndoStack<number>();
  expect(stack.undo(0)).toBe(null);
  stack.push(1); stack.push(2);
  expect(stack.undo(3)).toBe(2);
  expect(stack.undo(2)).toBe(1);
  expect(stack.canUndo).toBe(false);
  expect(stack.redo(1)).toBe(2);
  stack.push(2);
  expect(stack.canRedo).toBe(false);
  const small = new UndoStack<number>(2);
  small.push(1); small.push(2); small.push(3);
  expect([small.undo(4), small.undo(3), small.undo(2)]).toEqual([3, 2, null]);
});

test("the server's refusals are worded plainly and tied to the part they are about", () => {
  expect(locate(office, 'world', 'Expected `str` of length <= 80 - at `$.zones[1].name`'))
    .toEqual({ part: { kind: 'zone', id: 'meeting-a' }, text: 'Zone “Meeting room A”: name is longer than 80 characters' });
  expect(locate(office, 'world', 'Expected `int` >= 1 - at `$.zones[2].capacity`').text)
    .toBe('Zone “Meeting room B”: capacity must be at least 1');
  expect(locate(office, 'world', 'zones[2].shape: extends outside the world (32.0 x 24.0 m)').text)
    .toBe('Zone “Meeting room B”: extends outside the world (32.0 x 24.0 m)');
  const spawn = locate(office, 'world', 'spawns[0]: (0.5, 0.5) is in a wall or outside the world');
  expect(spawn).toEqual({ part: { kind: 'spawn', index: 0 }, text: 'Spawn point 1: (0.5, 0.5) is in a wall or outside the world' });
  expect(concerns(spawn, { kind: 'spawn', index: 0 })).toBe(true);
  expect(concerns(spawn, { kind: 'spawn', index: 1 })).toBe(false);
  const named = locate(office, 'world.objects[0].label', 'contains a word that is not allowed');
  expect(named.part).toEqual({ kind: 'object', id: office.objects![0].id });
  expect(locate(office, 'world.template', 'does not match the room\'s template'))
    .toEqual({ part: null, text: 'template: does not match the room\'s template' });
});

test('a portal leads nowhere, to a zone, to a room of a kind or to one room; a pasted link gives the id', () => {
  const { world, id } = placeObject(office, 'portal', 3.5, 3.5);
  expect(readTarget(world, world.objects!.find((o) => o.id === id)!.target)).toEqual({ leads: 'none', value: '' });
  const zone = office.zones[0].id;
  const toZone = setTarget(world, id, zone);
  expect(readTarget(toZone, toZone.objects!.find((o) => o.id === id)!.target)).toEqual({ leads: 'zone', value: zone });
  expect(readTarget(world, 'world')).toEqual({ leads: 'template', value: 'world' });
  const room = 'a'.repeat(32);
  expect(readTarget(world, room)).toEqual({ leads: 'room', value: room });
  expect(roomIdFrom(`https://virtubar.example/r/${room}`)).toBe(room);
  expect(roomIdFrom(` ${room} `)).toBe(room);
  expect(roomIdFrom('https://virtubar.example/r/not-a-room')).toBeNull();
  expect([firstOf(office, 'zone'), firstOf(office, 'template'), firstOf(office, 'room')]).toEqual([zone, 'office', '']);
  expect('target' in setTarget(toZone, id, null).objects!.find((o) => o.id === id)!).toBe(false);
  expect(toZone.objects!.filter((o) => o.id !== id)).toEqual(office.objects ?? []);  // the others untouched
});
