"""The focus room's shared timer through real sockets: on one node (the
in-process bus and state of the embedded server, and redis-server), and on
a fleet of nodes over redis-server, where it must survive the node that
started it. A timer minute lasts a second here (``TIMER_MINUTE_MS``)."""

from __future__ import annotations

import asyncio
import time

import msgspec
import pytest

from realtime_edge.config import EdgeConfig
from tests.edge.client import Client
from tests.edge.conftest import eventually
from virtubar import keys, wire
from virtubar.bus import LocalBus
from virtubar.focus import ScheduledTimer, TimerPolicy
from virtubar.state import LocalState, RedisState
from virtubar.world import default_world

FAST = {"timer_minute_ms": 1000, "presence_every_s": 0.2}


def env(config: dict) -> dict[str, str]:
    return {f"VIRTUBAR_EDGE_{k.upper()}": str(v) for k, v in config.items()}


@pytest.fixture(params=["in-process", "redis"])
async def focus(request, start_edge, serve_in_process):
    """``focus(**config)``: the URL of an edge node; ``focus.state``: the
    shared state it reads (where the functions publish a room's setup)."""
    state = LocalState() if request.param == "in-process" else RedisState(request.getfixturevalue("redis_url"))

    async def start(**config) -> str:
        if request.param == "redis":
            return start_edge(**env(FAST | config)).url
        return await serve_in_process(state, LocalBus(), EdgeConfig(**(FAST | config)))

    start.state = state
    yield start
    await state.close()


async def setup(state, room: str, template: str = "focus", policy: TimerPolicy | None = None) -> None:
    """What the functions publish for the room at each join."""
    await state.put(keys.room_setup(room), "world", msgspec.json.encode(default_world(template)), 3600)
    if policy is not None:
        await state.put(keys.room_setup(room), "timer", msgspec.json.encode(policy), 3600)


async def joined(url: str, issuer, room: str, user: str) -> Client:
    client = await Client.connect(url)
    await client.join(room, issuer.issue("realtime", user, room=room, platform="desktop", name=user.title()))
    return client


async def round_trip(client: Client, room: str, mark: int) -> None:
    """Everything sent before was handled."""
    await client.send("heartbeat", roomId=room, clientTimeMs=mark)
    await client.wait("heartbeat_ack", clientTimeMs=mark)


async def test_a_late_joiner_sees_the_running_timer_and_pause_resume_reset_reach_everyone(focus, issuer, room):
    url = await focus()
    await setup(focus.state, room)
    ann, bob = await joined(url, issuer, room, "ann"), await joined(url, issuer, room, "bob")
    await ann.send("start_timer", roomId=room, duration=25, type="work")
    started = await bob.wait("timer_started")
    assert (started["roomId"], started["duration"], started["type"]) == (room, 25, "work")
    assert 20_000 < started["endsAtServerMs"] - wire.now_ms() <= 25_000

    cat = await joined(url, issuer, room, "cat")
    timer = cat.events("room_state")[0]["timer"]
    assert (timer["type"], timer["duration"], timer["endsAtServerMs"], timer["paused"]) == (
        "work", 25, started["endsAtServerMs"], False)

    await bob.send("pause_timer", roomId=room)
    paused = await cat.wait("timer_updated", paused=True)
    assert 15_000 < paused["remaining"] < 25_000
    await asyncio.sleep(1.5)  # a paused timer does not run out
    dee = await joined(url, issuer, room, "dee")
    assert dee.events("room_state")[0]["timer"]["remaining"] == paused["remaining"]
    await cat.send("resume_timer", roomId=room)
    resumed = await ann.wait("timer_updated", paused=False)
    assert resumed["remaining"] <= paused["remaining"]
    assert abs(resumed["endsAtServerMs"] - (wire.now_ms() + paused["remaining"])) < 1000
    await ann.send("reset_timer", roomId=room)
    await dee.wait("timer_updated", stopped=True)
    eve = await joined(url, issuer, room, "eve")
    assert "timer" not in eve.events("room_state")[0]
    for c in (ann, bob, cat, dee, eve):
        assert c.events("timer_completed") == []
        await c.close()


