/** The same contract for every RealtimeProvider: what the app relies on. */
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { SimProvider } from '../src/net/realtime/sim';
import type { JoinTicket, RealtimeProvider, ServerPayloads } from '../src/net/realtime/types';
import { WsProvider } from '../src/net/realtime/ws';
import { DEFAULT_WORLDS } from '../src/world/defaults';
import { ScriptedEdge, until } from './edge-double';

const user = { userId: 'u-1', displayName: 'Ann', avatarId: 'round-ff8a5b-2ec4b6' };
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

async function makeSim(): Promise<{ provider: RealtimeProvider; ticket: JoinTicket }> {
  const provider = new SimProvider(DEFAULT_WORLDS.bar, { members: 3, autoTickMs: null });
  cleanups.push(() => provider.close());
  return { provider, ticket: { roomId: 'r-1', realtimeToken: 't', edgeUrl: '', user, platform: 'desktop' } };
}

async function makeWs(): Promise<{ provider: RealtimeProvider; ticket: JoinTicket }> {
  const edge = await ScriptedEdge.start();
  const provider = new WsProvider({ renewTicket: async () => { throw new Error('no renew'); }, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
  cleanups.push(() => provider.close(), () => edge.close());
  return { provider, ticket: { roomId: 'r-1', realtimeToken: 'good', edgeUrl: edge.url, user, platform: 'desktop' } };
}

describe.each([['sim', makeSim], ['ws', makeWs]] as const)('%s provider contract', (_name, make) => {
  test('connect resolves once the room state arrives, with members', async () => {
    const { provider, ticket } = await make();
    const states: string[] = [];
    let members = -1;
    provider.onState((s) => states.push(s));
    provider.on('room_state', (p) => { members = p.members.length; });
    await provider.connect(ticket);
    expect(states.at(-1)).toBe('joined');
    expect(members).toBeGreaterThan(0);
  });

  test('chat within 240 characters comes back; longer chat is refused', async () => {
    const { provider, ticket } = await make();
    const got: ServerPayloads['chat_broadcast'][] = [];
    provider.on('chat_broadcast', (p) => { if (p.userId === 'u-1') got.push(p); });
    await provider.connect(ticket);
    expect(provider.sendChat('x'.repeat(241), 'local').ok).toBe(false);
    expect(provider.sendChat('  hello bar  ', 'room')).toEqual({ ok: true });
    await until(() => got.length > 0, 'chat echo');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ text: 'hello bar', mode: 'room' });
  });

  test('emotes and status changes come back as broadcasts', async () => {
    const { provider, ticket } = await make();
    const seen: string[] = [];
    provider.on('emote_broadcast', (p) => seen.push(p.emoteId));
    provider.on('status_changed', (p) => seen.push(p.status));
    await provider.connect(ticket);
    provider.sendEmote('cheers');
    provider.sendStatus('break');
    await until(() => seen.length === 2, 'emote and status');
    expect(seen).toEqual(['cheers', 'break']);
  });

  test('transforms are sent at most 20 per second on desktop, 15 on mobile', async () => {
    for (const [platform, hz] of [['desktop', 20], ['mobile', 15]] as const) {
      const { provider, ticket } = await make();
      await provider.connect({ ...ticket, platform });
      let sent = 0;
      for (let i = 0; i < 60; i++) {
        if (provider.sendTransform({ x: 5 + i * 0.01, y: 0, z: 5, rotY: 0, anim: 'walk', speaking: false }, 10_000 + i * (1000 / 60)) !== null) sent++;
      }
      expect(sent).toBe(hz);
    }
  });
});

describe('ws provider against the edge', () => {
  test('decodes batched frames in order and estimates the server clock from heartbeat_ack', async () => {
    const { provider, ticket } = await makeWs();
    const order: string[] = [];
    provider.on('room_state', () => order.push('room_state'));
    provider.on('member_joined', (p) => order.push(p.member.userId));
    await provider.connect(ticket);
    await until(() => provider.clockOffsetMs() > 4000, 'clock offset');
    expect(order).toEqual(['room_state', 'u-3']);
    expect(provider.clockOffsetMs()).toBeLessThan(6000);
  });

  test('auth_error fetches a new ticket and joins again on the same socket', async () => {
    const edge = await ScriptedEdge.start();
    edge.refuse.add('expired');
    let renewed = 0;
    const provider = new WsProvider({
      renewTicket: async () => { renewed++; return { roomId: 'r-1', realtimeToken: 'fresh', edgeUrl: edge.url, user, platform: 'desktop' }; },
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    cleanups.push(() => provider.close(), () => edge.close());
    await provider.connect({ roomId: 'r-1', realtimeToken: 'expired', edgeUrl: edge.url, user, platform: 'desktop' });
    expect(renewed).toBe(1);
    expect(edge.sockets).toHaveLength(1);
    expect(edge.received.filter((r) => r.t === 'join_room').map((r) => r.payload.token)).toEqual(['expired', 'fresh']);
  });

  test('gives up with a clear error when the edge keeps refusing the token', async () => {
    const edge = await ScriptedEdge.start();
    edge.refuse.add('expired');
    const provider = new WsProvider({
      renewTicket: async () => ({ roomId: 'r-1', realtimeToken: 'expired', edgeUrl: edge.url, user, platform: 'desktop' }),
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    cleanups.push(() => provider.close(), () => edge.close());
    await expect(provider.connect({ roomId: 'r-1', realtimeToken: 'expired', edgeUrl: edge.url, user, platform: 'desktop' }))
      .rejects.toThrow(/refused the room token/);
  });

  test('reconnects after the socket drops and resyncs with the last chat message id', async () => {
    const edge = await ScriptedEdge.start();
    const provider = new WsProvider({
      renewTicket: async () => { throw new Error('unused'); },
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
      random: () => 0,
    });
    cleanups.push(() => provider.close(), () => edge.close());
    let roomStates = 0;
    provider.on('room_state', () => roomStates++);
    await provider.connect({ roomId: 'r-1', realtimeToken: 'good', edgeUrl: edge.url, user, platform: 'desktop' });
    provider.sendChat('before the drop', 'local');
    await until(() => edge.received.some((r) => r.t === 'local_chat'), 'chat at the edge');
    await new Promise((r) => setTimeout(r, 50));
    edge.dropAll();
    await until(() => roomStates === 2, 'resync after reconnect');
    const joins = edge.received.filter((r) => r.t === 'join_room');
    expect(joins).toHaveLength(2);
    expect(joins[1].payload.lastMessageId).toBe('1-0');
  });
});
