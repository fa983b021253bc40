/** The SFU transport (virtubar/signaling.py): a WebSocket to sfuUrl that
 * joins with the voice token and one RTCPeerConnection. The client offers
 * its microphone first, and offers again whenever it starts or stops a
 * camera or screen (saying first, in `publish`, which sending mid is which);
 * a microphone chosen in the room swaps the mic line's track, no rejoin;
 * otherwise it answers the SFU's offers as incoming tracks are added, and
 * `track_owner` says whose mic, camera or screen each incoming track carries.
 * When the SFU asks (`reconnect`, or close 4503: draining or reloading the
 * sanctions) it joins again after the delay, backing off; a ban or kick is final. */
import { backoffDelay } from '../net/realtime/backoff';
import { encode } from '../net/realtime/codec';
import { sanctionSentence, VOICE_PARTLY } from '../room/notices';
import type { ClientSignalPayloads, PublishedTrack, SfuSignal, TrackOwner } from '../net/realtime/wire.gen';
import type { IceServer } from '../api/client';
import type { VideoSource } from '../video/tiles';
import type { VoiceTransport } from './voice';

export type TrackKind = TrackOwner['kind'];
type TrackHandler = (mid: string, stream: MediaStream, kind: TrackKind) => void;
type OwnerHandler = (mid: string, userId: string | null, kind: TrackKind, source: PublishedTrack['source'] | null) => void;
/** How the SFU took our offer: `glare` means its own offer crossed ours. */
type Outcome = 'answered' | 'glare' | 'failed';

/** Errors that need nothing from us: today's SFU answers `publish` with
 * `already_joined` (it forwards the camera all the same); after
 * `answer_timeout` it offers the same again, which we answer. */
const HARMLESS = new Set(['already_joined', 'answer_timeout']);
/** The SFU's close code for "come back later" (draining, or its sanctions reload). */
const CLOSE_RETRY = 4503;
/** The SFU's limit (signaling.MAX_SIGNAL_BYTES): offers with several video m-lines outgrow the edge's 16 KB. */
const MAX_SIGNAL_BYTES = 64 * 1024;

export class SfuTransport implements VoiceTransport {
  private ws: WebSocket | null = null;
  private pc: RTCPeerConnection | null = null;
  private readonly trackHandlers: TrackHandler[] = [];
  private readonly ownerHandlers: OwnerHandler[] = [];
  private readonly pendingOwners = new Map<string, TrackOwner>();
  private readonly knownMids = new Map<string, TrackKind>();
  private readonly sending = new Map<VideoSource, RTCRtpTransceiver>();
  /** Every description change runs in turn, so an SFU offer never lands mid-way through ours. */
  private steps: Promise<void> = Promise.resolve();
  private settle: ((o: Outcome) => void) | null = null;
  private offerAgain = false;
  private readonly noticeHandlers: ((text: string) => void)[] = [];
  /** Joins in a row the SFU sent back (`reconnect`, 4503) without accepting one. */
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** The microphone sent now (a rejoin sends it again), and the line that carries it. */
  private mic: MediaStreamTrack | null = null;
  private micLine: RTCRtpTransceiver | null = null;

  constructor(
    private readonly url: string, private readonly roomId: string, private readonly token: string, private readonly iceServers: IceServer[],
    private readonly random: () => number = Math.random,
  ) {}

  onTrack(handler: TrackHandler): void { this.trackHandlers.push(handler); }
  onOwner(handler: OwnerHandler): void { this.ownerHandlers.push(handler); }
  /** Something the player should know about their voice (a sentence in their words). */
  onNotice(handler: (text: string) => void): void { this.noticeHandlers.push(handler); }

  /** Joins and publishes `track`; resolves once the SFU accepted the join, or
   * sent us to join again later (voice then comes by itself). */
  publish(track: MediaStreamTrack | null): Promise<void> {
    this.mic = track;
    return new Promise((resolve, reject) => this.join(resolve, reject));
  }

