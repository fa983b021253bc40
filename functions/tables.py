"""Persistent tables. Ids are 32-char hex UUIDs, the same on both engines.

Designed to grow: bans, reports, blocks, focus sessions and playlists get
their own tables (and migrations) with the issues that need them.
"""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Real, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="users"):
    id = Varchar(length=32, primary_key=True)
    display_name = Varchar(length=40)
    username = Varchar(length=32, null=True, default=None, unique=True)
    email = Varchar(length=254, null=True, default=None, unique=True)
    anonymous = Boolean(default=True)
    role = Varchar(length=16, default="player")
    avatar = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)  # erased at the player's request: a pseudonym (migration 11)
    avatar_config = JSON(null=True, default=None)  # the worn look, ``wire.AvatarLook`` (migration 12)


class Credential(Table, tablename="credentials"):
    """A password login, apart from the user so anonymous users have none."""

    user = ForeignKey(User, unique=True, on_delete=OnDelete.cascade)
    password_hash = Varchar(length=255)
    updated_at = Timestamptz(default=TimestamptzNow())


class RefreshToken(Table, tablename="refresh_tokens"):
    """One link of a rotation chain. Only a hash of the secret is stored."""

    id = Varchar(length=32, primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    family = Varchar(length=32, index=True)
    secret_hash = Varchar(length=64)
    expires_at = Timestamptz()
    rotated_at = Timestamptz(null=True, default=None)
    revoked = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class World(Table, tablename="worlds"):
    id = Varchar(length=32, primary_key=True)
    template = Varchar(length=16)
    name = Varchar(length=80)
    document = JSON()
    created_at = Timestamptz(default=TimestamptzNow())


class Room(Table, tablename="rooms"):
    id = Varchar(length=32, primary_key=True)
    name = Varchar(length=80)
    template = Varchar(length=16, index=True)
    capacity = Integer(default=30)
    public = Boolean(default=True, index=True)
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    world = ForeignKey(World, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    chat_filter = JSON(default="[]")  # words masked in this room's chat (migration 3)
    work_style = Varchar(length=16, null=True, default=None)  # quiet | music | check-ins (migration 6)
    timer_hosts_only = Boolean(default=False)  # only the owner controls the focus timer (migration 7)
    members_add_tracks = Boolean(default=False)  # any member may upload music, not only hosts (migration 8)
    event_room = Boolean(default=False)  # the DJ and the stage are heard room-wide (migration 13)


class Block(Table, tablename="blocks"):
    """``blocker`` hides ``blocked`` everywhere, both ways."""

    blocker = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    blocked = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Friendship(Table, tablename="friendships"):
    """A friend request (``accepted_at`` None) or a friendship, one row per
    pair: ``pair`` is the two ids in order, so a second request either way
    finds the first (migration 12)."""

    pair = Varchar(length=65, primary_key=True)
    requester = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    addressee = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    accepted_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class InventoryItem(Table, tablename="inventory_items"):
    """A cosmetic granted to a player beyond the starter set everyone owns
    (``functions/inventory.py``); ``id`` is user id + ":" + item id, so an
    item is owned at most once (migration 12)."""

    id = Varchar(length=80, primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    item = Varchar(length=40)
    granted_by = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Sanction(Table, tablename="sanctions"):
    """A ban or a mute, in one room (``room`` set) or everywhere; active
    until ``expires_at`` (None: permanent) unless lifted earlier."""

    id = Varchar(length=32, primary_key=True)
    kind = Varchar(length=8, index=True)  # ban | mute
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    room = Varchar(length=32, null=True, default=None, index=True)
    channels = Varchar(length=16, default="all")  # mutes: chat | voice | all
    reason = Varchar(length=500)
    expires_at = Timestamptz(null=True, default=None)
    lifted_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=32)
    created_at = Timestamptz(default=TimestamptzNow())


class Report(Table, tablename="reports"):
    id = Varchar(length=32, primary_key=True)
    reporter = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    target = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    room = Varchar(length=32, null=True, default=None, index=True)
    category = Varchar(length=24)
    text = Varchar(length=2000)
    evidence_key = Varchar(length=200, null=True, default=None)
    status = Varchar(length=12, default="open", index=True)  # open | resolved | dismissed
    resolution = Varchar(length=2000, null=True, default=None)
    resolved_by = Varchar(length=32, null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class EvidenceUpload(Table, tablename="evidence_uploads"):
    """A spent upload ticket of the local store: its key can be written once
    (the primary key refuses a second use, from any API instance)."""

    key = Varchar(length=200, primary_key=True)
    content_type = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())


class AuditEntry(Table, tablename="audit_log"):
    """Append-only: every moderation and role action, who, whom, why, when."""

    id = Varchar(length=32, primary_key=True)
    actor = Varchar(length=32, index=True)
    action = Varchar(length=24)
    target = Varchar(length=32, null=True, default=None, index=True)
    room = Varchar(length=32, null=True, default=None)
    reason = Varchar(length=500)
    details = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class FocusSession(Table, tablename="focus_sessions"):
    """A player's focus session in a room: goals declared at the start,
    checked off during, closed by completing it or by leaving the room."""

    id = Varchar(length=32, primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    room = Varchar(length=32, index=True)
    goals = JSON(default="[]")  # [{"text": ..., "done": bool}]
    progress = Integer(default=0)
    share_goals = Boolean(default=False)
    status = Varchar(length=12, default="open", index=True)  # open | completed | abandoned
    achievements = JSON(default="[]")
    started_at = Timestamptz(default=TimestamptzNow(), index=True)
    seen_at = Timestamptz(default=TimestamptzNow())  # last time the player was seen in the room
    ended_at = Timestamptz(null=True, default=None)


class UserPreferences(Table, tablename="user_preferences"):
    """How a player likes to work and be notified; one JSON document (see
    ``functions.models.Preferences``) so new settings need no migration."""

    user = ForeignKey(User, unique=True, on_delete=OnDelete.cascade)
    document = JSON(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())


class ScheduledSession(Table, tablename="scheduled_sessions"):
    """A focus session a host scheduled in a room: its timer starts by
    itself at ``starts_at`` (work ``duration``, break ``break_duration``,
    ``cycles`` times; minutes)."""

    id = Varchar(length=32, primary_key=True)
    room = ForeignKey(Room, on_delete=OnDelete.cascade, index=True)
    host = Varchar(length=32, index=True)
    title = Varchar(length=80)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz(index=True)
    duration = Integer()
    break_duration = Integer(null=True, default=None)
    cycles = Integer(default=1)
    capacity = Integer()
    created_at = Timestamptz(default=TimestamptzNow())


class Rsvp(Table, tablename="session_rsvps"):
    """A player's place in a scheduled session; ``id`` is session id + user
    id, so one player holds at most one place."""

    id = Varchar(length=64, primary_key=True)
    session = ForeignKey(ScheduledSession, on_delete=OnDelete.cascade, index=True)
    user = Varchar(length=32, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Track(Table, tablename="tracks"):
    """A music track: immutable once ``ready`` (its bytes in the track store
    under ``tracks/<id>``); ``room`` None for the house tracks every room has.
    Type and duration are what the server read from the bytes."""

    id = Varchar(length=32, primary_key=True)
    room = Varchar(length=32, null=True, default=None, index=True)
    uploader = Varchar(length=32, null=True, default=None, index=True)
    title = Varchar(length=80)
    content_type = Varchar(length=32, null=True, default=None)
    duration_ms = Integer(null=True, default=None)
    size = Integer()
    status = Varchar(length=8, default="pending", index=True)  # pending | ready
    created_at = Timestamptz(default=TimestamptzNow())


class Playlist(Table, tablename="playlists"):
    """A room's ordered list of tracks; at most one per room is its default,
    which the jukebox plays when nobody has queued anything."""

    id = Varchar(length=32, primary_key=True)
    room = ForeignKey(Room, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=80)
    tracks = JSON(default="[]")  # track ids, in order
    is_default = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


MODERATION_TABLES: tuple[type[Table], ...] = (Block, Sanction, Report, AuditEntry)
INITIAL_TABLES: tuple[type[Table], ...] = (User, Credential, RefreshToken, World, Room)
FOCUS_TABLES: tuple[type[Table], ...] = (FocusSession, UserPreferences)
SCHEDULE_TABLES: tuple[type[Table], ...] = (ScheduledSession, Rsvp)
MUSIC_TABLES: tuple[type[Table], ...] = (Track, Playlist)
PEOPLE_TABLES: tuple[type[Table], ...] = (Friendship, InventoryItem)


class RoomObject(Table, tablename="room_objects"):
    """An object an owner placed in a room (whiteboard, screen, table, ...),
    added to the room's world when it is published; ``config`` is the kind's
    own settings (JSON object)."""

    id = Varchar(length=32, primary_key=True)
    room = ForeignKey(Room, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)
    x = Real()
    z = Real()
    w = Real(default=1.0)
    d = Real(default=1.0)
    rot = Real(default=0.0)
    label = Varchar(length=80, null=True, default=None)
    config = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())


class BoardUpdate(Table, tablename="board_updates"):
    """One Yjs update of a whiteboard as it came (base64), until compaction
    folds it into the board's snapshot."""

    id = Varchar(length=32, primary_key=True)
    room = Varchar(length=32, index=True)
    board = Varchar(length=40, index=True)
    data = Text()
    size = Integer()
    author = Varchar(length=32)
    created_at = Timestamptz(default=TimestamptzNow())


class BoardSnapshot(Table, tablename="board_snapshots"):
    """A whiteboard's compacted state (one Yjs update, base64); ``version``
    grows with each compaction, which writes only over the version it read."""

    id = Varchar(length=80, primary_key=True)  # room id + ":" + object id
    room = Varchar(length=32, index=True)
    data = Text(default="")
    size = Integer(default=0)
    version = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class WorldVersion(Table, tablename="world_versions"):
    """One saved world of a room, immutable: its document is the ``worlds``
    row of the same id (never updated). ``rooms.world`` names the current
    version; a restore points it back at an older one."""

    id = Varchar(length=32, primary_key=True)
    room = Varchar(length=32, index=True)
    parent = Varchar(length=32, null=True, default=None)  # the version current when this one was saved
    created_by = Varchar(length=32, null=True, default=None)
    source = Varchar(length=16, default="edit")  # create | edit | import | migrated
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


BOARD_TABLES: tuple[type[Table], ...] = (RoomObject, BoardUpdate, BoardSnapshot)


class OidcLink(Table, tablename="oidc_links"):
    """An account signed in through an OpenID Connect provider: the
    provider's (issuer, subject) pair names one user for good; ``id`` is a
    digest of the pair, so the pair is unique on both engines."""

    id = Varchar(length=64, primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    issuer = Varchar(length=500)
    subject = Varchar(length=255)
    email = Varchar(length=254, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SignInTicket(Table, tablename="sign_in_tickets"):
    """One step of an OpenID Connect sign-in, single use and short-lived,
    kept in the database so any API instance (or Lambda) finishes what
    another began: ``kind`` "state" is an authorization request under way
    (its PKCE verifier and nonce, the guest it upgrades); "code" is the
    one-time code the client trades for the app's tokens. ``id`` is the
    state, or a digest of the code."""

    id = Varchar(length=64, primary_key=True)
    kind = Varchar(length=8)
    nonce = Varchar(length=128, null=True, default=None)
    verifier = Varchar(length=128, null=True, default=None)
    user = Varchar(length=32, null=True, default=None)  # the guest to upgrade, or whom the code signs in
    expires_at = Timestamptz(index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Slide(Table, tablename="slides"):
    """One page of a screen's slide deck: an image kept in object storage
    under ``slides/<id>`` (migration 13); ``position`` orders the deck."""

    id = Varchar(length=32, primary_key=True)
    room = ForeignKey(Room, on_delete=OnDelete.cascade, index=True)
    screen = Varchar(length=40, index=True)  # the screen object's id in the room's world
    position = Integer(default=0)
    content_type = Varchar(length=16)
    size = Integer(default=0)
    uploader = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class RoomBuilder(Table, tablename="room_builders"):
    """A player the room's owner lets change the room's world (migration 14):
    build mode, a map import, a restore of an older version."""

    room = ForeignKey(Room, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


IDENTITY_TABLES: tuple[type[Table], ...] = (OidcLink, SignInTicket)
TABLES = (INITIAL_TABLES + MODERATION_TABLES + (EvidenceUpload,) + FOCUS_TABLES + SCHEDULE_TABLES + MUSIC_TABLES
          + BOARD_TABLES + (WorldVersion,) + IDENTITY_TABLES + PEOPLE_TABLES + (Slide, RoomBuilder))
