import { expect, test } from 'vitest';
import { DEFAULT_WORLDS } from '../src/world/defaults';
import { isWall, slide, worldProblems, zoneAt } from '../src/world/world';

const office = DEFAULT_WORLDS.office;

test('every shipped world is usable', () => {
  for (const w of Object.values(DEFAULT_WORLDS)) expect(worldProblems(w)).toEqual([]);
});

test('walls and outside the map block; floor does not', () => {
  expect(isWall(office, 0.5, 0.5)).toBe(true);
  expect(isWall(office, 2.5, 2.5)).toBe(false);
  expect(isWall(office, -1, 5)).toBe(true);
  expect(isWall(office, 5, 99)).toBe(true);
});

test('the smallest zone wins, as on the server', () => {
  expect(zoneAt(office, 3, 3)?.id).toBe('meeting-a');
  expect(zoneAt(office, 15, 12)?.id).toBe('floor');
});

test('walking into a wall slides along it instead of stopping', () => {
  const out = { x: 0, z: 0 };
  // Just east of the west wall (x < 1 is wall), moving west and south.
  slide(office, 1.3, 12, -0.2, 0.3, out);
  expect(out.x).toBe(1.3);
  expect(out.z).toBeCloseTo(12.3);
});
