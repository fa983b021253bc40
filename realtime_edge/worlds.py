"""Which world a room uses.

The edge cannot read the rooms database (services share only ``virtubar``),
so the functions publish a room's world document into shared state under
``keys.room_setup(room)`` (member ``"world"``); without one the room gets the
default world of the configured template.
"""

from __future__ import annotations

from virtubar import keys
from virtubar.state import SharedState
from virtubar.world import World, WorldError, default_world, parse_world

from realtime_edge.logs import log


async def world_for(state: SharedState, room_id: str, default_template: str) -> World:
    found = (await state.members(keys.room_setup(room_id))).get("world")
    if found:
        try:
            return parse_world(found)
        except WorldError as e:
            log("bad_world", room=room_id, error=str(e))
    return default_world(default_template)
