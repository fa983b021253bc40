import { expect, test } from 'vitest';
import { clearLine, findPath } from '../src/world/path';
import { DEFAULT_WORLDS } from '../src/world/defaults';
import type { World } from '../src/world/world';

const office = DEFAULT_WORLDS.office;

test('a click in a meeting room walks round the walls and through its door, each leg clear', () => {
  const [from, to] = [{ x: 15.5, z: 19.5 }, { x: 5.5, z: 5.5 }];
  expect(clearLine(office, from.x, from.z, to.x, to.z)).toBe(false);  // the straight line stops at a wall
  const path = findPath(office, from.x, from.z, to.x, to.z)!;
  expect(path.length).toBeGreaterThan(1);
  expect(path[path.length - 1]).toEqual(to);
  let at = from;
  for (const p of path) { expect(clearLine(office, at.x, at.z, p.x, p.z)).toBe(true); at = p; }
  expect(path.length).toBeLessThan(8);  // straightened: a few corners, not a step per cell
});

test('an open floor is one straight leg', () => {
  expect(findPath(office, 15.5, 19.5, 25.5, 12.5)).toEqual([{ x: 25.5, z: 12.5 }]);
});

test('a wall, or a place no door leads to, gives no path', () => {
  expect(findPath(office, 15.5, 19.5, 10.5, 2.5)).toBeNull();  // in the wall between two meeting rooms
  const closed: World = { ...office, grid: office.grid.map((row, i) => (i === 9 ? '#'.repeat(office.width) : i === 5 ? row.slice(0, 10) + '#' + row.slice(11) : row)) };
  expect(findPath(closed, 15.5, 19.5, 5.5, 5.5)).toBeNull();
});

test('a route heads for each waypoint in turn, then stops', async () => {
  const { Vector3 } = await import('three');
  const { Route } = await import('../src/world/path');
  const route = new Route(), to = new Vector3(5.5, 0, 5.5);
  const legs = findPath(office, 15.5, 19.5, 5.5, 5.5)!;
  expect(route.plan(office, { x: 15.5, z: 19.5 }, to)).toBe(true);
  const seen = [{ x: to.x, z: to.z }];
  while (route.next(to)) seen.push({ x: to.x, z: to.z });
  expect(seen).toEqual(legs);
  expect(route.plan(office, { x: 15.5, z: 19.5 }, new Vector3(10.5, 0, 2.5))).toBe(false);  // into a wall: no walk
});
