"""Status (focus rooms): ``set_status`` in, ``status_changed`` to the room.

Live only (the volatile stream), so status changes never push chat out of
the room's history. A member who joins later reads each status from
``room_state``: it is part of the member's presence (``wire.Member.status``,
written to shared state by the member's node).
"""

from __future__ import annotations

from realtime_edge.connection import Conn
from realtime_edge.entries import Spot
from realtime_edge.feature import Edge, Feature, Route, Rule
from realtime_edge.ratelimit import Budget
from realtime_edge.room import Room
from virtubar import wire

BUDGET = Budget(1.0, burst=3.0)


async def set_status(edge: Edge, conn: Conn, p: wire.SetStatus) -> None:
    room, member = conn.joined()
    member.status = p.status
    room.dirty.add(member.userId)  # presence carries it to members who join later
    await edge.emit(conn, wire.StatusChanged(userId=member.userId, status=p.status))


def everyone(room: Room, event: wire.StatusChanged, at: Spot | None, listener: wire.Member) -> bool:
    return True


def learn(room: Room, p: wire.StatusChanged) -> None:
    if (m := room.members.get(p.userId)) is not None:
        m.status = p.status


FEATURE = Feature(
    "status",
    routes={wire.SetStatus.name: Route(set_status, BUDGET)},
    rules=(Rule(wire.StatusChanged, everyone, durable=False, learn=learn),),
)
