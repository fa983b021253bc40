"""Every room feature of the edge, in one list: adding a feature is adding
its module here (and its messages to ``virtubar/wire.py`` and the client)."""

from __future__ import annotations

from realtime_edge.feature import Feature, Route, Rule
from realtime_edge.features import chat, emotes, focus_sessions, jukebox, slides, status, timer, whiteboard
from realtime_edge.room import Room
from virtubar import wire

FEATURES: tuple[Feature, ...] = (
    chat.FEATURE, emotes.FEATURE, status.FEATURE, focus_sessions.FEATURE, timer.FEATURE, jukebox.FEATURE,
    whiteboard.FEATURE, slides.FEATURE,
)

ROUTES: dict[str, Route] = {name: route for f in FEATURES for name, route in f.routes.items()}
RULES: dict[type[wire.Event], Rule] = {rule.event: rule for f in FEATURES for rule in f.rules}


def room_state(room: Room, members: list[wire.Member], zone: str | None) -> wire.RoomState:
    """The snapshot a member gets at join or on entering a zone, with what
    each feature adds to it."""
    extra = {}
    for f in FEATURES:
        if f.room_state is not None:
            extra |= f.room_state(room)
    return wire.RoomState(roomId=room.id, serverTimeMs=wire.now_ms(), members=members, zoneId=zone, **extra)


async def load(state, room: Room) -> None:
    """What every feature keeps of the room's shared state."""
    for f in FEATURES:
        if f.load is not None:
            room.data[f.name] = await f.load(state, room.id)


async def watch(edge, room: Room) -> None:
    """What every feature checks for a room hosted here, at each housekeeping pass."""
    for f in FEATURES:
        if f.watch is not None:
            await f.watch(edge, room)
