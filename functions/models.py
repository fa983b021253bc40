"""Request and response bodies of the API (msgspec Structs, camelCase on the
wire like the realtime protocol). Limits live here, where data enters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta, Struct, field

from virtubar.tokens import Role
from virtubar.wire import AvatarLook, Platform
from virtubar.world import ObjectKind, Template

# Names are checked by ``virtubar.names`` in the handlers (NFKC first, then the
# characters and the length, naming the field); the schema only caps what is read.
DisplayName = Annotated[str, Meta(max_length=200, description="NFKC, trimmed, 1-40 characters, no control, "
                                  "direction-changing or invisible characters")]
Username = Annotated[str, Meta(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")]
Email = Annotated[str, Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Password = Annotated[str, Meta(min_length=8, max_length=256)]
RoomName = Annotated[str, Meta(max_length=400, description="NFKC, trimmed, 1-80 characters, no control, "
                               "direction-changing or invisible characters")]
Colour = Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}(?!\n)$")]  # "$" alone lets a final newline through
Id = Annotated[str, Meta(pattern=r"^[0-9a-f]{32}$")]
WorkStyle = Literal["quiet", "music", "check-ins"]


class AvatarColours(Struct, kw_only=True):
    body: Colour = "#6c8cff"
    accent: Colour = "#ffd166"


class Avatar(Struct, kw_only=True):
    model: Literal["round", "slim", "bot"] = "round"
    colors: AvatarColours = field(default_factory=AvatarColours)
    accessories: Annotated[
        list[Literal["hat", "glasses", "scarf", "headphones", "crown", "bowtie"]], Meta(max_length=4)
    ] = []


class UserOut(Struct, kw_only=True):
    id: str
    displayName: str
    username: str | None
    anonymous: bool
    role: Role
    avatar: Avatar
    look: AvatarLook | None = None  # the whole avatar worn (``PUT /api/inventory/look``)


class SessionOut(Struct, kw_only=True):
    accessToken: str
    refreshToken: str
    expiresIn: int
    user: UserOut


class AnonymousIn(Struct, kw_only=True, forbid_unknown_fields=True):
    displayName: DisplayName | None = None


class RegisterIn(Struct, kw_only=True, forbid_unknown_fields=True):
    email: Email
    username: Username
    password: Password
    displayName: DisplayName | None = None


class LoginIn(Struct, kw_only=True, forbid_unknown_fields=True):
    login: Annotated[str, Meta(min_length=1, max_length=254)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class RefreshIn(Struct, kw_only=True, forbid_unknown_fields=True):
    refreshToken: Annotated[str, Meta(min_length=1, max_length=200)]


class ProfilePatch(Struct, kw_only=True, forbid_unknown_fields=True):
    displayName: DisplayName | None = None
    avatar: Avatar | None = None


class RoomOut(Struct, kw_only=True):
    id: str
    name: str
    template: Template
    capacity: int
    public: bool
    ownerId: str | None
    occupancy: int
    createdAt: datetime
    workStyle: WorkStyle | None = None
    timerHostsOnly: bool = False
    eventRoom: bool = False
    builders: list[str] = []
    """The players the owner lets change the room's world (``functions/builders.py``)."""


Word = Annotated[str, Meta(min_length=2, max_length=40, pattern=r"^\S+$")]
ChatFilter = Annotated[list[Word], Meta(max_length=500)]


class RoomDetail(RoomOut, kw_only=True):
    world: dict[str, Any]
    chatFilter: list[str]


class RoomPage(Struct, kw_only=True):
    items: list[RoomOut]
    total: int
    limit: int
    offset: int


Capacity = Annotated[int, Meta(ge=1, le=500)]


class RoomIn(Struct, kw_only=True, forbid_unknown_fields=True):
    name: RoomName
    template: Template
    capacity: Capacity | None = None
    public: bool = True
    world: dict[str, Any] | None = None
    chatFilter: ChatFilter = []
    workStyle: WorkStyle | None = None
    timerHostsOnly: bool = False


MAX_BUILDERS = 50
"""An owner lets a crew build, not a crowd (``functions/builders.py``)."""
Builders = Annotated[list[Id], Meta(max_length=MAX_BUILDERS, description="user ids; the owner only")]


class RoomPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    name: RoomName | None = None
    capacity: Capacity | None = None
    public: bool | None = None
    world: dict[str, Any] | None = None
    chatFilter: ChatFilter | None = None
    workStyle: WorkStyle | None = None
    timerHostsOnly: bool | None = None
    eventRoom: bool | None = None
    builders: Builders | None = None


