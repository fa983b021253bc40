import { expect, test } from 'vitest';
import { backoffDelay } from '../src/net/realtime/backoff';
import { ClockSync } from '../src/net/realtime/clock';
import { decode, encode } from '../src/net/realtime/codec';
import { RECONNECT_MAX_MS } from '../src/net/realtime/constants';

test('an envelope is {v, t, ts, payload}', () => {
  expect(JSON.parse(encode('emote', { roomId: 'r', emoteId: 'cheers' }, 123))).toEqual({ v: 1, t: 'emote', ts: 123, payload: { roomId: 'r', emoteId: 'cheers' } });
});

test('a single envelope and a batch both decode; bad items are reported and skipped', () => {
  expect(decode('{"v":1,"t":"member_left","ts":1,"payload":{"userId":"a"}}').envelopes).toHaveLength(1);
  const batch = decode(JSON.stringify([
    { v: 1, t: 'member_left', ts: 1, payload: { userId: 'a' } },
    { v: 2, t: 'member_left', ts: 1, payload: { userId: 'b' } },
    { v: 1, t: 'no_such_event', ts: 1, payload: {} },
    { v: 1, t: 'member_left', ts: 2, payload: { userId: 'c' } },
  ]));
  expect(batch.envelopes.map((e) => (e.payload as { userId: string }).userId)).toEqual(['a', 'c']);
  expect(batch.problems).toHaveLength(2);
  expect(decode('not json').problems).toEqual(['frame is not JSON']);
});

test('an oversized message is refused before it is sent', () => {
  expect(() => encode('local_chat', { text: 'x'.repeat(20_000) })).toThrow(/exceeds/);
});

test('clock offset uses the round trip with the least delay', () => {
  const c = new ClockSync();
  c.addAck(1000, 6100, 1400); // slow: rtt 400 → offset 4900
  c.addAck(2000, 7010, 2020); // fast: rtt 20 → offset 5000
  expect(c.offsetMs).toBe(5000);
  expect(c.serverNow(3000)).toBe(8000);
});

test('reconnect backoff grows, jitters and is capped', () => {
  expect(backoffDelay(0, 1)).toBe(500);
  expect(backoffDelay(0, 0)).toBe(250);
  expect(backoffDelay(3, 1)).toBe(4000);
  expect(backoffDelay(50, 1)).toBe(RECONNECT_MAX_MS);
});
