"""The realtime wire contract, written down in ``docs/protocol.md``: the
original protocol's envelope and events, kept exactly, and the additions.

Every message is ``{"v": 1, "t": name, "ts": ms, "payload": {...}}``. Each event
is a payload Struct; ``Envelope`` types are derived from them so that one decode
validates envelope and payload together (a tagged union on ``t``).

Additions are new events or new optional fields, never renames.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, ClassVar, Literal, Union

import msgspec
from msgspec import Meta, Struct

from virtubar.world import World

PROTOCOL_VERSION = 1
CHAT_MAX_CHARS = 240
MAX_MESSAGE_BYTES = 16 * 1024
BOARD_AWARENESS_MAX_BYTES = 1024

Id = Annotated[str, Meta(min_length=1, max_length=64)]
Name = Annotated[str, Meta(min_length=1, max_length=40)]
Coord = Annotated[float, Meta(ge=-100_000, le=100_000)]
Angle = Annotated[float, Meta(ge=-1_000, le=1_000)]
Seq = Annotated[int, Meta(ge=0, le=2**53)]
Anim = Literal["idle", "walk", "dance", "wave", "sit"]
EmoteId = Literal["cheers", "laugh", "clap", "wave", "heart", "thumbs_up", "shrug", "dance"]
ChatMode = Literal["local", "zone", "room"]
Platform = Literal["desktop", "mobile", "vr"]
Status = Literal["working", "break", "away"]
CorrectionReason = Literal["bounds", "wall", "speed", "climb", "occupied", "zone_full"]
TimerType = Literal["work", "break"]
TimerMinutes = Annotated[int, Meta(ge=1, le=180)]
"""A timer phase's length in minutes (a test setting of the edge may shorten the minute)."""


class Event(Struct, kw_only=True, omit_defaults=True):
    """A payload. ``name`` is the event's ``t`` on the wire."""

    name: ClassVar[str]


# Client → server ------------------------------------------------------------


class UserRef(Struct, kw_only=True, omit_defaults=True):
    userId: Id
    displayName: Name
    avatarId: Id


class JoinRoom(Event):
    """The original join, plus ``token`` (the realtime token of
    ``POST /api/rooms/join``) and ``lastMessageId`` (chat recovery on rejoin)."""

    name = "join_room"
    roomId: Id
    user: UserRef | None = None
    token: Annotated[str, Meta(max_length=4096)] = ""
    lastMessageId: Annotated[str, Meta(max_length=64)] | None = None


class Heartbeat(Event):
    name = "heartbeat"
    roomId: Id
    clientTimeMs: int
    lastSeq: Seq = 0


class AvatarTransform(Event):
    name = "avatar_transform"
    roomId: Id
    seq: Seq
    x: Coord
    y: Coord
    z: Coord
    rotY: Angle
    anim: Anim = "idle"
    speaking: bool = False


class LocalChat(Event):
    name = "local_chat"
    roomId: Id
    text: Annotated[str, Meta(min_length=1, max_length=CHAT_MAX_CHARS)]
    mode: ChatMode = "local"


class EmoteEvent(Event):
    name = "emote"
    roomId: Id
    emoteId: EmoteId


class SetStatus(Event):
    """Addition: a focus-room member's status."""

    name = "set_status"
    roomId: Id
    status: Status


class StartTimer(Event):
    """Addition: start the focus room's shared timer. With ``breakDuration``
    the room runs a cycle (``type`` must be ``work``): work ``duration``,
    break ``breakDuration``, repeated ``cycles`` times (0: until reset)."""

    name = "start_timer"
    roomId: Id
    duration: TimerMinutes
    type: TimerType
    breakDuration: TimerMinutes | None = None
    cycles: Annotated[int, Meta(ge=0, le=24)] = 1


class PauseTimer(Event):
    name = "pause_timer"
    roomId: Id


class ResumeTimer(Event):
    name = "resume_timer"
    roomId: Id


class ResetTimer(Event):
    """Stops the room's timer (and its cycle)."""

    name = "reset_timer"
    roomId: Id