async def test_a_cycle_rolls_from_work_to_break_and_back_by_itself(focus, issuer, room):
    url = await focus()
    await setup(focus.state, room)
    ann, bob = await joined(url, issuer, room, "ann"), await joined(url, issuer, room, "bob")
    await ann.send("start_timer", roomId=room, duration=2, type="work", breakDuration=1, cycles=2)
    first = await bob.wait("timer_started")
    assert (first["type"], first["cycle"], first["cycles"]) == ("work", 1, 2)
    await bob.wait("timer_completed", type="work", timeout=6)
    rest = await bob.wait("timer_started", type="break")
    assert (rest["duration"], rest["cycle"]) == (1, 1)
    assert rest["endsAtServerMs"] == first["endsAtServerMs"] + 1000  # timed from the work's end: no drift
    await bob.wait("timer_started", type="work", cycle=2, timeout=6)
    await eventually(lambda: len(bob.events("timer_completed")) == 3 or (_ for _ in ()).throw(AssertionError()), 6)
    assert [c["type"] for c in bob.events("timer_completed")] == ["work", "break", "work"]
    await asyncio.sleep(1.0)  # the cycle is over: no break after the last work
    assert [e["type"] for e in bob.events("timer_started")] == ["work", "break", "work"]
    assert len(ann.events("timer_completed")) == 3
    cat = await joined(url, issuer, room, "cat")
    assert "timer" not in cat.events("room_state")[0]
    for c in (ann, bob, cat):
        await c.close()


async def test_bad_timer_messages_get_an_error_and_change_nothing(focus, issuer, room):
    url = await focus()
    await setup(focus.state, room)
    ann, bob = await joined(url, issuer, room, "ann"), await joined(url, issuer, room, "bob")
    bad = [
        {"duration": 0, "type": "work"},
        {"duration": 181, "type": "work"},
        {"duration": "ten", "type": "work"},
        {"duration": 25, "type": "nap"},
        {"duration": 25},
    ]
    for payload in bad:
        await ann.send("start_timer", roomId=room, **payload)
    await ann.send("start_timer", roomId=room, duration=25, type="break", breakDuration=5)  # a cycle starts with work
    await ann.send("pause_timer", roomId=room)  # nothing to pause
    await round_trip(ann, room, 1)
    errors = ann.events("error")
    assert [e["code"] for e in errors] == ["invalid_payload"] * 5 + ["bad_timer", "bad_timer"], errors
    assert "duration" in errors[0]["message"]
    await round_trip(bob, room, 2)
    assert bob.events("timer_started") == [] and bob.events("error") == []
    cat = await joined(url, issuer, room, "cat")
    assert "timer" not in cat.events("room_state")[0]
    for c in (ann, bob, cat):
        await c.close()


async def test_timer_messages_have_budgets(focus, issuer, room):
    url = await focus()
    await setup(focus.state, room)
    ann, bob = await joined(url, issuer, room, "ann"), await joined(url, issuer, room, "bob")
    t0 = time.monotonic()
    for minutes in range(1, 11):
        await ann.send("start_timer", roomId=room, duration=minutes, type="work")
    await round_trip(ann, room, 1)
    await asyncio.sleep(0.3)
    starts = len(bob.events("timer_started"))
    assert 3 <= starts <= 3 + 0.5 * (time.monotonic() - t0) + 1, starts  # burst 3, one every 2 s
    assert ann.events("error", code="rate_limited", event="start_timer")
    for c in (ann, bob):
        await c.close()


async def test_only_hosts_control_the_timer_when_the_owner_says_so_and_only_in_focus_rooms(focus, issuer, room):
    url = await focus()
    await setup(focus.state, room, policy=TimerPolicy(hostsOnly=True, hosts=["ann"]))
    ann, bob = await joined(url, issuer, room, "ann"), await joined(url, issuer, room, "bob")
    await bob.send("start_timer", roomId=room, duration=25, type="work")
    assert (await bob.wait("error", event="start_timer"))["code"] == "hosts_only"
    await ann.send("start_timer", roomId=room, duration=25, type="work")
    await bob.wait("timer_started")
    await bob.send("reset_timer", roomId=room)
    assert (await bob.wait("error", event="reset_timer"))["code"] == "hosts_only"
    await asyncio.sleep(0.3)
    assert ann.events("timer_updated") == []

    bar = room + "-bar"
    await setup(focus.state, bar, template="bar")
    cat = await joined(url, issuer, bar, "cat")
    await cat.send("start_timer", roomId=bar, duration=25, type="work")
    assert (await cat.wait("error", event="start_timer"))["code"] == "not_a_focus_room"
    for c in (ann, bob, cat):
        await c.close()


