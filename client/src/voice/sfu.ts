/** The SFU transport (virtubar/signaling.py): a WebSocket to sfuUrl that
 * joins with the voice token, one RTCPeerConnection that publishes the mic in
 * the client's single offer, then answers the SFU's offers as listener slots
 * are added; `track_owner` says which member each slot carries. */
import { encode } from '../net/realtime/codec';
import type { IceServer } from '../api/client';
import type { VoiceTransport } from './voice';

interface Signal { v: 1; t: string; ts: number; payload: Record<string, unknown> }

export class SfuTransport implements VoiceTransport {
  private ws: WebSocket | null = null;
  private pc: RTCPeerConnection | null = null;
  private trackHandler: (mid: string, stream: MediaStream) => void = () => undefined;
  private ownerHandler: (mid: string, userId: string | null) => void = () => undefined;
  private readonly pendingOwners = new Map<string, string | null>();
  private readonly knownMids = new Set<string>();

  constructor(private readonly url: string, private readonly roomId: string, private readonly token: string, private readonly iceServers: IceServer[]) {}

  onTrack(handler: (mid: string, stream: MediaStream) => void): void { this.trackHandler = handler; }
  onOwner(handler: (mid: string, userId: string | null) => void): void { this.ownerHandler = handler; }

  /** Joins and publishes `track`; resolves once the SFU accepted the join. */
  publish(track: MediaStreamTrack | null): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.onopen = () => ws.send(encode('sfu_join', { roomId: this.roomId, token: this.token }));
      ws.onerror = () => reject(new Error('voice server unreachable'));
      ws.onclose = (e) => reject(new Error(`voice server closed the connection (${e.code} ${e.reason})`));
      ws.onmessage = async (ev) => {
        const s = JSON.parse(String(ev.data)) as Signal;
        try {
          await this.handle(s, track, resolve, reject);
        } catch (err) {
          console.warn('voice signaling failed', err);
        }
      };
    });
  }

  close(): void {
    this.pc?.close();
    if (this.ws) { this.ws.onclose = null; this.ws.close(1000, 'left'); }
    this.pc = null; this.ws = null;
  }

  /** The peer connection, for stats (e.g. inbound audio in tests). */
  get connection(): RTCPeerConnection | null { return this.pc; }

  private async handle(s: Signal, track: MediaStreamTrack | null, resolve: () => void, reject: (e: Error) => void): Promise<void> {
    const p = s.payload;
    switch (s.t) {
      case 'sfu_joined': {
        const pc = new RTCPeerConnection({ iceServers: this.iceServers });
        this.pc = pc;
        pc.onicecandidate = (e) => this.send('ice_candidate', e.candidate
          ? { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex }
          : { candidate: '' });
        pc.ontrack = (e) => {
          const mid = e.transceiver.mid;
          if (!mid || this.knownMids.has(mid)) return;
          this.knownMids.add(mid);
          this.trackHandler(mid, e.streams[0] ?? new MediaStream([e.track]));
          if (this.pendingOwners.has(mid)) { this.ownerHandler(mid, this.pendingOwners.get(mid)!); this.pendingOwners.delete(mid); }
        };
        if (track) pc.addTransceiver(track, { direction: 'sendonly' });
        else pc.addTransceiver('audio', { direction: 'recvonly' });
        await pc.setLocalDescription(await pc.createOffer());
        this.send('sdp', { type: 'offer', sdp: pc.localDescription!.sdp });
        resolve();
        break;
      }
      case 'sdp':
        if (!this.pc) return;
        await this.pc.setRemoteDescription({ type: p.type as RTCSdpType, sdp: String(p.sdp) });
        if (p.type === 'offer') {
          await this.pc.setLocalDescription(await this.pc.createAnswer());
          this.send('sdp', { type: 'answer', sdp: this.pc.localDescription!.sdp });
        }
        break;
      case 'track_owner': {
        const mid = String(p.mid), owner = (p.userId as string | null) ?? null;
        if (this.knownMids.has(mid)) this.ownerHandler(mid, owner); else this.pendingOwners.set(mid, owner);
        break;
      }
      case 'auth_error':
      case 'error':
        if (!this.pc) reject(new Error(String(p.message)));
        else console.warn('voice server:', p.message);
        break;
      case 'reconnect':
        console.warn('voice server draining:', p.reason);
        break;
    }
  }

  private send(t: string, payload: unknown): void {
    if (this.ws?.readyState === 1) this.ws.send(encode(t, payload));
  }
}
