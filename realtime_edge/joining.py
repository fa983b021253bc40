"""Who joins a room at the edge, and as whom.

The REST join holds a place for a player only for a while
(``Settings.reservation_s``); the place may lapse before the realtime token
is used, and a member who left may come back with its token. So the edge
counts the room's members again at ``join_room``: presence and places held,
on every node (``keys.room_members``), against the room's capacity that the
functions publish in its setup (``keys.room_setup``, member ``"capacity"``).
A member already counted there (reconnecting, or arriving on its held
place) is always let in.

A member's name and avatar come from its realtime token, never from what
the client sends: the functions normalise them, the client could send anything.
"""

from __future__ import annotations

import msgspec

from virtubar import keys, wire
from virtubar.state import SharedState
from virtubar.tokens import Claims

DEFAULT_AVATAR = "default"


async def room_capacity(state: SharedState, room_id: str) -> int | None:
    """The room's capacity as published with its setup; None when unknown (no limit)."""
    data = (await state.members(keys.room_setup(room_id))).get("capacity")
    if not data:
        return None
    try:
        capacity = msgspec.json.decode(data, type=int)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return capacity if capacity > 0 else None


async def take_place(state: SharedState, room_id: str, user: str, capacity: int | None, ttl_s: float) -> bool:
    """Hold a place for ``user`` among the room's members; False (holding
    nothing) when the room is full. Two joins racing for the last place
    may both lose, never both win."""
    if capacity is None:
        return True
    key = keys.room_members(room_id)
    present = await state.members(key)
    if user in present:
        return True
    if len(present) >= capacity:
        return False
    await state.put(key, user, b"", ttl_s)
    if len(await state.members(key)) > capacity:
        await state.drop(key, user)
        return False
    return True


def identity(claims: Claims) -> tuple[str, str, wire.AvatarLook | None]:
    """The member's display name, avatar id and look, from its token (a
    token from before the avatar claim gets the default look)."""
    return claims.name or claims.sub, claims.avatar or DEFAULT_AVATAR, claims.look
