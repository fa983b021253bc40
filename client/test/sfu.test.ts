import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { SfuTransport } from '../src/voice/sfu';

/** A browser peer connection reduced to its signaling states and mids. */
class FakePc {
  signalingState: RTCSignalingState = 'stable';
  localDescription: RTCSessionDescriptionInit | null = null;
  onicecandidate: unknown = null;
  ontrack: unknown = null;
  readonly transceivers: { mid: string | null; direction: string; sender: { track: unknown; replaceTrack(t: unknown): Promise<void> }; setCodecPreferences(): void }[] = [];
  private offers = 0;
  private pendingMids: { mid: string | null }[] = [];

  addTransceiver(track: unknown, init: { direction: string }) {
    const t = {
      mid: null as string | null, direction: init.direction, setCodecPreferences: () => undefined,
      sender: { track: typeof track === 'string' ? null : track, async replaceTrack(n: unknown) { this.track = n; } },
    };
    this.transceivers.push(t);
    return t;
  }
  getTransceivers() { return this.transceivers; }
  async createOffer() { return { type: 'offer' as const, sdp: `offer ${++this.offers}` }; }
  async createAnswer() { return { type: 'answer' as const, sdp: 'client answer' }; }
  async setLocalDescription(d: RTCSessionDescriptionInit) {
    if (d.type === 'rollback') {
      for (const t of this.pendingMids) t.mid = null;  // mids the rolled-back offer gave out
      this.signalingState = 'stable';
      return;
    }
    if (d.type === 'offer') {
      this.pendingMids = this.transceivers.filter((t) => t.mid === null);
      this.pendingMids.forEach((t) => { t.mid = String(this.transceivers.indexOf(t as never)); });
      this.signalingState = 'have-local-offer';
    } else this.signalingState = 'stable';
    this.localDescription = d;
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    if (d.type === 'offer' && this.signalingState !== 'stable') throw new DOMException('glare', 'InvalidStateError');
    if (d.type === 'answer' && this.signalingState !== 'have-local-offer') throw new DOMException('no offer', 'InvalidStateError');
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    this.pendingMids = [];
  }
  close() { this.signalingState = 'closed'; }
}

class FakeSocket {
  static last: FakeSocket;
  static opened = 0;
  readyState = 1;
  readonly sent: { t: string; payload: Record<string, unknown> }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onerror: unknown = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor() { FakeSocket.last = this; FakeSocket.opened++; }
  send(data: string) { this.sent.push(JSON.parse(data)); }
  close() { this.readyState = 3; }
  /** A signal from the SFU. */
  receive(t: string, payload: Record<string, unknown>) { this.onmessage!({ data: JSON.stringify({ v: 1, t, ts: 0, payload }) }); }
  /** The SFU closes the socket with `code`. */
  closeWith(code: number) { this.readyState = 3; this.onclose?.({ code, reason: '' }); }
  take() { return this.sent.splice(0).map((s) => (s.t === 'sdp' ? `${s.payload.type}: ${s.payload.sdp}` : `${s.t} ${JSON.stringify(s.payload.tracks ?? '')}`)); }
}

const settled = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };

beforeEach(() => {
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('RTCPeerConnection', FakePc);
  vi.stubGlobal('RTCRtpReceiver', { getCapabilities: () => null });
});
afterEach(() => { vi.unstubAllGlobals(); vi.useRealTimers(); });

async function joined(random = Math.random): Promise<{ transport: SfuTransport; ws: FakeSocket }> {
  const transport = new SfuTransport('ws://sfu', 'room-1', 'token', [], random);
  const joining = transport.publish({ kind: 'audio' } as MediaStreamTrack);
  const ws = FakeSocket.last;
  ws.onopen!();
  ws.receive('sfu_joined', { roomId: 'room-1', userId: 'me', maxSpeakers: 3 });
  await joining;
  await settled();
  ws.receive('sdp', { type: 'answer', sdp: 'sfu answer' });
  await settled();
  ws.take();
  return { transport, ws };
}

