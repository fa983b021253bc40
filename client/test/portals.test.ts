import { expect, test } from 'vitest';
import { portalAt, tripOf } from '../src/room/portals';
import { DEFAULT_WORLDS } from '../src/world/defaults';
import type { World } from '../src/world/world';

const town = DEFAULT_WORLDS.world;

test("the town's portal takes you to an office room, by the template its target names", () => {
  const portal = portalAt(town, 20.5, 37.5)!;
  expect(portal.id).toBe('portal-office');
  expect(tripOf(town, portal)).toEqual({ kind: 'room', name: 'the office', template: 'office' });
  expect(portalAt(town, 20.5, 33)).toBeNull();
});

test('a portal to a zone of the world goes to its spawn (else its centre); any other target is a room id', () => {
  const world: World = { ...town, objects: [
    { id: 'p1', kind: 'portal', x: 20.5, z: 35.5, target: 'cafe' },
    { id: 'p2', kind: 'portal', x: 22.5, z: 35.5, target: 'a1b2c3', label: 'To the quiz night' },
    { id: 'p3', kind: 'portal', x: 24.5, z: 35.5 },
  ] };
  const [zone, room, none] = world.objects!;
  const cafe = town.zones.find((z) => z.id === 'cafe')!.shape;
  expect(tripOf(world, zone)).toEqual({ kind: 'zone', name: 'Cafe', x: cafe.x + cafe.w / 2, z: cafe.z + cafe.d / 2 });
  expect(tripOf(world, room)).toEqual({ kind: 'room', name: 'the quiz night', roomId: 'a1b2c3' });
  expect(tripOf(world, none)).toBeNull();
});
