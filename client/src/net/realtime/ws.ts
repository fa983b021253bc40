/** The `ws` provider: the real edge over a WebSocket (docs/protocol.md). Sends
 * join_room at once on open, heartbeats for the clock offset, reconnects with
 * backoff and resyncs from room_state (with lastMessageId so missed chat is
 * replayed), and on auth_error fetches a new ticket and joins again. It stops
 * for good, saying why in the closed state, when retrying cannot help: a full
 * room, a ban or kick, or a close code that says stop. */
import { closeSentence, ROOM_FULL, sanctionSentence } from '../../room/notices';
import { backoffDelay } from './backoff';
import { checkChat } from '../../chat/limits';
import { ClockSync } from './clock';
import { decode, encode } from './codec';
import { CLIENT_EVENTS, HEARTBEAT_INTERVAL_MS, TRANSFORM_HZ } from './constants';
import { Emitter } from './emitter';
import { TransformGate } from './rate';
import type {
  BoardCommand, SlideCommand, ChatMode, ChatResult, ClientPayloads, ConnectionState, EmoteId, JoinTicket, RealtimeProvider, ServerEnvelope,
  ServerEventName, ServerHandler, Status, TimerCommand, TransformInput, MusicCommand,
} from './types';

/** Consecutive auth_errors (without a room_state between) before giving up. */
const MAX_AUTH_RETRIES = 3;

export interface WsOptions {
  /** Gets a fresh ticket (POST /api/rooms/join) after an auth_error. */
  renewTicket: () => Promise<JoinTicket>;
  WebSocketImpl?: typeof WebSocket;
  random?: () => number;
}

