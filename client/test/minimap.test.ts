import { expect, test } from 'vitest';
import { mapScale } from '../src/room/minimap';
import { DEFAULT_WORLDS } from '../src/world/defaults';
import { TEMPLATES } from '../src/world/world';

test('every template fits its mini-map in the box, keeping its shape', () => {
  for (const t of TEMPLATES) {
    const world = DEFAULT_WORLDS[t];
    const { k, w, h } = mapScale(world, 168);
    expect(Math.max(w, h)).toBe(168);
    expect(w / h).toBeCloseTo(world.width / world.depth, 1);
    expect(k).toBeCloseTo(168 / Math.max(world.width, world.depth) / (world.cellSize ?? 1), 5);
  }
});