test('a camera switched on says which mid is the camera before its offer; switched off, it offers again naming none', async () => {
  const { transport, ws } = await joined();
  const on = transport.sendVideo('camera', { kind: 'video' } as MediaStreamTrack);
  await settled();
  expect(ws.take()).toEqual(['publish [{"mid":"1","source":"camera"}]', 'offer: offer 2']);
  ws.receive('error', { code: 'already_joined', message: 'this socket has already joined its room' });  // today's SFU
  ws.receive('sdp', { type: 'answer', sdp: 'sfu answer' });
  await on;
  const off = transport.sendVideo('camera', null);
  await settled();
  expect(ws.take()).toEqual(['publish []', 'offer: offer 3']);
  ws.receive('sdp', { type: 'answer', sdp: 'sfu answer' });
  await off;
  const pc = transport.connection as unknown as FakePc;
  expect(pc.transceivers[1].direction).toBe('inactive');
  expect(pc.transceivers[1].sender.track).toBeNull();
});

test("when the SFU's offer crosses the camera's (glare), the client answers it and then offers the camera again", async () => {
  const { transport, ws } = await joined();
  const on = transport.sendVideo('camera', { kind: 'video' } as MediaStreamTrack);
  await settled();
  expect(ws.take()).toEqual(['publish [{"mid":"1","source":"camera"}]', 'offer: offer 2']);
  ws.receive('sdp', { type: 'offer', sdp: 'sfu offer: a new speaker' });
  ws.receive('error', { code: 'glare', message: 'the SFU is waiting for your answer to its offer: answer first' });
  await on;
  await settled();
  expect(ws.take()).toEqual(['answer: client answer', 'publish [{"mid":"1","source":"camera"}]', 'offer: offer 3']);
  ws.receive('sdp', { type: 'answer', sdp: 'sfu answer' });
  await settled();
  expect((transport.connection as unknown as FakePc).signalingState).toBe('stable');
});

/** Runs the timers up to `ms` from now, letting the signaling steps between them settle. */
async function after(ms: number): Promise<void> { vi.advanceTimersByTime(ms); await settled(); }

test('the SFU asks to reconnect (its sanctions reload): voice joins again after the delay, backing off while it keeps asking', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const { transport, ws } = await joined(() => 1);
  const first = transport.connection as unknown as FakePc;
  const opened = FakeSocket.opened;
  ws.receive('reconnect', { delayMs: 1000, reason: 'moderation is reloading; try again shortly' });
  ws.closeWith(4503);
  expect(first.signalingState).toBe('closed');
  await after(999);
  expect(FakeSocket.opened).toBe(opened);
  await after(1);
  expect(FakeSocket.opened).toBe(opened + 1);
  const again = FakeSocket.last;
  again.onopen!();
  expect(again.take()).toEqual(['sfu_join ""']);
  again.closeWith(4503);  // still reloading: the wait grows (backoff 1 s, then 2 s)
  await after(999);
  expect(FakeSocket.opened).toBe(opened + 1);
  await after(1);
  expect(FakeSocket.opened).toBe(opened + 2);
  const third = FakeSocket.last;
  third.onopen!();
  third.receive('sfu_joined', { roomId: 'room-1', userId: 'me', maxSpeakers: 3 });
  await settled();
  expect(third.take()).toEqual(['sfu_join ""', 'offer: offer 1']);
  expect(transport.connection).not.toBe(first);
  transport.close();
});

test('a ban or kick at sfu_join is told in the player\'s words and never retried', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const transport = new SfuTransport('ws://sfu', 'room-1', 'token', []);
  const joining = transport.publish({ kind: 'audio' } as MediaStreamTrack);
  const ws = FakeSocket.last;
  const opened = FakeSocket.opened;
  ws.onopen!();
  ws.receive('auth_error', { code: 'banned', message: 'a moderator banned you: abuse' });
  ws.closeWith(4003);
  await expect(joining).rejects.toThrow('A moderator banned you from this room.');
  await after(60_000);
  expect(FakeSocket.opened).toBe(opened);
});

