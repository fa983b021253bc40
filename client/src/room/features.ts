/** The room features a template's world carries, mounted beside the room
 * view: the focus room's goals panel and timer ring, the jukebox, the
 * whiteboards, the presentation screens' slides, build mode (for who may
 * change the room's world), the device settings, the redraw of a republished world and in every
 * room the people features (friends, looks, profile cards). Each is its own
 * module; this only decides which a room gets. */
import type { Api } from '../api/client';
import { mountBoards, type Boards } from '../board/panel';
import { mountBuild } from '../build/mount';
import type { SessionsApi } from '../focus/sessions';
import { SessionsPanel } from '../focus/sessionsPanel';
import { mountTimerRing, type TimerAccess } from '../focus/timerRing';
import { mountJukebox } from '../music/jukebox';
import type { JoinTicket, RealtimeProvider } from '../net/realtime/types';
import { mountPeople, type PeopleHost } from '../people/mount';
import type { Stage } from '../render/stage';
import type { VoiceSession } from '../voice/voice';
import type { Members } from './members';
import { mountScreens } from '../screens/slides';
import type { World } from '../world/world';
import { mountPortals, type Destination } from './portals';
import { mountMinimap } from './minimap';
import { mountRoomSettings } from './roomSettings';
import type { VideoRoom } from '../video/video';

export interface FeatureHost {
  root: HTMLElement;
  /** Where panels that must not cover the room's controls go (the video tiles' column). */
  column: HTMLElement;
  /** The HUD's top-bar buttons (the room's Settings button joins them). */
  tools: HTMLElement;
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
  blocked: Set<string>;
  /** Draws the room anew with another world document (it replaces `world` in place). */
  redraw(world: World): void;
  /** Build mode's Save, for who may change the room's world (its owner, admins). */
  saveWorld?: (world: World) => Promise<void>;
  stage: Stage;
  members: Members;
  voice?: VoiceSession;
  video?: VideoRoom;
  /** The mic button shows the voice's state again (another microphone was chosen). */
  refreshMic(): void;
  block(userId: string): Promise<string>;
  /** Friends, looks and profile cards (absent offline). */
  people?: PeopleHost;
  /** Where the players drawn in the room stand (the mini-map). */
  standing?(): Iterable<{ x: number; z: number }>;
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
  if (h.music && h.world.objects?.some((o) => o.kind === 'screen')) {
    stops.push(mountScreens({ root: h.root, api: h.music, provider: h.provider, world: h.world, roomId: h.ticket.roomId,
      owner: !!h.timerAccess?.owner, position: h.position }));
  }
  const boards = mountBoards({ root: h.root, provider: h.provider, world: h.world, userId: h.ticket.user.userId,
    displayName: h.ticket.user.displayName, position: h.position, blocked: h.blocked, stage: h.stage });
  stops.push(boards.stop, mountPortals(h), mountMinimap(h), mountRoomSettings(h));
  // The room's world was republished: everyone's view follows without a reload.
  stops.push(h.provider.on('world_changed', (p) => h.redraw(p.world)));
  if (h.saveWorld) stops.push(mountBuild({ root: h.root, world: h.world, provider: h.provider, save: h.saveWorld, redraw: h.redraw }));
  if (h.people) stops.push(mountPeople({ ...h, roomId: h.ticket.roomId }, h.people));
  return { boards, stops };
}