async def test_a_scheduled_session_starts_its_timer_by_itself(focus, issuer, room):
    url = await focus()
    await setup(focus.state, room)
    session = ScheduledTimer(id="s1", startsAtMs=wire.now_ms() + 2500, duration=3, breakDuration=1, cycles=2,
                             title="Morning sprint")
    await focus.state.put(keys.room_schedule(room), "s1", msgspec.json.encode(session), 60)  # as the functions do
    ann = await joined(url, issuer, room, "ann")
    assert "timer" not in ann.events("room_state")[0]
    started = await ann.wait("timer_started", timeout=8)
    assert (started["type"], started["title"], started["cycles"]) == ("work", "Morning sprint", 2)
    assert started["endsAtServerMs"] == session.startsAtMs + 3000  # timed from the scheduled start
    bob = await joined(url, issuer, room, "bob")
    assert bob.events("room_state")[0]["timer"]["title"] == "Morning sprint"
    await asyncio.sleep(1.0)
    assert len(ann.events("timer_started")) == 1  # started once
    for c in (ann, bob):
        await c.close()


# A fleet over redis-server ----------------------------------------------------------


def server_now(client: Client) -> float:
    """The client's estimate of the server's clock now, from its heartbeat
    round trips (the sample with the shortest round trip), as the browser client does."""
    best = min(client.acks, key=lambda a: a[0])
    return time.time() * 1000 + best[1]


async def sync_clock(client: Client, room: str) -> None:
    client.acks = []
    for _ in range(5):
        sent = time.time() * 1000
        await client.send("heartbeat", roomId=room, clientTimeMs=int(sent))
        ack = await client.wait("heartbeat_ack", clientTimeMs=int(sent))
        got = time.time() * 1000
        client.acks.append((got - sent, ack["serverTimeMs"] - (sent + (got - sent) / 2)))
        await asyncio.sleep(0.35)


async def test_two_players_on_two_nodes_see_the_same_remaining_time(start_edge, issuer, room, redis_url):
    node_a, node_b = start_edge(**env(FAST)), start_edge(**env(FAST))
    state = RedisState(redis_url)
    await setup(state, room)
    ann, bob = await joined(node_a.url, issuer, room, "ann"), await joined(node_b.url, issuer, room, "bob")
    await ann.send("start_timer", roomId=room, duration=60, type="work")
    seen_a, seen_b = await ann.wait("timer_started"), await bob.wait("timer_started")
    assert seen_a["endsAtServerMs"] == seen_b["endsAtServerMs"]
    await sync_clock(ann, room)
    await sync_clock(bob, room)
    left_a = seen_a["endsAtServerMs"] - server_now(ann)
    left_b = seen_b["endsAtServerMs"] - server_now(bob)
    assert 50_000 < left_a <= 60_000
    assert abs(left_a - left_b) < 100, (left_a, left_b)
    cat = await joined(node_b.url, issuer, room, "cat")  # a late joiner on the other node
    assert cat.events("room_state")[0]["timer"]["endsAtServerMs"] == seen_a["endsAtServerMs"]
    for c in (ann, bob, cat):
        await c.close()
    await state.close()


async def test_the_timer_completes_once_when_the_node_that_started_it_dies(start_edge, issuer, room, redis_url):
    node_a, node_b, node_c = (start_edge(**env(FAST)) for _ in range(3))
    state = RedisState(redis_url)
    await setup(state, room)
    ann = await joined(node_a.url, issuer, room, "ann")
    bob, cat = await joined(node_b.url, issuer, room, "bob"), await joined(node_c.url, issuer, room, "cat")
    await ann.send("start_timer", roomId=room, duration=2, type="work")
    await bob.wait("timer_started")
    await cat.wait("timer_started")
    node_a.kill()
    assert (await bob.wait("timer_completed", timeout=8))["type"] == "work"
    await cat.wait("timer_completed")
    await asyncio.sleep(2.0)  # both surviving nodes noticed it ran out; one completed it
    assert len(bob.events("timer_completed")) == 1 and len(cat.events("timer_completed")) == 1
    dee = await joined(node_b.url, issuer, room, "dee")
    assert "timer" not in dee.events("room_state")[0]
    for c in (bob, cat, dee):
        await c.close()
    await state.close()