class JoinIn(Struct, kw_only=True, forbid_unknown_fields=True):
    roomId: Id | None = None
    template: Template | None = None
    platform: Platform = "desktop"
    region: Annotated[str, Meta(pattern=r"^[a-z0-9-]{1,32}$")] | None = None


class IceServer(Struct, kw_only=True, omit_defaults=True):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class JoinOut(Struct, kw_only=True):
    roomId: str
    room: RoomOut
    realtimeToken: str
    voiceToken: str
    edgeUrl: str
    sfuUrl: str
    iceServers: list[IceServer]
    expiresIn: int
    world: dict[str, Any]


class Health(Struct, kw_only=True):
    status: Literal["ok"]
    version: str
    database: str


# Safety and moderation ---------------------------------------------------

Reason = Annotated[str, Meta(min_length=1, max_length=500)]
ReportCategory = Literal["harassment", "hate", "spam", "sexual", "violence", "cheating", "other"]
EvidenceType = Literal["image/png", "image/jpeg", "image/webp", "video/webm", "audio/webm", "text/plain"]
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class BlockIn(Struct, kw_only=True, forbid_unknown_fields=True):
    userId: Id


class BlockOut(Struct, kw_only=True):
    userId: str
    displayName: str
    createdAt: datetime


class FriendRequestIn(Struct, kw_only=True, forbid_unknown_fields=True):
    userId: Id


FriendState = Literal["none", "friends", "outgoing", "incoming", "blocked"]


class FriendRoom(Struct, kw_only=True):
    id: str
    name: str
    template: Template


class FriendOut(Struct, kw_only=True):
    """A friend as I may see them: ``room`` only when I may enter it and
    they are not inside a private zone (else ``online`` alone)."""

    userId: str
    displayName: str
    look: AvatarLook
    online: bool = False
    room: FriendRoom | None = None
    since: datetime | None = None


class FriendRequestOut(Struct, kw_only=True):
    userId: str
    displayName: str
    state: FriendState
    createdAt: datetime


class FriendsOut(Struct, kw_only=True):
    friends: list[FriendOut]
    incoming: list[FriendRequestOut]
    outgoing: list[FriendRequestOut]


class PersonRef(Struct, kw_only=True):
    userId: str
    displayName: str


class ProfileCardOut(Struct, kw_only=True):
    """What a player's card shows me: who they are, our friendship, the
    friends we share (never someone either of us blocked)."""

    userId: str
    displayName: str
    role: Role
    look: AvatarLook
    friendship: FriendState
    mutualFriends: list[PersonRef]


ItemId = Annotated[str, Meta(pattern=r"^[a-z]{2,8}:[a-z]{2,12}$", description="slot:name, e.g. hat:crown")]


class ItemOut(Struct, kw_only=True):
    id: str
    slot: Literal["hair", "outfit", "hat"]
    name: str
    starter: bool
    owned: bool


class InventoryOut(Struct, kw_only=True):
    """Every cosmetic there is, which I own, and the look I wear."""

    items: list[ItemOut]
    look: AvatarLook


class GrantIn(Struct, kw_only=True, forbid_unknown_fields=True):
    userId: Id
    itemId: ItemId
    reason: Annotated[str, Meta(min_length=1, max_length=500)]


class GrantOut(Struct, kw_only=True):
    userId: str
    itemId: str
    grantedAt: datetime


class EvidenceIn(Struct, kw_only=True, forbid_unknown_fields=True):
    contentType: EvidenceType
    size: Annotated[int, Meta(ge=1, le=MAX_EVIDENCE_BYTES)]


class ReportIn(Struct, kw_only=True, forbid_unknown_fields=True):
    targetUserId: Id
    roomId: Id | None = None
    category: ReportCategory
    text: Annotated[str, Meta(max_length=2000)] = ""
    evidence: EvidenceIn | None = None


class Upload(Struct, kw_only=True):
    """Where to send the evidence file: a form POST (S3) or a PUT (local)."""

    method: Literal["POST", "PUT"]
    url: str
    fields: dict[str, str] = {}
    headers: dict[str, str] = {}
    maxBytes: int
    expiresIn: int


class ReportOut(Struct, kw_only=True):
    id: str
    reporterId: str
    targetUserId: str
    roomId: str | None
    category: str
    text: str
    status: Literal["open", "resolved", "dismissed"]
    resolution: str | None
    hasEvidence: bool
    createdAt: datetime
    upload: Upload | None = None


class ReportPage(Struct, kw_only=True):
    items: list[ReportOut]
    total: int


