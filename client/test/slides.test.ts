/** Which screen's slides a player sees: the screen of the zone it stands in. */
import { describe, expect, it } from 'vitest';
import { clampSlide, screenHere } from '../src/screens/slides';
import type { World } from '../src/world/world';

const world = {
  zones: [
    { id: 'floor', name: 'Floor', type: 'open', shape: { x: 0, z: 0, w: 32, d: 24 } },
    { id: 'stage', name: 'Stage', type: 'stage', shape: { x: 22, z: 18, w: 9, d: 5 } },
  ],
  objects: [{ id: 'stage-screen', kind: 'screen', x: 26, z: 21.5, label: 'Stage screen' }],
} as unknown as World;

describe('slides on a screen', () => {
  it('show in the screen\'s zone only', () => {
    expect(screenHere(world, 23, 19)?.id).toBe('stage-screen');
    expect(screenHere(world, 20, 19)).toBeNull();  // on the floor, just off the stage
  });
  it('stay within the deck', () => {
    expect([clampSlide(-1, 3), clampSlide(5, 3), clampSlide(1, 3), clampSlide(2, 0)]).toEqual([0, 2, 1, 0]);
  });
});
