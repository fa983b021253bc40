"""Names of shared-state keys and streams.

Everything about one room carries the ``{room:ID}`` hash tag so that a room's
keys and streams land in one Redis Cluster slot (multi-key reads stay legal).
"""


def room_members(room_id: str) -> str:
    """Live members and seat reservations of a room (expiring set)."""
    return f"{{room:{room_id}}}:members"


def room_sfu(room_id: str, region: str) -> str:
    """The SFU node that serves a room in a region (sticky, expiring)."""
    return f"{{room:{room_id}}}:sfu:{region}"


def room_setup(room_id: str) -> str:
    """What a room is, published by the functions at each join for the edge
    and the SFU (which cannot read the database): an expiring set with
    member ``"world"`` (the world document), ``"chatFilter"`` (a JSON
    list of words masked in its chat) and ``"capacity"`` (a JSON number: the
    most members the edge admits)."""
    return f"{{room:{room_id}}}:setup"


def room_seat(room_id: str, object_id: str) -> str:
    """Who holds an exclusive seat or door of a room (sticky, expiring; the
    holder's node refreshes it)."""
    return f"{{room:{room_id}}}:seat:{object_id}"


def room_stream(room_id: str) -> str:
    """The room's event stream: moves, chat, presence, bridged between edge nodes."""
    return f"{{room:{room_id}}}:events"


def room_focus_sessions(room_id: str) -> str:
    """The room's open focus sessions as others see them (expiring set;
    member = user id, data = ``wire.FocusSessionSummary``), written by the
    functions, read by the edge for ``room_state``."""
    return f"{{room:{room_id}}}:focus"


def nodes(kind: str) -> str:
    """The registry of live nodes of a kind (``edge`` or ``sfu``)."""
    return f"{{nodes:{kind}}}"


def user_sanctions(user_id: str) -> str:
    """A player's active bans and mutes (expiring set; member = sanction id,
    data = ``moderation.SanctionInfo``), read by edges and SFUs at join."""
    return f"{{user:{user_id}}}:sanctions"


def user_blocks(user_id: str) -> str:
    """The players this player blocked (expiring set; member = user id)."""
    return f"{{user:{user_id}}}:blocks"


def user_revoked(user_id: str) -> str:
    """When a player's tokens were revoked (expiring set; member ``"at"`` =
    Unix seconds as text): tokens issued then or before are refused, by the
    API and by the edge at join (the account was erased or merged)."""
    return f"{{user:{user_id}}}:revoked"


CONTROL_STREAM = "control"
"""Moderation actions published by the functions, consumed by edges and SFUs."""


def room_timer(room_id: str) -> str:
    """The focus room's shared timer (sticky, expiring; changed only by
    ``swap``, so of two nodes completing one phase one wins)."""
    return f"{{room:{room_id}}}:timer"


def room_schedule(room_id: str) -> str:
    """The room's upcoming scheduled sessions, mirrored by the functions for
    the edge (expiring set; member = session id, data = ``focus.ScheduledTimer``)."""
    return f"{{room:{room_id}}}:schedule"


SANCTIONS_LOADED = "{sanctions}:loaded"
"""Set by the functions once every active ban, mute, kick cool-down and
block in the database is in shared state (member ``"generation"``); gone
with a data loss, which is how nodes know to ask for a rebuild."""


def room_music(room_id: str) -> str:
    """The room's music library as the jukebox needs it, mirrored by the
    functions (expiring set): member ``music_track(id)`` = ``wire.TrackInfo``
    (the duration the server read from the file), member ``MUSIC_PLAYLIST`` =
    the default playlist's track ids (JSON list)."""
    return f"{{room:{room_id}}}:music"


def music_track(track_id: str) -> str:
    return f"track:{track_id}"


MUSIC_PLAYLIST = "playlist"


def room_jukebox(room_id: str) -> str:
    """The room's jukebox: what plays since when, the queue, the votes
    (sticky, expiring; changed only by ``swap``, as the timer is)."""
    return f"{{room:{room_id}}}:jukebox"


def user_rooms(user_id: str) -> str:
    """The rooms a player was last admitted to (expiring set; member = room
    id), written by the functions at each join so a friend's room can be
    found without reading every room; whether the player is really there is
    then read from ``room_members``."""
    return f"{{user:{user_id}}}:rooms"


def room_slides(room_id: str) -> str:
    """The slide each screen of the room shows (member: the screen's id,
    data: the slide's index); kept while the room is used."""
    return f"{{room:{room_id}}}:slides"
