/** The room features a template's world carries, mounted beside the room
 * view: the focus room's goals panel and timer ring, the jukebox, the
 * whiteboards. Each is its own module; this only decides which a room gets. */
import type { Api } from '../api/client';
import { mountBoards, type Boards } from '../board/panel';
import type { SessionsApi } from '../focus/sessions';
import { SessionsPanel } from '../focus/sessionsPanel';
import { mountTimerRing, type TimerAccess } from '../focus/timerRing';
import { mountJukebox } from '../music/jukebox';
import type { JoinTicket, RealtimeProvider } from '../net/realtime/types';
import type { World } from '../world/world';
import { mountPortals, type Destination } from './portals';
import { mountMinimap } from './minimap';
import type { Stage } from '../render/stage';

export interface FeatureHost {
  root: HTMLElement;
  /** Where panels that must not cover the room's controls go (the video tiles' column). */
  column: HTMLElement;
  world: World;
  ticket: JoinTicket;
  provider: RealtimeProvider;
  timerAccess?: TimerAccess;
  sessions?: SessionsApi;
  music?: Api;
  position(): { x: number; z: number };
  nearSpeaking(): boolean;
  nameOf(userId: string): string;
  /** Whom this player blocked here: their whiteboard strokes and items are not drawn. */
  blocked: ReadonlySet<string>;
  /** The 3D stage (the hearing ring lies on its floor). */
  stage?: Stage;
  /** Where the players drawn in the room stand (the mini-map). */
  people?(): Iterable<{ x: number; z: number }>;
  /** Puts the player at (x, z) of this room at once (a portal to a zone). */
  teleport(x: number, z: number): void;
  /** Joins another room through a portal; resolves with why not (absent offline). */
  travel?(to: Destination): Promise<string | null>;
}

/** Mounts the room's features; returns the whiteboards and what stops them all. */
export function mountFeatures(h: FeatureHost): { boards: Boards; stops: (() => void)[] } {
  const stops: (() => void)[] = [];
  const focus = h.world.template === 'focus';
  if (h.sessions && focus) void new SessionsPanel(h.column, h.sessions, h.ticket.roomId).open();
  if (focus) stops.push(mountTimerRing(h.root, h.provider, h.timerAccess ?? { owner: true, hostsOnly: false }));
  if (h.music && h.world.objects?.some((b) => b.kind === 'jukebox')) {
    stops.push(mountJukebox(h.root, { api: h.music, provider: h.provider, world: h.world, roomId: h.ticket.roomId,
      me: h.ticket.user.userId, position: h.position, nearSpeaking: h.nearSpeaking, nameOf: h.nameOf,
      owner: h.timerAccess?.owner }));
  }
  const boards = mountBoards({ root: h.root, provider: h.provider, world: h.world, userId: h.ticket.user.userId,
    displayName: h.ticket.user.displayName, position: h.position, blocked: h.blocked });
  stops.push(boards.stop, mountPortals(h), mountMinimap(h));
  return { boards, stops };
}
