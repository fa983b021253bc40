"""Exclusive seats and doors across nodes.

A node knows where another node's members stand only a tick (and a bus hop)
later, so two members on two nodes could step onto one seat at once. The
first claim in shared state wins: an expiring value per seat naming its
holder, refreshed by the holder's node while it sits, released when it gets
up or leaves. A crashed node stops refreshing, so its seats free themselves
after the expiry; a claim whose holder is no longer in the room (it left, or
its node died and its presence expired) is taken over at once.
"""

from __future__ import annotations

from virtubar import keys
from virtubar.state import SharedState

_FREE = ""
_RELEASE_TTL_S = 0.001  # a released seat: an empty value that expires at once


class Seats:
    def __init__(self, state: SharedState, ttl_s: float) -> None:
        self.state, self.ttl_s = state, ttl_s

    async def take(self, room_id: str, user: str, objects: set[str], members) -> bool:
        """Claim every object for ``user``; False (claiming none) when a
        member of the room (``members``) holds one of them."""
        taken: set[str] = set()
        for obj in sorted(objects):
            key = keys.room_seat(room_id, obj)
            holder = await self.state.claim(key, user, self.ttl_s)
            if holder != user and holder != _FREE and holder in members:
                await self.release(room_id, user, taken)
                return False
            if holder != user:  # its holder is gone: take it over
                await self.state.assign(key, user, self.ttl_s)
            taken.add(obj)
        return True

    async def hold(self, room_id: str, user: str, objects: set[str]) -> None:
        """Push back the expiry of the seats ``user`` sits on."""
        for obj in objects:
            await self.state.claim(keys.room_seat(room_id, obj), user, self.ttl_s)

    async def release(self, room_id: str, user: str, objects: set[str]) -> None:
        for obj in objects:
            await self.state.assign(keys.room_seat(room_id, obj), _FREE, _RELEASE_TTL_S)