class ResolveIn(Struct, kw_only=True, forbid_unknown_fields=True):
    status: Literal["resolved", "dismissed"]
    resolution: Annotated[str, Meta(min_length=1, max_length=2000)]


class ActionIn(Struct, kw_only=True, forbid_unknown_fields=True):
    type: Literal["kick", "ban", "unban", "mute", "unmute"]
    userId: Id
    roomId: Id | None = None
    durationS: Annotated[int, Meta(ge=1, le=365 * 24 * 3600)] | None = None
    channels: Literal["chat", "voice", "all"] = "all"
    reason: Reason


class ActionOut(Struct, kw_only=True):
    id: str
    type: str
    userId: str
    roomId: str | None
    expiresAt: datetime | None


class AuditOut(Struct, kw_only=True):
    id: str
    actorId: str
    action: str
    targetUserId: str | None
    roomId: str | None
    reason: str
    details: dict[str, Any]
    createdAt: datetime


class AuditPage(Struct, kw_only=True):
    items: list[AuditOut]
    total: int


class RoleIn(Struct, kw_only=True, forbid_unknown_fields=True):
    userId: Id
    role: Literal["player", "moderator"]
    reason: Reason


# Focus sessions and preferences -------------------------------------------

MAX_GOALS = 10
GoalText = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$")]
Achievement = Literal["first_session", "all_goals_done", "streak_3", "four_today", "deep_focus"]
SessionStatus = Literal["open", "completed", "abandoned"]


class FocusSessionIn(Struct, kw_only=True, forbid_unknown_fields=True):
    roomId: Id
    goals: Annotated[list[GoalText], Meta(max_length=MAX_GOALS)] = []
    shareGoals: bool = False


class FocusSessionPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    """``done``: one flag per goal, in the order they were declared."""

    progress: Annotated[int, Meta(ge=0, le=100)] | None = None
    done: Annotated[list[bool], Meta(max_length=MAX_GOALS)] | None = None
    shareGoals: bool | None = None


class Goal(Struct, kw_only=True):
    text: str
    done: bool = False


class FocusSessionOut(Struct, kw_only=True):
    id: str
    roomId: str
    goals: list[Goal]
    progress: int
    shareGoals: bool
    status: SessionStatus
    achievements: list[str]
    startedAt: datetime
    endedAt: datetime | None
    minutes: int


class FocusTotals(Struct, kw_only=True):
    """``focusedMinutesThisWeek``: minutes of sessions completed since Monday
    (the player's local time); ``streakDays``: consecutive days, up to today
    or yesterday, each with a completed session."""

    focusedMinutesThisWeek: int
    sessionsCompleted: int
    streakDays: int


class FocusHistory(Struct, kw_only=True):
    items: list[FocusSessionOut]
    total: int
    limit: int
    offset: int
    totals: FocusTotals


class NotificationSettings(Struct, kw_only=True, forbid_unknown_fields=True):
    phaseEndSound: bool = True
    browserNotification: bool = False
    volume: Annotated[int, Meta(ge=0, le=100)] = 60


class AccessibilitySettings(Struct, kw_only=True, forbid_unknown_fields=True):
    reducedMotion: bool = False
    highContrast: bool = False
    captions: bool = False  # emotes and status changes also as text
    largerText: bool = False


class MusicPreferences(Struct, kw_only=True, forbid_unknown_fields=True):
    """The rooms' music: ``on`` false plays none at all."""

    on: bool = True
    volume: Annotated[int, Meta(ge=0, le=100)] = 70


class Preferences(Struct, kw_only=True, forbid_unknown_fields=True):
    """Also the body of ``PUT /api/users/preferences`` (a whole document)."""

    workStyle: WorkStyle | None = None
    preferredCategories: Annotated[list[Template], Meta(max_length=4)] = []
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    accessibility: AccessibilitySettings = field(default_factory=AccessibilitySettings)
    music: MusicPreferences = field(default_factory=MusicPreferences)


# Scheduled focus sessions ---------------------------------------------------

