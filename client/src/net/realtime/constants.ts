/** Protocol constants of docs/protocol.md and virtubar/wire.py, shared by every
 * provider so names and limits live in one place. */

export const PROTOCOL_VERSION = 1;
export const CHAT_MAX_CHARS = 240;
export const MAX_MESSAGE_BYTES = 16 * 1024;

/** avatar_transform rate limits (messages per second). */
export const TRANSFORM_HZ = { desktop: 20, mobile: 15, vr: 20 } as const;
export const HEARTBEAT_INTERVAL_MS = 2_000;

/** Remote smoothing: render this far behind the server clock (100–200 ms). */
export const INTERPOLATION_DELAY_MS = 150;
/** A remote avatar farther than this from its target jumps there (metres). */
export const SNAP_DISTANCE = 3;
/** Frames over which a position_correction is applied to the local avatar. */
export const CORRECTION_FRAMES = 2;

export const RECONNECT_BASE_MS = 500;
export const RECONNECT_MAX_MS = 15_000;

export const CLIENT_EVENTS = {
  joinRoom: 'join_room',
  heartbeat: 'heartbeat',
  avatarTransform: 'avatar_transform',
  localChat: 'local_chat',
  emote: 'emote',
  setStatus: 'set_status',
  startTimer: 'start_timer',
  pauseTimer: 'pause_timer',
  resumeTimer: 'resume_timer',
  resetTimer: 'reset_timer',
  queueTrack: 'queue_track',
  vote: 'vote',
  dj: 'dj',
  pauseMusic: 'pause_music',
  boardSync: 'board_sync',
  boardAwareness: 'board_awareness',
  boardClose: 'board_close',
  showSlide: 'show_slide',
} as const;

export const SERVER_EVENTS = {
  roomState: 'room_state',
  memberJoined: 'member_joined',
  memberLeft: 'member_left',
  avatarTransformBroadcast: 'avatar_transform_broadcast',
  chatBroadcast: 'chat_broadcast',
  emoteBroadcast: 'emote_broadcast',
  moderationAction: 'moderation_action',
  authError: 'auth_error',
  error: 'error',
  heartbeatAck: 'heartbeat_ack',
  positionCorrection: 'position_correction',
  zoneChanged: 'zone_changed',
  statusChanged: 'status_changed',
  chatGap: 'chat_gap',
  reconnect: 'reconnect',
  focusSessionStarted: 'focus_session_started',
  focusSessionUpdated: 'focus_session_updated',
  focusSessionCompleted: 'focus_session_completed',
  timerStarted: 'timer_started',
  timerUpdated: 'timer_updated',
  timerCompleted: 'timer_completed',
  musicState: 'music_state',
  roomObjectsChanged: 'room_objects_changed',
  worldChanged: 'world_changed',
  boardState: 'board_state',
  boardUpdate: 'board_update',
  boardSaved: 'board_saved',
  boardAwarenessBroadcast: 'board_awareness_broadcast',
  slideShown: 'slide_shown',
} as const;

export const ANIMS = ['idle', 'walk', 'dance', 'wave', 'sit'] as const;
export const EMOTES = ['cheers', 'laugh', 'clap', 'wave', 'heart', 'thumbs_up', 'shrug', 'dance'] as const;
export const CHAT_MODES = ['local', 'zone', 'room'] as const;
export const STATUSES = ['working', 'break', 'away'] as const;
