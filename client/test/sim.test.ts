import { expect, test } from 'vitest';
import { SimProvider } from '../src/net/realtime/sim';
import type { ServerPayloads } from '../src/net/realtime/types';
import { DEFAULT_WORLDS } from '../src/world/defaults';
import { zoneAt } from '../src/world/world';

const ticket = { roomId: 'r', realtimeToken: '', edgeUrl: '', platform: 'desktop' as const, user: { userId: 'me', displayName: 'Me', avatarId: 'x' } };

test('simulated members move over time and stay off the walls', async () => {
  const world = DEFAULT_WORLDS.office;
  const sim = new SimProvider(world, { members: 12, seed: 1, autoTickMs: null });
  const last = new Map<string, ServerPayloads['avatar_transform_broadcast']>();
  sim.on('avatar_transform_broadcast', (t) => last.set(t.userId, t));
  await sim.connect(ticket);
  const start = Date.now();
  for (let i = 1; i <= 100; i++) sim.tick(start + i * 100);
  expect(last.size).toBe(12);
  for (const t of last.values()) {
    expect(world.grid[Math.floor(t.z)][Math.floor(t.x)]).toBe('.');
  }
  const moved = [...last.values()].filter((t) => t.seq === 100);
  expect(moved).toHaveLength(12);
});

test('walking into a wall gets a position_correction back to the last good spot', async () => {
  const world = DEFAULT_WORLDS.bar;
  const sim = new SimProvider(world, { members: 0, autoTickMs: null });
  const corrections: ServerPayloads['position_correction'][] = [];
  sim.on('position_correction', (c) => corrections.push(c));
  await sim.connect(ticket);
  const seq1 = sim.sendTransform({ x: 10.5, y: 0, z: 7.5, rotY: 0, anim: 'idle', speaking: false }, 1000);
  const seq2 = sim.sendTransform({ x: 10.5, y: 0, z: 7.4, rotY: 0, anim: 'walk', speaking: false }, 1100);
  expect(corrections).toEqual([]);
  const seq3 = sim.sendTransform({ x: 0.5, y: 0, z: 7.4, rotY: 0, anim: 'walk', speaking: false }, 1200);
  expect([seq1, seq2, seq3]).toEqual([1, 2, 3]);
  expect(corrections).toEqual([{ seq: 3, x: 10.5, y: 0, z: 7.4, reason: 'wall' }]);
});

test('a chat line carries the zone its speaker stands in, as the edge stamps it', async () => {
  const world = DEFAULT_WORLDS.bar;
  const sim = new SimProvider(world, { members: 0, autoTickMs: null });
  const lines: ServerPayloads['chat_broadcast'][] = [];
  sim.on('chat_broadcast', (c) => lines.push(c));
  await sim.connect(ticket);
  sim.sendTransform({ x: 10.5, y: 0, z: 7.5, rotY: 0, anim: 'idle', speaking: false }, 1000);
  expect(sim.sendChat('over here', 'zone').ok).toBe(true);
  const zone = zoneAt(world, 10.5, 7.5);
  expect(zone).not.toBeNull();
  expect(lines).toEqual([expect.objectContaining({ text: 'over here', mode: 'zone', zoneId: zone!.id })]);
});