test('outlets_failed tells the player some people could not be connected; answer_timeout needs no word and its repeated offer is answered', async () => {
  const { transport, ws } = await joined();
  const notices: string[] = [];
  transport.onNotice((t) => notices.push(t));
  ws.receive('error', { code: 'answer_timeout', message: "no answer to the SFU's offer in 10 s: offering it again" });
  ws.receive('sdp', { type: 'offer', sdp: 'sfu offer: a new speaker' });
  await settled();
  expect(ws.take()).toEqual(['answer: client answer']);
  expect(notices).toEqual([]);
  ws.receive('error', { code: 'outlets_failed', message: "no answer to the SFU's offer after 3 tries: rejoin to hear more speakers" });
  expect(notices).toEqual(['Voice could not connect to some people.']);
});

test('a camera that was on is sent again after the voice rejoins', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const { transport, ws } = await joined(() => 0);
  const camera = { kind: 'video' } as MediaStreamTrack;
  const on = transport.sendVideo('camera', camera);
  await settled();
  ws.receive('sdp', { type: 'answer', sdp: 'sfu answer' });
  await on;
  ws.receive('reconnect', { delayMs: 1000, reason: 'draining' });
  await after(1000);
  const again = FakeSocket.last;
  again.onopen!();
  again.receive('sfu_joined', { roomId: 'room-1', userId: 'me', maxSpeakers: 3 });
  await settled();
  expect(again.take()).toEqual(['sfu_join ""', 'publish [{"mid":"1","source":"camera"}]', 'offer: offer 1']);
  expect((transport.connection as unknown as FakePc).transceivers[1].sender.track).toBe(camera);
  transport.close();
});

test('a microphone chosen in the room swaps the mic line\'s track without an offer, and a rejoin sends the new one', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const { transport, ws } = await joined(() => 0);
  const pc = transport.connection as unknown as FakePc;
  const other = { kind: 'audio', id: 'mic 2' } as MediaStreamTrack;
  await transport.replaceMic(other);
  await settled();
  expect(pc.transceivers[0].sender.track).toBe(other);
  expect(pc.transceivers[0].direction).toBe('sendonly');
  expect(ws.take()).toEqual([]);  // no renegotiation, no rejoin
  ws.receive('reconnect', { delayMs: 1000, reason: 'draining' });
  await after(1000);
  const again = FakeSocket.last;
  again.onopen!();
  again.receive('sfu_joined', { roomId: 'room-1', userId: 'me', maxSpeakers: 3 });
  await settled();
  expect((transport.connection as unknown as FakePc).transceivers[0].sender.track).toBe(other);
  transport.close();
});

test('a player who joined without a microphone and then picks one offers the mic line as sending', async () => {
  const transport = new SfuTransport('ws://sfu', 'room-1', 'token', []);
  const joining = transport.publish(null);
  const ws = FakeSocket.last;
  ws.onopen!();
  ws.receive('sfu_joined', { roomId: 'room-1', userId: 'me', maxSpeakers: 3 });
  await joining;
  await settled();
  ws.receive('sdp', { type: 'answer', sdp: 'sfu answer' });
  await settled();
  ws.take();
  const pc = transport.connection as unknown as FakePc;
  expect(pc.transceivers[0].direction).toBe('recvonly');
  const mic = { kind: 'audio' } as MediaStreamTrack;
  const picked = transport.replaceMic(mic);
  await settled();
  expect(ws.take()).toEqual(['offer: offer 2']);
  ws.receive('sdp', { type: 'answer', sdp: 'sfu answer' });
  await picked;
  expect(pc.transceivers[0].sender.track).toBe(mic);
  expect(pc.transceivers[0].direction).toBe('sendrecv');
  transport.close();
});
