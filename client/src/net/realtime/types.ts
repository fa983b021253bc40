/** The realtime seam (docs/protocol.md): every provider speaks these envelopes and
 * payloads. The wire types are generated from virtubar/wire.py into wire.gen.ts
 * (`python -m virtubar.tsgen`); this module names them for the app. */
import type { ANIMS, CHAT_MODES, CLIENT_EVENTS, EMOTES, SERVER_EVENTS, STATUSES } from './constants';
import type * as Wire from './wire.gen';
import type { UserRef } from './wire.gen';

export type {
  AvatarTransform, ClientMessage, ClientPayloads, Heartbeat, JoinRoom, LocalChat, Member, ServerMessage,
  ServerPayloads, SetStatus, UserRef, RoomTimer, StartTimer, TimerStarted, TimerUpdated, TimerCompleted,
} from './wire.gen';
export type Emote = Wire.EmoteEvent;

export type Anim = NonNullable<Wire.AvatarTransform['anim']>;
export type EmoteId = Wire.EmoteEvent['emoteId'];
export type ChatMode = NonNullable<Wire.LocalChat['mode']>;
export type Status = Wire.SetStatus['status'];
export type Platform = 'desktop' | 'mobile' | 'vr';

/** Both ways round: a constant list that misses or invents a wire value fails to compile. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ConstantsMatchTheWire = [
  Assert<Same<(typeof ANIMS)[number], Anim>>,
  Assert<Same<(typeof EMOTES)[number], EmoteId>>,
  Assert<Same<(typeof CHAT_MODES)[number], ChatMode>>,
  Assert<Same<(typeof STATUSES)[number], Status>>,
  Assert<Same<(typeof CLIENT_EVENTS)[keyof typeof CLIENT_EVENTS], keyof Wire.ClientPayloads>>,
  Assert<Same<(typeof SERVER_EVENTS)[keyof typeof SERVER_EVENTS], keyof Wire.ServerPayloads>>,
];

export interface Envelope<T extends string = string, P = unknown> { v: 1; t: T; ts: number; payload: P }

export type ServerEventName = keyof Wire.ServerPayloads;
export type ServerEnvelope = Wire.ServerMessage;
export type ServerHandler<K extends ServerEventName> = (
  payload: Wire.ServerPayloads[K], envelope: Envelope<K, Wire.ServerPayloads[K]>,
) => void;

/** The focus room's timer commands (docs/protocol.md), without the roomId the provider adds. */
export type TimerCommand =
  | { t: 'start_timer'; duration: number; type: 'work' | 'break'; breakDuration?: number | null; cycles?: number }
  | { t: 'pause_timer' } | { t: 'resume_timer' } | { t: 'reset_timer' };

/** The jukebox's messages (docs/protocol.md, Music), without the roomId the provider adds. */
export type MusicCommand =
  | { t: 'queue_track'; trackId: string } | { t: 'vote'; trackId: string; vote: 'up' | 'skip' } | { t: 'dj'; join: boolean }
  | { t: 'pause_music'; paused: boolean };
/** A whiteboard's y-protocols messages (docs/protocol.md, "Whiteboards"), `data` in base64, without the roomId. */
export type BoardCommand =
  | { t: 'board_sync'; objectId: string; data: string; id?: number }
  | { t: 'board_awareness'; objectId: string; data: string }
  | { t: 'board_close'; objectId: string };
/** A presentation screen's slide flip (docs/protocol.md, "Presentation screens"), without the roomId. */
export type SlideCommand = { t: 'show_slide'; objectId: string; index: number };

export type ConnectionState = 'connecting' | 'joined' | 'reconnecting' | 'closed';

/** What a provider needs to enter a room: the answer of POST /api/rooms/join. */
export interface JoinTicket {
  roomId: string; realtimeToken: string; edgeUrl: string; user: UserRef; platform: Platform;
  /** The look the server carries in the token (drawn for this member at once). */
  look?: Wire.AvatarLook;
}

/** Local transform as the game loop produces it (seq and roomId are added by the provider). */
export interface TransformInput { x: number; y: number; z: number; rotY: number; anim: Anim; speaking: boolean }

export type ChatResult = { ok: true } | { ok: false; reason: string };

export interface RealtimeProvider {
  readonly kind: 'ws' | 'sim';
  /** Opens the connection and sends join_room; resolves on the first room_state. */
  connect(ticket: JoinTicket): Promise<void>;
  close(): void;
  /** Joins again on a fresh socket with a fresh ticket (after the player changed their look, which the token carries). */
  rejoin(): Promise<void>;
  /** Sends at most TRANSFORM_HZ[platform] per second; returns the seq sent, or null when throttled. */
  sendTransform(t: TransformInput, nowMs: number): number | null;
  sendChat(text: string, mode: ChatMode): ChatResult;
  sendEmote(emoteId: EmoteId): void;
  sendStatus(status: Status): void;
  sendTimer(command: TimerCommand): void;
  sendMusic(command: MusicCommand): void;
  /** False when not connected (nothing sent). */
  sendBoard(command: BoardCommand): boolean;
  /** False when not connected (nothing sent). */
  sendSlide(command: SlideCommand): boolean;
  on<K extends ServerEventName>(event: K, handler: ServerHandler<K>): () => void;
  /** `reason` comes with `closed` when the server stopped the member for good (the player's words: leave the room). */
  onState(handler: (state: ConnectionState, reason?: string) => void): () => void;
  /** Server clock minus local clock (ms), from heartbeat_ack. */
  clockOffsetMs(): number;
}