export class WsProvider implements RealtimeProvider {
  readonly kind = 'ws' as const;
  private readonly events = new Emitter();
  private readonly clock = new ClockSync();
  private ticket!: JoinTicket;
  private socket: WebSocket | null = null;
  private gate = new TransformGate(TRANSFORM_HZ.desktop);
  private seq = 0;
  private attempt = 0;
  private authRetries = 0;
  private lastMessageId: string | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private joinedOnce: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly options: WsOptions) {}

  connect(ticket: JoinTicket): Promise<void> {
    this.ticket = ticket;
    this.gate = new TransformGate(TRANSFORM_HZ[ticket.platform]);
    this.closed = false;
    return new Promise((resolve, reject) => {
      this.joinedOnce = { resolve, reject };
      this.open();
    });
  }

  close(): void { this.shutdown(); }

  async rejoin(): Promise<void> {
    this.ticket = await this.options.renewTicket();
    const old = this.socket;
    this.socket = null;  // its close is not a loss to reconnect from
    clearInterval(this.heartbeatTimer);
    old?.close(1000, 'joining again');
    if (!this.closed) this.open();
  }

  /** Stops for good; `reason` (the player's words) rejects a pending connect and comes with the closed state. */
  private shutdown(reason?: string): void {
    if (reason) { this.joinedOnce?.reject(new Error(reason)); this.joinedOnce = null; }
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'left the room');
    this.socket = null;
    this.joinedOnce?.reject(new Error('closed before joining'));
    this.joinedOnce = null;
    this.events.state('closed', reason);
  }

  sendTransform(t: TransformInput, nowMs: number): number | null {
    if (!this.isOpen() || !this.gate.admit(t, nowMs)) return null;
    const seq = ++this.seq;
    this.send(CLIENT_EVENTS.avatarTransform, { roomId: this.ticket.roomId, seq, ...t });
    return seq;
  }

  sendChat(text: string, mode: ChatMode): ChatResult {
    const check = checkChat(text);
    if (!check.ok) return check;
    if (!this.isOpen()) return { ok: false, reason: 'Not connected: reconnecting…' };
    this.send(CLIENT_EVENTS.localChat, { roomId: this.ticket.roomId, text: text.trim(), mode });
    return check;
  }

  sendEmote(emoteId: EmoteId): void {
    if (this.isOpen()) this.send(CLIENT_EVENTS.emote, { roomId: this.ticket.roomId, emoteId });
  }

  sendStatus(status: Status): void {
    if (this.isOpen()) this.send(CLIENT_EVENTS.setStatus, { roomId: this.ticket.roomId, status });
  }

  sendTimer({ t, ...fields }: TimerCommand): void {
    if (this.isOpen()) this.send(t, { roomId: this.ticket.roomId, ...fields } as ClientPayloads[typeof t]);
  }

  sendMusic({ t, ...fields }: MusicCommand): void {
    if (this.isOpen()) this.send(t, { roomId: this.ticket.roomId, ...fields } as ClientPayloads[typeof t]);
  }

  sendBoard({ t, ...fields }: BoardCommand): boolean {
    if (!this.isOpen()) return false;
    this.send(t, { roomId: this.ticket.roomId, ...fields } as ClientPayloads[typeof t]);
    return true;
  }

  sendSlide({ t, ...fields }: SlideCommand): boolean {
    if (!this.isOpen()) return false;
    this.send(t, { roomId: this.ticket.roomId, ...fields } as ClientPayloads[typeof t]);
    return true;
  }

  on<K extends ServerEventName>(event: K, handler: ServerHandler<K>): () => void { return this.events.on(event, handler); }
  onState(handler: (s: ConnectionState, reason?: string) => void): () => void { return this.events.onState(handler); }
  clockOffsetMs(): number { return this.clock.offsetMs; }

  private isOpen(): boolean { return this.socket?.readyState === 1; }

  private send<K extends keyof ClientPayloads>(t: K, payload: ClientPayloads[K]): void {
    this.socket!.send(encode(t, payload));
  }

  private open(): void {
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    this.events.state(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new Impl(this.ticket.edgeUrl);
    this.socket = socket;
    socket.onopen = () => {
      this.join();
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_INTERVAL_MS);
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      const { envelopes, problems } = decode(ev.data);
      for (const p of problems) console.warn('edge frame skipped:', p);
      for (const env of envelopes) this.handle(env);
    };
    socket.onclose = (ev: CloseEvent) => {
      if (this.socket !== socket) return;
      clearInterval(this.heartbeatTimer);
      this.socket = null;
      const stop = closeSentence(ev.code);
      if (stop) this.shutdown(stop);
      else if (!this.closed) this.scheduleReconnect(backoffDelay(this.attempt++, (this.options.random ?? Math.random)()));
    };
  }

  private join(): void {
    const { roomId, realtimeToken, user } = this.ticket;
    this.send(CLIENT_EVENTS.joinRoom, {
      roomId, token: realtimeToken, user, ...(this.lastMessageId ? { lastMessageId: this.lastMessageId } : {}),
    });
  }

  private heartbeat(): void {
    if (this.isOpen()) {
      this.send(CLIENT_EVENTS.heartbeat, { roomId: this.ticket.roomId, clientTimeMs: Date.now(), lastSeq: this.seq });
    }
  }

  private scheduleReconnect(delayMs: number): void {
    clearTimeout(this.reconnectTimer);
    this.events.state('reconnecting');
    this.reconnectTimer = setTimeout(() => { if (!this.closed) this.open(); }, delayMs);
  }

  private handle(env: ServerEnvelope): void {
    switch (env.t) {
      case 'room_state':
        this.attempt = 0;
        this.authRetries = 0;
        this.clock.seed(env.payload.serverTimeMs, Date.now());
        this.heartbeat();
        this.events.state('joined');
        this.joinedOnce?.resolve();
        this.joinedOnce = null;
        break;
      case 'heartbeat_ack':
        this.clock.addAck(env.payload.clientTimeMs, env.payload.serverTimeMs, Date.now());
        break;
      case 'chat_broadcast':
        this.lastMessageId = env.payload.messageId;
        break;
      case 'auth_error': {
        const sanction = sanctionSentence(env.payload);
        this.events.emit(env);
        if (sanction) this.shutdown(sanction); else void this.renew(env.payload.message);
        return;
      }
      case 'error':
        if (env.payload.code === 'room_full') {
          this.events.emit(env);
          this.shutdown(ROOM_FULL);
          return;
        }
        break;
      case 'reconnect':
        this.socket?.close(4000, 'edge asked to reconnect');
        this.socket = null;
        clearInterval(this.heartbeatTimer);
        this.scheduleReconnect(env.payload.delayMs);
        break;
      case 'moderation_action':
        if (env.payload.type !== 'mutedByMod') {
          this.events.emit(env);
          this.close();
          return;
        }
        break;
    }
    this.events.emit(env);
  }

  private async renew(message: string): Promise<void> {
    if (++this.authRetries > MAX_AUTH_RETRIES) {
      this.joinedOnce?.reject(new Error(`the edge refused the room token: ${message}`));
      this.joinedOnce = null;
      this.close();
      return;
    }
    try {
      const fresh = await this.options.renewTicket();
      const moved = fresh.edgeUrl !== this.ticket.edgeUrl;
      this.ticket = fresh;
      if (moved) {
        this.socket?.close(1000, 'moving to another edge');
        this.socket = null;
        this.open();
      } else if (this.isOpen()) {
        this.join();
      }
    } catch (err) {
      this.joinedOnce?.reject(err instanceof Error ? err : new Error(String(err)));
      this.joinedOnce = null;
      this.close();
    }
  }
}
