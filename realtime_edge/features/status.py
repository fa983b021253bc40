"""Status (focus rooms): ``set_status`` in, ``status_changed`` to the room.

Live only (the volatile stream), so status changes never push chat out of
the room's history. A member who joins later reads each status from
``room_state``: it is part of the member's presence (``wire.Member.status``,
written to shared state by the member's node).
"""

from __future__ import annotations

from realtime_edge.feature import Edge, Feature, Route, Rule
from realtime_edge.ratelimit import Budget
from virtubar import wire

BUDGET = Budget(1.0, burst=3.0)


async def set_status(edge: Edge, conn, p: wire.SetStatus) -> None:
    conn.member.status = p.status
    conn.room.dirty.add(conn.user_id)  # presence carries it to members who join later
    await edge.emit(conn, wire.StatusChanged(userId=conn.user_id, status=p.status))


def everyone(room, event, at, listener) -> bool:
    return True


def learn(room, p: wire.StatusChanged) -> None:
    if (m := room.members.get(p.userId)) is not None:
        m.status = p.status


FEATURE = Feature(
    "status",
    routes={wire.SetStatus.name: Route(set_status, BUDGET)},
    rules=(Rule(wire.StatusChanged, everyone, durable=False, learn=learn),),
)