class BoardSync(Event):
    """Addition: a y-protocols sync message (without its outer message
    type: step1, step2 or update) for the whiteboard ``objectId``. A step1
    opens the board for this socket (it then gets ``board_state`` and every
    ``board_update``); an update is stored before it is acknowledged with
    ``board_saved`` carrying the same ``id``."""

    name = "board_sync"
    roomId: Id
    objectId: Id
    data: Annotated[bytes, Meta(min_length=2, max_length=MAX_MESSAGE_BYTES)]
    id: Annotated[int, Meta(ge=0, le=2**53)] = 0


class BoardAwareness(Event):
    """Addition: a y-protocols awareness update (cursor, name, tool) on an open whiteboard; live only."""

    name = "board_awareness"
    roomId: Id
    objectId: Id
    data: Annotated[bytes, Meta(min_length=1, max_length=BOARD_AWARENESS_MAX_BYTES)]


class BoardClose(Event):
    """Addition: this socket no longer looks at the whiteboard."""

    name = "board_close"
    roomId: Id
    objectId: Id


class ShowSlide(Event):
    """Addition: show slide ``index`` (0 the first) of the deck on the screen
    ``objectId``; from a member standing in that screen's zone."""

    name = "show_slide"
    roomId: Id
    objectId: Id
    index: Annotated[int, Meta(ge=0, lt=60)]


# Server → client ------------------------------------------------------------


Colour = Annotated[str, Meta(pattern=r"^#[0-9a-f]{6}(?!\n)$")]  # lower case; "$" alone lets a final newline through
BodyShape = Literal["round", "slim", "bot"]
Hair = Literal["none", "short", "long", "bun", "mohawk"]
Outfit = Literal["tee", "hoodie", "suit", "dress"]
Hat = Literal["none", "cap", "beanie", "tophat", "crown"]


