"""Slides on presentation screens: ``show_slide`` in, ``slide_shown`` to the
room, and the slide each screen shows in ``room_state.slides``.

A member standing in a screen's zone (anyone in the room, for a screen in no
zone) flips its slides: everyone in that zone sees the same one, and a
member who joins later (or walks in) finds it in ``room_state``. The deck
itself (images) is the functions' (``functions/slides.py``); the edge keeps
only the index, in shared state (``keys.room_slides``), so every node and a
node's death keep it.
"""

from __future__ import annotations

import msgspec

from realtime_edge.connection import Conn
from realtime_edge.entries import Spot
from realtime_edge.feature import Edge, Feature, Route, Rule
from realtime_edge.ratelimit import Budget
from realtime_edge.room import Room
from realtime_edge.zones import zone_id
from virtubar import keys, wire
from virtubar.state import SharedState

NAME = "slides"
BUDGET = Budget(2.0, burst=5.0)
"""Two flips a second, five in a burst: a presenter going back and forth."""
KEEP_S = 24 * 3600


def _shown(room: Room) -> dict[str, int]:
    shown = room.data.get(NAME)
    if not isinstance(shown, dict):
        shown = room.data[NAME] = {}
    return shown


async def show(edge: Edge, conn: Conn, p: wire.ShowSlide) -> None:
    room, member = conn.joined()
    screen = next((o for o in room.world.objects if o.id == p.objectId and o.kind == "screen"), None)
    if screen is None:
        edge.refuse(conn, "unknown_screen", "there is no such screen in this room", p.name)
        return
    zone = zone_id(room.world, screen.x, screen.z)
    if zone is not None and member.zoneId != zone:
        edge.refuse(conn, "not_at_screen", "stand in the screen's zone to present on it", p.name)
        return
    await edge.state.put(keys.room_slides(room.id), p.objectId, str(p.index).encode(), KEEP_S)
    _shown(room)[p.objectId] = p.index
    await edge.emit(conn, wire.SlideShown(objectId=p.objectId, index=p.index, userId=conn.user_id))


def everyone(room: Room, event: wire.SlideShown, at: Spot | None, listener: wire.Member) -> bool:
    return True


def learn(room: Room, event: wire.SlideShown) -> None:
    _shown(room)[event.objectId] = event.index


async def load(state: SharedState, room_id: str) -> dict[str, int]:
    shown = {}
    for screen, data in (await state.members(keys.room_slides(room_id))).items():
        try:
            shown[screen] = int(msgspec.json.decode(data))
        except (msgspec.DecodeError, TypeError, ValueError):
            continue
    return shown


def room_state(room: Room) -> dict:
    shown = _shown(room)
    return {"slides": dict(shown)} if shown else {}


FEATURE = Feature(
    NAME,
    routes={wire.ShowSlide.name: Route(show, BUDGET)},
    rules=(Rule(wire.SlideShown, everyone, durable=False, learn=learn),),
    load=load,
    room_state=room_state,
)
