"""What the functions publish for the edge in shared state (the edge cannot
read the database): a room's world (in ``keys.room_setup``; the chat feature
reads its chat filter from there) and a player's active sanctions
(``keys.user_sanctions``) and blocks (``keys.user_blocks``). Whether a join
is admitted at all is ``virtubar.moderation.Admission``'s to say."""

from __future__ import annotations

import functools

from realtime_edge.logs import log
from virtubar import keys, wire
from virtubar.moderation import SanctionInfo, in_force
from virtubar.state import SharedState
from virtubar.world import World, WorldError, parse_world


async def room_world(state: SharedState, room_id: str) -> World | None:
    """The room's world (None: none published, or it does not parse)."""
    found = (await state.members(keys.room_setup(room_id))).get("world")
    return _world(room_id, found) if found else None


@functools.lru_cache(maxsize=256)
def _world(room_id: str, data: bytes) -> World | None:
    """Parsed once per document: every room's setup is re-read every few seconds."""
    try:
        return parse_world(data)
    except WorldError as e:
        log("bad_world", room=room_id, error=str(e))
        return None


async def revoked(state: SharedState, user_id: str, issued_at: int) -> bool:
    """Whether the player's tokens issued up to ``issued_at`` were revoked (``keys.user_revoked``)."""
    mark = (await state.members(keys.user_revoked(user_id))).get("at")
    return mark is not None and issued_at <= int(mark)


async def sanctions(state: SharedState, user_id: str, room_id: str) -> list[SanctionInfo]:
    """The player's sanctions in force in the room."""
    return in_force((await state.members(keys.user_sanctions(user_id))).values(), room_id, wire.now_ms())


async def blocked_by(state: SharedState, user_id: str) -> frozenset[str]:
    """The players ``user_id`` blocked (``keys.user_blocks``)."""
    return frozenset(await state.members(keys.user_blocks(user_id)))


def chat_muted(found: list[SanctionInfo]) -> bool:
    return any(s.silences("chat") for s in found)
