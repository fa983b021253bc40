/** The realtime seam (seed 001 §7): every provider speaks these envelopes and
 * payloads, exactly as virtubar/wire.py defines them. */
import type { ANIMS, CHAT_MODES, EMOTES, SERVER_EVENTS, STATUSES } from './constants';

export type Anim = (typeof ANIMS)[number];
export type EmoteId = (typeof EMOTES)[number];
export type ChatMode = (typeof CHAT_MODES)[number];
export type Status = (typeof STATUSES)[number];
export type Platform = 'desktop' | 'mobile' | 'vr';

export interface Envelope<T extends string = string, P = unknown> { v: 1; t: T; ts: number; payload: P }

export interface UserRef { userId: string; displayName: string; avatarId: string }

// Client → server
export interface JoinRoom { roomId: string; user?: UserRef; token?: string; lastMessageId?: string }
export interface Heartbeat { roomId: string; clientTimeMs: number; lastSeq: number }
export interface AvatarTransform {
  roomId: string; seq: number; x: number; y: number; z: number; rotY: number; anim: Anim; speaking: boolean;
}
export interface LocalChat { roomId: string; text: string; mode: ChatMode }
export interface Emote { roomId: string; emoteId: EmoteId }
export interface SetStatus { roomId: string; status: Status }

// Server → client
export interface Member {
  userId: string; displayName: string; avatarId: string; x?: number; y?: number; z?: number; rotY?: number;
  anim?: Anim; speaking?: boolean; zoneId?: string | null; status?: Status | null;
}
export interface ServerPayloads {
  room_state: { roomId: string; serverTimeMs: number; members: Member[]; zoneId?: string | null };
  member_joined: { member: Member };
  member_left: { userId: string };
  avatar_transform_broadcast: {
    userId: string; seq: number; x: number; y: number; z: number; rotY: number; anim?: Anim; speaking?: boolean;
  };
  chat_broadcast: { userId: string; text: string; messageId: string; mode?: ChatMode };
  emote_broadcast: { userId: string; emoteId: EmoteId };
  moderation_action: { type: 'kicked' | 'banned' | 'mutedByMod'; reason?: string };
  auth_error: { code: string; message: string };
  error: { code: string; message: string; event?: string | null };
  heartbeat_ack: { clientTimeMs: number; serverTimeMs: number };
  position_correction: { seq: number; x: number; y: number; z: number; reason: 'bounds' | 'wall' | 'speed' | 'climb' | 'occupied' | 'zone_full' };
  zone_changed: { userId: string; zoneId: string | null; previousZoneId?: string | null };
  status_changed: { userId: string; status: Status };
  chat_gap: { lastMessageId: string };
  reconnect: { delayMs: number; reason?: string };
}
export type ServerEventName = (typeof SERVER_EVENTS)[keyof typeof SERVER_EVENTS];
export type ServerEnvelope = { [K in ServerEventName]: Envelope<K, ServerPayloads[K]> }[ServerEventName];
export type ServerHandler<K extends ServerEventName> = (payload: ServerPayloads[K], envelope: Envelope<K, ServerPayloads[K]>) => void;

export type ConnectionState = 'connecting' | 'joined' | 'reconnecting' | 'closed';

/** What a provider needs to enter a room: the answer of POST /api/rooms/join. */
export interface JoinTicket {
  roomId: string; realtimeToken: string; edgeUrl: string; user: UserRef; platform: Platform;
}

/** Local transform as the game loop produces it (seq and roomId are added by the provider). */
export interface TransformInput { x: number; y: number; z: number; rotY: number; anim: Anim; speaking: boolean }

export type ChatResult = { ok: true } | { ok: false; reason: string };

export interface RealtimeProvider {
  readonly kind: 'ws' | 'sim';
  /** Opens the connection and sends join_room; resolves on the first room_state. */
  connect(ticket: JoinTicket): Promise<void>;
  close(): void;
  /** Sends at most TRANSFORM_HZ[platform] per second; returns the seq sent, or null when throttled. */
  sendTransform(t: TransformInput, nowMs: number): number | null;
  sendChat(text: string, mode: ChatMode): ChatResult;
  sendEmote(emoteId: EmoteId): void;
  sendStatus(status: Status): void;
  on<K extends ServerEventName>(event: K, handler: ServerHandler<K>): () => void;
  onState(handler: (state: ConnectionState) => void): () => void;
  /** Server clock minus local clock (ms), from heartbeat_ack. */
  clockOffsetMs(): number;
}
