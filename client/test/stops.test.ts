/** When the edge says retrying cannot help (docs/protocol.md, Joining, Errors and
 * Close codes), the ws provider stops, tells the player why and does not reconnect. */
import { afterEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { ConnectionState, JoinTicket } from '../src/net/realtime/types';
import { WsProvider } from '../src/net/realtime/ws';
import { ScriptedEdge, until } from './edge-double';

const user = { userId: 'u-1', displayName: 'Ann', avatarId: 'round-ff8a5b-2ec4b6' };
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setUp(): Promise<{ edge: ScriptedEdge; provider: WsProvider; closedWith: (string | undefined)[]; renewed: () => number; ticket: (token: string) => JoinTicket }> {
  const edge = await ScriptedEdge.start();
  let renewed = 0;
  const ticket = (token: string): JoinTicket => ({ roomId: 'r-1', realtimeToken: token, edgeUrl: edge.url, user, platform: 'desktop' });
  const provider = new WsProvider({
    renewTicket: async () => { renewed++; return ticket('fresh'); },
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    random: () => 0,  // the shortest backoff: a reconnect would come within 250 ms
  });
  const closedWith: (string | undefined)[] = [];
  provider.onState((s: ConnectionState, reason?: string) => { if (s === 'closed') closedWith.push(reason); });
  cleanups.push(() => provider.close(), () => edge.close());
  return { edge, provider, closedWith, renewed: () => renewed, ticket };
}

/** Settles `p` or says it is still pending after `ms`. */
const within = <T>(p: Promise<T>, ms = 2000) => Promise.race([p, pause(ms).then(() => { throw new Error('still waiting'); })]);

test('a room that filled up before the socket joined: the player is told, and nothing waits or retries', async () => {
  const { edge, provider, closedWith, renewed, ticket } = await setUp();
  edge.answers.set('late', { t: 'error', payload: { code: 'room_full', message: 'room is full', event: 'join_room' } });
  await expect(within(provider.connect(ticket('late')))).rejects.toThrow('This room is full right now.');
  expect(closedWith).toEqual(['This room is full right now.']);
  await pause(600);
  expect(edge.sockets).toHaveLength(1);
  expect(edge.received.filter((r) => r.t === 'join_room')).toHaveLength(1);
  expect(renewed()).toBe(0);
});

test.each([
  ['kicked', 'a moderator removed you from this room; you may return at 2026-12-04T19:30:00+00:00: spam', /removed you from this room\. You can come back after /],
  ['banned', 'a moderator banned you: abuse', /^A moderator banned you from this room\.$/],
])('auth_error %s: no new ticket, no reconnect, and the player reads why', async (code, message, sentence) => {
  const { edge, provider, closedWith, renewed, ticket } = await setUp();
  edge.answers.set('old', { t: 'auth_error', payload: { code, message } });
  await expect(within(provider.connect(ticket('old')))).rejects.toThrow(sentence);
  expect(closedWith).toHaveLength(1);
  expect(closedWith[0]).toMatch(sentence);
  await pause(600);
  expect(renewed()).toBe(0);
  expect(edge.sockets).toHaveLength(1);
  expect(edge.received.filter((r) => r.t === 'join_room')).toHaveLength(1);
});

test.each([
  [4003, 'A moderator removed you from this room.'],
  [4008, 'You were disconnected for sending too much too fast. Wait a moment, then join again.'],
])('closed with %i after joining: the client does not reconnect and says why', async (code, sentence) => {
  const { edge, provider, closedWith, ticket } = await setUp();
  await provider.connect(ticket('good'));
  edge.sockets[0].close(code, 'stop');
  await until(() => closedWith.length > 0, 'the provider to stop');
  expect(closedWith).toEqual([sentence]);
  await pause(600);
  expect(edge.sockets).toHaveLength(1);
});
