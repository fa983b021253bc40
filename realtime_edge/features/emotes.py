"""Emotes: ``emote`` in, ``emote_broadcast`` to the sender's zone.

Live only (the volatile stream): an emote is worth nothing a minute later,
and a flood of them must never push chat out of the room's history.
"""

from __future__ import annotations

from realtime_edge.connection import Conn
from realtime_edge.entries import Spot
from realtime_edge.feature import Edge, Feature, Route, Rule
from realtime_edge.ratelimit import Budget
from realtime_edge.room import Room
from virtubar import wire

BUDGET = Budget(2.0, burst=5.0)


async def emote(edge: Edge, conn: Conn, p: wire.EmoteEvent) -> None:
    await edge.emit(conn, wire.EmoteBroadcast(userId=conn.user_id, emoteId=p.emoteId))


def sees(room: Room, e: wire.EmoteBroadcast, at: Spot | None, listener: wire.Member) -> bool:
    """The zone the sender was in, unless either blocked the other."""
    return at is not None and at.zoneId == listener.zoneId and not room.hidden(e.userId, listener.userId)


FEATURE = Feature(
    "emotes",
    routes={wire.EmoteEvent.name: Route(emote, BUDGET)},
    rules=(Rule(wire.EmoteBroadcast, sees, durable=False),),
)