  /** Another microphone, on the same connection: the sender swaps its track
   * (no renegotiation, nobody notices but by the sound); a member who joined
   * without a microphone offers the line as sending from now on. */
  replaceMic(track: MediaStreamTrack): Promise<void> {
    this.mic = track;
    const line = this.micLine;
    if (!line || !this.pc) return Promise.resolve();  // between joins: the next join sends it
    if (line.direction === 'sendonly') return line.sender.replaceTrack(track);
    return this.step(async () => {
      await line.sender.replaceTrack(track);
      line.direction = 'sendrecv';
      await this.offer();
    });
  }

  private join(resolve: () => void, reject: (e: Error) => void): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => this.send('sfu_join', { roomId: this.roomId, token: this.token });
    ws.onerror = () => reject(new Error('voice server unreachable'));
    ws.onclose = (e) => {
      this.settle?.('failed');
      if (e.code !== CLOSE_RETRY) { reject(new Error(`voice server closed the connection (${e.code} ${e.reason})`)); return; }
      this.rejoinLater(0, resolve, reject);
    };
    ws.onmessage = (ev) => {
      const s = JSON.parse(String(ev.data)) as SfuSignal;
      this.handle(s, resolve, reject).catch((err) => console.warn('voice signaling failed', err));
    };
  }

  /** Drops this session and joins again after `delayMs` (at least the backoff, which grows until a join is accepted). */
  private rejoinLater(delayMs: number, resolve: () => void, reject: (e: Error) => void): void {
    const ws = this.ws;
    if (ws) { ws.onclose = null; ws.onmessage = null; ws.onerror = null; ws.close(1000, 'rejoining'); }
    const pc = this.pc;
    this.ws = null; this.pc = null; this.micLine = null;
    this.settle?.('failed');
    pc?.close();
    this.knownMids.clear(); this.pendingOwners.clear();
    resolve();
    clearTimeout(this.retryTimer);
    const wait = Math.max(delayMs, backoffDelay(this.attempt++, this.random()));
    this.retryTimer = setTimeout(() => { if (!this.closed) this.join(resolve, reject); }, wait);
  }

  /** Starts (a track) or stops (null) sending your camera or screen. */
  sendVideo(source: VideoSource, track: MediaStreamTrack | null): Promise<void> {
    const pc = this.pc;
    if (!pc) return Promise.reject(new Error('not connected to the voice server'));
    return this.step(async () => {
      let t = this.sending.get(source);
      if (!t && !track) return;
      if (!t) {
        t = pc.addTransceiver(track!, { direction: 'sendonly' });
        preferVp8(t);  // the SFU forwards VP8 only
        this.sending.set(source, t);
      } else {
        await t.sender.replaceTrack(track);
        t.direction = track ? 'sendonly' : 'inactive';
      }
      await this.offer();
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.settle?.('failed');
    this.pc?.close();
    if (this.ws) { this.ws.onclose = null; this.ws.close(1000, 'left'); }
    this.pc = null; this.ws = null;
  }

  /** The peer connection, for stats (e.g. inbound audio in tests). */
  get connection(): RTCPeerConnection | null { return this.pc; }

  /** Frames decoded so far on each incoming video track, by mid. */
  async framesDecoded(out: Map<string, number>): Promise<void> {
    for (const t of this.pc?.getTransceivers() ?? []) {
      if (!t.mid || this.knownMids.get(t.mid) !== 'video') continue;
      (await t.receiver.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') out.set(t.mid!, s.framesDecoded ?? 0); });
    }
  }

  private async handle(s: SfuSignal, resolve: () => void, reject: (e: Error) => void): Promise<void> {
    switch (s.t) {
      case 'sfu_joined': {
        this.attempt = 0;
        const pc = new RTCPeerConnection({ iceServers: this.iceServers });
        this.pc = pc;
        pc.onicecandidate = (e) => this.send('ice_candidate', e.candidate
          ? { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex }
          : { candidate: '' });
        pc.ontrack = (e) => this.arrived(e);
        this.micLine = this.mic ? pc.addTransceiver(this.mic, { direction: 'sendonly' }) : pc.addTransceiver('audio', { direction: 'recvonly' });
        this.carryVideo(pc);
        void this.step(() => this.offer());
        resolve();
        break;
      }
      case 'sdp': {
        const { type, sdp } = s.payload;
        if (type === 'answer') this.answered(sdp);
        else void this.step(() => this.answer(sdp));
        break;
      }
      case 'track_owner': {
        const p = s.payload;
        if (this.knownMids.has(p.mid)) this.owned(p); else this.pendingOwners.set(p.mid, p);
        break;
      }
      case 'auth_error':
      case 'error': {
        const p = s.payload;
        if (!this.pc) reject(new Error((s.t === 'auth_error' ? sanctionSentence(p) : null) ?? p.message));
        else if (p.code === 'outlets_failed') for (const h of this.noticeHandlers) h(VOICE_PARTLY);
        else if (this.settle && p.code === 'glare') this.settle('glare');  // the SFU's own offer is on its way
        else if (this.settle && p.code === 'bad_sdp') { console.warn('voice server:', p.message); this.settle('failed'); }
        else if (!HARMLESS.has(p.code)) console.warn('voice server:', p.message);
        break;
      }
      case 'reconnect':
        this.rejoinLater(s.payload.delayMs, resolve, reject);
        break;
    }
  }

  /** After a rejoin: the camera and screen that were on go on the new connection too. */
  private carryVideo(pc: RTCPeerConnection): void {
    for (const [source, old] of [...this.sending]) {
      this.sending.delete(source);
      const track = old.direction === 'sendonly' ? old.sender.track : null;
      if (!track) continue;
      const t = pc.addTransceiver(track, { direction: 'sendonly' });
      preferVp8(t);
      this.sending.set(source, t);
    }
  }

  private step(run: () => Promise<void>): Promise<void> {
    const next = this.steps.then(run);
    this.steps = next.catch((err) => console.warn('voice negotiation failed', err));
    return next;
  }

  /** Offers the current tracks: `publish` names the video ones first. */
  private async offer(): Promise<void> {
    const pc = this.pc!;
    await pc.setLocalDescription(await pc.createOffer());
    const tracks: PublishedTrack[] = [];
    for (const [source, t] of this.sending) if (t.mid && t.direction === 'sendonly') tracks.push({ mid: t.mid, source });
    if (this.sending.size) this.send('publish', { tracks });
    const outcome = new Promise<Outcome>((done) => { this.settle = (o) => { this.settle = null; done(o); }; });
    this.send('sdp', { type: 'offer', sdp: pc.localDescription!.sdp });
    const o = await outcome;
    if (o === 'answered' || this.pc !== pc) return;
    await pc.setLocalDescription({ type: 'rollback' });
    if (o === 'glare') this.offerAgain = true;  // ours goes again once the SFU's offer (the next step) is answered
  }

  private answered(sdp: string): void {
    const settle = this.settle;
    if (!settle || !this.pc) return;
    this.pc.setRemoteDescription({ type: 'answer', sdp }).then(() => settle('answered'), () => settle('failed'));
  }

  private async answer(sdp: string): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    this.send('sdp', { type: 'answer', sdp: pc.localDescription!.sdp });
    if (this.offerAgain) { this.offerAgain = false; void this.step(() => this.offer()); }
  }

  private arrived(e: RTCTrackEvent): void {
    const mid = e.transceiver.mid;
    if (!mid || this.knownMids.has(mid)) return;
    const kind = e.track.kind as TrackKind;
    this.knownMids.set(mid, kind);
    const stream = e.streams[0] ?? new MediaStream([e.track]);
    for (const h of this.trackHandlers) h(mid, stream, kind);
    const owner = this.pendingOwners.get(mid);
    if (owner) { this.pendingOwners.delete(mid); this.owned(owner); }
  }

  private owned(p: TrackOwner): void {
    const kind = this.knownMids.get(p.mid) ?? p.kind;
    for (const h of this.ownerHandlers) h(p.mid, p.userId, kind, p.source ?? null);
  }

  private send<K extends keyof ClientSignalPayloads>(t: K, payload: ClientSignalPayloads[K]): void {
    if (this.ws?.readyState === 1) this.ws.send(encode(t, payload, Date.now(), MAX_SIGNAL_BYTES));
  }
}

function preferVp8(t: RTCRtpTransceiver): void {
  const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs ?? [];
  const rank = (mime: string) => (mime === 'video/VP8' ? 0 : mime === 'video/rtx' ? 1 : 2);
  if (codecs.length) t.setCodecPreferences([...codecs].sort((a, b) => rank(a.mimeType) - rank(b.mimeType)));
}