class AvatarLook(Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """Addition: the whole avatar a member is drawn with, the same in every
    view. Stored per player (``PUT /api/inventory/look``: only owned items
    can be worn) and carried by the realtime token, so a member cannot claim
    a look it does not own. ``avatarId`` stays for clients without it."""

    body: BodyShape = "round"
    skin: Colour = "#f1c27d"
    hair: Hair = "short"
    hairColour: Colour = "#3b2a1f"
    outfit: Outfit = "tee"
    outfitColour: Colour = "#ff8a5b"
    hat: Hat = "none"
    hatColour: Colour = "#2ec4b6"


class Member(Struct, kw_only=True, omit_defaults=True):
    """``look`` is an addition (absent for members whose token predates it)."""

    userId: str
    displayName: str
    avatarId: str
    look: AvatarLook | None = None
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    rotY: float = 0.0
    anim: Anim = "idle"
    speaking: bool = False
    zoneId: str | None = None
    status: Status | None = None


class FocusSessionSummary(Struct, kw_only=True, omit_defaults=True):
    """What the room sees of a member's focus session: counts always, the
    goals' text only when the owner chose to share it."""

    sessionId: str
    userId: str
    goalCount: int
    doneCount: int
    progress: int = 0
    startedAtMs: int
    goals: list[str] | None = None  # shared only
    done: list[bool] | None = None  # shared only


class RoomTimer(Struct, kw_only=True, omit_defaults=True):
    """The focus room's timer in ``room_state``: running until
    ``endsAtServerMs``, or paused with ``remaining`` ms left."""

    duration: int
    type: TimerType
    endsAtServerMs: int
    remaining: int
    paused: bool
    cycle: int
    cycles: int
    breakDuration: int | None = None
    title: str | None = None


class SlideShown(Event):
    """Addition: the screen ``objectId`` shows slide ``index`` of its deck now
    (to the whole room; a client shows it by the screen)."""

    name = "slide_shown"
    objectId: str
    index: int
    userId: str


class RoomState(Event):
    """``timer`` is an addition: the focus room's running or paused timer;
    ``music`` too: the jukebox's track playing and its queue; ``slides`` too:
    the slide each screen shows, by screen id."""

    name = "room_state"
    roomId: str
    serverTimeMs: int
    members: list[Member]
    zoneId: str | None = None
    focusSessions: list[FocusSessionSummary] | None = None
    timer: RoomTimer | None = None
    music: MusicState | None = None
    slides: dict[str, int] | None = None


class MemberJoined(Event):
    name = "member_joined"
    member: Member


class MemberLeft(Event):
    name = "member_left"
    userId: str


class AvatarTransformBroadcast(Event):
    name = "avatar_transform_broadcast"
    userId: str
    seq: int
    x: float
    y: float
    z: float
    rotY: float
    anim: Anim = "idle"
    speaking: bool = False


class ChatBroadcast(Event):
    """``mode`` and ``zoneId`` (the sender's zone) are additions;
    ``messageId`` orders messages in the room."""

    name = "chat_broadcast"
    userId: str
    text: str
    messageId: str
    mode: ChatMode = "local"
    zoneId: str | None = None


class EmoteBroadcast(Event):
    """Addition: the original protocol names the client event only."""

    name = "emote_broadcast"
    userId: str
    emoteId: EmoteId


class ModerationAction(Event):
    """``userId`` and ``roomId`` are additions: the functions publish this
    event to the control stream naming the member it is for (no ``roomId``:
    every room); the edge forwards it to that member."""

    name = "moderation_action"
    type: Literal["kicked", "banned", "mutedByMod"]
    reason: str = ""
    userId: str | None = None
    roomId: str | None = None


class AuthError(Event):
    """The token is missing, expired or for another room; the
    socket stays open so the client can fetch a new token and retry."""

    name = "auth_error"
    code: str
    message: str


class Error(Event):
    """Addition: a rejected message. Nothing else changed."""

    name = "error"
    code: str
    message: str
    event: str | None = None


class HeartbeatAck(Event):
    """Addition: server time for clock-offset estimation."""

    name = "heartbeat_ack"
    clientTimeMs: int
    serverTimeMs: int


class PositionCorrection(Event):
    """Addition: the server's correction of the sender's position."""

    name = "position_correction"
    seq: int
    x: float
    y: float
    z: float
    reason: CorrectionReason


class ZoneChanged(Event):
    """Addition: a member moved into another zone."""

    name = "zone_changed"
    userId: str
    zoneId: str | None
    previousZoneId: str | None = None


class StatusChanged(Event):
    name = "status_changed"
    userId: str
    status: Status


class ChatGap(Event):
    """Addition: after a rejoin, missed chat could not be recovered whole."""

    name = "chat_gap"
    lastMessageId: str


class Reconnect(Event):
    """Addition: the node is draining; reconnect after ``delayMs``."""

    name = "reconnect"
    delayMs: int
    reason: str = ""


class FocusSessionStarted(Event):
    """Addition: published by the functions when a member starts a focus session."""

    name = "focus_session_started"
    session: FocusSessionSummary


class FocusSessionUpdated(Event):
    name = "focus_session_updated"
    session: FocusSessionSummary


class FocusSessionCompleted(Event):
    """``completed`` False: closed by the server after the member left."""

    name = "focus_session_completed"
    session: FocusSessionSummary
    completed: bool
    achievements: list[str] = []


class TimerStarted(Event):
    """A phase of the room's timer started (``duration`` in minutes); it ends
    at ``endsAtServerMs`` on the server's clock. Additions: ``cycle`` of
    ``cycles`` (0: until reset), ``breakDuration`` and ``title`` (a
    scheduled session's)."""

    name = "timer_started"
    roomId: str
    duration: int
    type: TimerType
    endsAtServerMs: int
    cycle: int
    cycles: int
    breakDuration: int | None = None
    title: str | None = None


class TimerUpdated(Event):
    """Paused, resumed or reset: ``remaining`` ms left (0 and ``stopped``
    after a reset); ``endsAtServerMs`` (an addition) while running."""

    name = "timer_updated"
    roomId: str
    remaining: int
    paused: bool
    endsAtServerMs: int | None = None
    stopped: bool = False


class TimerCompleted(Event):
    """A phase ran out; sent once per completion, whichever node noticed."""

    name = "timer_completed"
    roomId: str
    type: TimerType


# Music: the jukebox (realtime_edge/features/jukebox.py) ------------------

MusicVote = Literal["up", "skip"]


class TrackInfo(Struct, kw_only=True, omit_defaults=True):
    """A track as the jukebox knows it: its duration is what the server read
    from the file (mirrored by the functions, ``keys.room_music``)."""

    trackId: str
    title: str
    durationMs: int
    uploaderId: str | None = None  # whose upload it is: a DJ plays their own (None: a house track)


class QueueTrack(Event):
    """Add a track of the room's library to the jukebox's queue."""

    name = "queue_track"
    roomId: Id
    trackId: Id


class Vote(Event):
    """``up``: move a queued track forward; ``skip``: vote to skip the one playing."""

    name = "vote"
    roomId: Id
    trackId: Id
    vote: MusicVote


class Dj(Event):
    """Join (``join`` true) or leave the room's DJ rotation: each DJ in turn
    plays one of their own uploads when nobody has queued a track."""

    name = "dj"
    roomId: Id
    join: bool


class PauseMusic(Event):
    """Pause (``paused`` true) or resume the track playing: the room's owner
    and moderators only. A paused track keeps its place; nothing else starts."""

    name = "pause_music"
    roomId: Id
    paused: bool


class QueuedTrack(Struct, kw_only=True, omit_defaults=True):
    trackId: str
    title: str
    durationMs: int
    byUserId: str | None = None
    upBy: list[str] = []


class NowPlaying(Struct, kw_only=True, omit_defaults=True):
    """Play from ``serverNow - startedAtServerMs`` (ms into the track); when
    ``paused``, hold at ``pausedAtServerMs - startedAtServerMs``."""

    trackId: str
    title: str
    durationMs: int
    startedAtServerMs: int
    paused: bool = False
    pausedAtServerMs: int | None = None
    byUserId: str | None = None
    skipBy: list[str] = []


class MusicState(Event):
    """The jukebox after every change, to the whole room (and in ``room_state``)."""

    name = "music_state"
    roomId: str
    nowPlaying: NowPlaying | None = None
    queue: list[QueuedTrack] = []
    serverTimeMs: int = 0
    djs: list[str] = []  # the DJ rotation, the next DJ first
class RoomObject(Struct, kw_only=True, omit_defaults=True):
    """An object of the room's world as ``room_objects_changed`` shows it
    (``config``: the kind's settings, for objects an owner placed)."""

    id: str
    kind: str
    x: float
    z: float
    w: float = 1.0
    d: float = 1.0
    rot: float = 0.0
    label: str | None = None
    config: dict[str, Any] | None = None


class RoomObjectsChanged(Event):
    """Addition: an owner placed, moved or removed an object; every object
    of the room's world now."""

    name = "room_objects_changed"
    roomId: str
    objects: list[RoomObject]


class WorldChanged(Event):
    """Addition: the room's world was republished (an owner saved it in build
    mode, or re-worlded the room); the whole document, which replaces the one
    the client drew."""

    name = "world_changed"
    roomId: str
    world: World


class BoardState(Event):
    """Addition: the answer to a ``board_sync`` step1: a step2 holding what
    the socket lacks (for an empty state vector: the whole board, in one
    message), then the edge's own step1."""

    name = "board_state"
    objectId: str
    data: bytes


class BoardUpdate(Event):
    """Addition: a stored update of an open whiteboard (a y-protocols sync
    ``update`` message), from ``userId`` (a moderator's clear too)."""

    name = "board_update"
    objectId: str
    userId: str
    data: bytes


class BoardSaved(Event):
    """Addition: the update of the sender's ``board_sync`` with this ``id`` is stored."""

    name = "board_saved"
    objectId: str
    id: int


class BoardAwarenessBroadcast(Event):
    """Addition: another viewer's awareness update (cursors); live only."""

    name = "board_awareness_broadcast"
    objectId: str
    userId: str
    data: bytes


CLIENT_EVENTS: tuple[type[Event], ...] = (
    JoinRoom,
    Heartbeat,
    AvatarTransform,
    LocalChat,
    EmoteEvent,
    SetStatus,
    StartTimer,
    PauseTimer,
    ResumeTimer,
    ResetTimer,
    QueueTrack,
    Vote,
    Dj,
    PauseMusic,
    BoardSync,
    BoardAwareness,
    BoardClose,
    ShowSlide,
)
SERVER_EVENTS: tuple[type[Event], ...] = (
    RoomState,
    MemberJoined,
    MemberLeft,
    AvatarTransformBroadcast,
    ChatBroadcast,
    EmoteBroadcast,
    ModerationAction,
    AuthError,
    Error,
    HeartbeatAck,
    PositionCorrection,
    ZoneChanged,
    StatusChanged,
    ChatGap,
    Reconnect,
    FocusSessionStarted,
    FocusSessionUpdated,
    FocusSessionCompleted,
    TimerStarted,
    TimerUpdated,
    TimerCompleted,
    MusicState,
    RoomObjectsChanged,
    WorldChanged,
    BoardState,
    BoardUpdate,
    BoardSaved,
    BoardAwarenessBroadcast,
    SlideShown,
)


def envelope_type(event: type[Event]) -> type[Struct]:
    """The envelope Struct of an event (tagged on ``t``)."""
    return msgspec.defstruct(
        f"{event.__name__}Envelope",
        [("v", Literal[1]), ("ts", int), ("payload", event)],
        tag_field="t",
        tag=event.name,
        kw_only=True,
    )


ENVELOPES: dict[type[Event], type[Struct]] = {
    e: envelope_type(e) for e in CLIENT_EVENTS + SERVER_EVENTS
}
ClientMessage = Union[tuple(ENVELOPES[e] for e in CLIENT_EVENTS)]  # type: ignore[valid-type]
ServerMessage = Union[tuple(ENVELOPES[e] for e in SERVER_EVENTS)]  # type: ignore[valid-type]
EVENT_NAMES = frozenset(e.name for e in CLIENT_EVENTS + SERVER_EVENTS)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def envelope(payload: Event, ts: int | None = None) -> Struct:
    """Wrap a payload in its envelope (``v`` = 1, ``ts`` = now unless given)."""
    return ENVELOPES[type(payload)](v=PROTOCOL_VERSION, ts=now_ms() if ts is None else ts, payload=payload)


class Codec:
    """Encodes and decodes envelopes for one direction in JSON or msgpack.

    ``decode`` raises ``msgspec.DecodeError`` / ``msgspec.ValidationError``
    with a message that names the offending field.
    """

    def __init__(self, incoming: object, binary: bool = False) -> None:
        module = msgspec.msgpack if binary else msgspec.json
        self.binary = binary
        self._decoder = module.Decoder(incoming)
        self._encoder = module.Encoder()

    def decode(self, data: bytes | str):
        decoder = self._decoder
        if isinstance(decoder, msgspec.msgpack.Decoder):
            if isinstance(data, str):  # what msgspec raises for text given to msgpack
                raise TypeError("a bytes-like object is required, not 'str'")
            return decoder.decode(data)
        return decoder.decode(data)

    def encode(self, payload: Event, ts: int | None = None) -> bytes:
        return self._encoder.encode(envelope(payload, ts))

    def encode_many(self, payloads: list[Event], ts: int | None = None) -> bytes:
        """A batch frame: a list of envelopes (one WebSocket frame, many events)."""
        stamp = now_ms() if ts is None else ts
        return self._encoder.encode([envelope(p, stamp) for p in payloads])


def server_codec(binary: bool = False) -> Codec:
    """The edge's codec: decodes client messages, encodes server messages."""
    return Codec(ClientMessage, binary)


def client_codec(binary: bool = False) -> Codec:
    """A client's codec: decodes server messages (single or batched)."""
    return Codec(Union[ServerMessage, list[ServerMessage]], binary)  # type: ignore[valid-type]