Title = Annotated[str, Meta(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")]


class ScheduleIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """Work ``duration`` then break ``breakDuration`` (minutes), ``cycles``
    times, no break after the last work; ``capacity``: places to RSVP
    (the room's capacity unless given, never more)."""

    roomId: Id
    title: Title
    startsAt: Annotated[datetime, Meta(tz=True)]
    duration: Annotated[int, Meta(ge=1, le=180)] = 50
    breakDuration: Annotated[int, Meta(ge=1, le=60)] | None = 10
    cycles: Annotated[int, Meta(ge=1, le=12)] = 1
    capacity: Capacity | None = None


class ScheduledOut(Struct, kw_only=True):
    id: str
    roomId: str
    roomName: str
    hostId: str
    title: str
    startsAt: datetime
    endsAt: datetime
    duration: int
    breakDuration: int | None
    cycles: int
    capacity: int
    going: int
    attending: bool


class SchedulePage(Struct, kw_only=True):
    items: list[ScheduledOut]


# Music -------------------------------------------------------------------

TrackTitle = Annotated[str, Meta(max_length=400, description="NFKC, trimmed, 1-80 characters")]
TrackStatus = Literal["pending", "ready"]
MAX_PLAYLIST_TRACKS = 200


class TrackIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A track about to be uploaded: its title and size in bytes (the size
    is held at storage too; type and duration are read from the bytes)."""

    title: TrackTitle
    size: Annotated[int, Meta(ge=1)]


class TrackOut(Struct, kw_only=True):
    id: str
    roomId: str | None  # None: a house track, in every room's library
    title: str
    status: TrackStatus
    contentType: str | None
    durationMs: int | None
    size: int
    uploaderId: str | None
    url: str  # where a player's browser plays it (no credentials needed: the id is unguessable)
    createdAt: datetime


class TrackUpload(Struct, kw_only=True):
    track: TrackOut
    upload: Upload


class TrackPage(Struct, kw_only=True):
    items: list[TrackOut]


class MusicSettings(Struct, kw_only=True, forbid_unknown_fields=True):
    membersAddTracks: bool


PlaylistTracks = Annotated[list[Id], Meta(max_length=MAX_PLAYLIST_TRACKS)]


class PlaylistIn(Struct, kw_only=True, forbid_unknown_fields=True):
    name: RoomName
    trackIds: PlaylistTracks = []
    default: bool = False


class PlaylistPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    name: RoomName | None = None
    trackIds: PlaylistTracks | None = None
    default: bool | None = None


class PlaylistOut(Struct, kw_only=True):
    id: str
    roomId: str
    name: str
    trackIds: list[str]
    default: bool
    createdAt: datetime


class PlaylistPage(Struct, kw_only=True):
    items: list[PlaylistOut]
ObjectLabel = Annotated[str, Meta(min_length=1, max_length=80)]
Metres = Annotated[float, Meta(ge=0, le=100_000)]
Extent = Annotated[float, Meta(gt=0, le=1_000)]
Turn = Annotated[float, Meta(ge=-1_000, le=1_000)]
ObjectConfig = Annotated[dict[str, Any], Meta(description="The kind's own settings (at most 4 KiB of JSON)")]


class ObjectIn(Struct, kw_only=True, forbid_unknown_fields=True):
    kind: ObjectKind
    x: Metres
    z: Metres
    w: Extent = 1.0
    d: Extent = 1.0
    rot: Turn = 0.0
    label: ObjectLabel | None = None
    config: ObjectConfig = {}


class ObjectPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    x: Metres | None = None
    z: Metres | None = None
    w: Extent | None = None
    d: Extent | None = None
    rot: Turn | None = None
    label: ObjectLabel | None = None
    config: ObjectConfig | None = None


class ObjectOut(Struct, kw_only=True):
    id: str
    roomId: str
    kind: str
    x: float
    z: float
    w: float
    d: float
    rot: float
    label: str | None
    config: dict[str, Any]
    createdAt: datetime


class ObjectList(Struct, kw_only=True):
    items: list[ObjectOut]


class BoardOut(Struct, kw_only=True):
    """A whiteboard's whole Yjs document as one update (base64)."""

    roomId: str
    objectId: str
    update: bytes
    size: int


class WorldVersionOut(Struct, kw_only=True, omit_defaults=True):
    """One saved world of a room; ``current`` is the one the room shows."""

    id: str
    roomId: str
    name: str
    source: Literal["create", "edit", "import", "migrated"]
    current: bool
    createdAt: datetime
    parentId: str | None = None
    createdById: str | None = None


class WorldVersionPage(Struct, kw_only=True):
    items: list[WorldVersionOut]
    total: int
    limit: int
    offset: int


class WorldImportOut(Struct, kw_only=True):
    """The imported map as the room's new current world."""

    version: WorldVersionOut
    world: dict[str, Any]
    assets: list[str]  # sha256 ids of its images, served at /api/assets/{id}


class SlideOut(Struct, kw_only=True):
    id: str
    url: str  # under the API, cached for good
    contentType: str
    size: int


class SlideDeck(Struct, kw_only=True):
    """A screen's slides in order; which one shows is the edge's (``show_slide``)."""

    objectId: str
    slides: list[SlideOut]
