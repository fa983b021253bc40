"""Exclusive seats and doors across nodes.

A node knows where another node's members stand only a tick (and a bus hop)
later, so two members on two nodes could step onto one seat at once. The
first claim in shared state wins: an expiring value per seat naming its
holder, refreshed by the holder's node while it sits, released when it gets
up or leaves. A crashed node stops refreshing, so its seats free themselves
after the expiry; a claim whose holder is no longer in the room (it left, or
its node died and its presence expired) is taken over at once, by one
taker (compare-and-set). A release frees only what its member still holds.
A member who reconnects where it sat claims the seat again as it joins.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from virtubar import keys
from virtubar.state import SharedState


class Seats:
    def __init__(self, state: SharedState, ttl_s: float) -> None:
        self.state, self.ttl_s = state, ttl_s

    async def take(self, room_id: str, user: str, objects: AbstractSet[str], members) -> bool:
        """Claim every object for ``user``; False (claiming none) when a
        member of the room (``members``) holds one of them."""
        taken: set[str] = set()
        for obj in sorted(objects):
            key = keys.room_seat(room_id, obj)
            holder = await self.state.swap(key, user, user, self.ttl_s)
            if holder != user and holder not in members:  # its holder is gone: take it over
                holder = await self.state.swap(key, holder, user, self.ttl_s)
            if holder != user:
                await self.release(room_id, user, taken)
                return False
            taken.add(obj)
        return True

    async def hold(self, room_id: str, user: str, objects: AbstractSet[str]) -> None:
        """Push back the expiry of the seats ``user`` sits on."""
        for obj in objects:
            await self.state.swap(keys.room_seat(room_id, obj), user, user, self.ttl_s)

    async def release(self, room_id: str, user: str, objects: AbstractSet[str]) -> None:
        """Free the seats ``user`` still holds (not those taken over since)."""
        for obj in objects:
            await self.state.release(keys.room_seat(room_id, obj), user)
