import { describe, expect, it } from 'vitest';
import { restingAnim, seatAt } from '../src/room/poses';
import { DEFAULT_WORLDS } from '../src/world/defaults';

describe('resting pose', () => {
  for (const template of ['bar', 'office', 'focus', 'world'] as const) {
    it(`a member standing on a seat of the ${template} sits`, () => {
      const world = DEFAULT_WORLDS[template];
      const seat = world.objects!.find((o) => o.kind === 'seat')!;
      expect(restingAnim(world, seat.x, seat.z)).toBe('sit');
      expect(seatAt(world, seat.x, seat.z)?.id).toBe(seat.id);
      expect(restingAnim(world, world.spawns[0].x, world.spawns[0].z)).not.toBe('sit');
    });
  }

  it("dances on the bar's dance floor, and not elsewhere", () => {
    const bar = DEFAULT_WORLDS.bar;
    const floor = bar.objects!.find((o) => o.kind === 'dancefloor')!;
    expect(restingAnim(bar, floor.x, floor.z)).toBe('dance');
    expect(restingAnim(bar, bar.spawns[0].x, bar.spawns[0].z)).toBe('idle');
  });
});
