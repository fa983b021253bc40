"""Two edge nodes notice the end of a phase of the room's timer at the same
moment: the compare-and-set on shared state lets exactly one announce it
(on the in-process state and on redis-server, where the two really interleave)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from realtime_edge.config import EdgeConfig
from realtime_edge.features import timer, timer_rules
from realtime_edge.room import Room
from virtubar import keys, wire
from virtubar.state import LocalState, RedisState
from virtubar.world import default_world


@pytest.fixture(params=["in-process", "redis"])
async def state(request):
    s = LocalState() if request.param == "in-process" else RedisState(request.getfixturevalue("redis_url"))
    yield s
    await s.close()


class Node:
    """What the timer feature asks of an edge node: shared state, settings, and where its events go."""

    def __init__(self, state) -> None:
        self.state, self.config, self.sent = state, EdgeConfig(timer_minute_ms=1000), []

    async def announce(self, room_id: str, payload: wire.Event) -> None:
        self.sent.append(payload)


async def test_of_two_nodes_noticing_a_phase_end_at_once_one_announces_it(state):
    room_id = f"room-{uuid.uuid4().hex[:10]}"
    ran_out = timer_rules.Timer(type="work", duration=1, endsAtMs=wire.now_ms() - 5, breakDuration=1, cycles=2)
    await state.swap(keys.room_timer(room_id), "", timer_rules.encode(ran_out), 60)
    key = keys.room_timer(room_id)
    # a warm connection pool, so the two nodes below really interleave on redis-server
    await asyncio.gather(state.get(key), state.get(key), state.swap(key, "x", "x", 1), state.swap(key, "y", "y", 1))
    nodes = [Node(state), Node(state)]
    rooms = [Room(room_id, default_world("focus")) for _ in nodes]
    for room in rooms:
        room.data[timer.NAME] = await timer.load(state, room_id)
    for _ in range(5):
        await asyncio.gather(*(timer.watch(n, r) for n, r in zip(nodes, rooms, strict=True)))
    sent = nodes[0].sent + nodes[1].sent
    assert [type(e) for e in sent] == [wire.TimerCompleted, wire.TimerStarted]
    assert (sent[0].type, sent[1].type, sent[1].endsAtServerMs) == ("work", "break", ran_out.endsAtMs + 1000)
    now = timer_rules.decode(await state.get(keys.room_timer(room_id)))
    assert now is not None and now.type == "break"
