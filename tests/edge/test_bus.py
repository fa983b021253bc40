"""One conformance suite for every room bus: the in-process default, the
embedded mode's (durable room streams in a SQLite file of the data folder)
and Redis Streams on a real redis-server and on a real 3-master Redis Cluster."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from virtubar.bus import LocalBus, LocalStreams, RedisStreamsBus, parse_offset


@pytest.fixture(params=["local", "sqlite", "redis", "redis_cluster"])
async def make_bus(request, tmp_path):
    """A factory of node views over one shared set of streams."""
    streams = LocalStreams.in_folder(tmp_path) if request.param == "sqlite" else LocalStreams(maxlen=5)
    url = request.getfixturevalue(f"{request.param}_url") if request.param.startswith("redis") else None

    def make(maxlen: int = 5, max_age_s: float = 600.0):
        if url:
            bus = RedisStreamsBus(url, maxlen=maxlen, max_age_s=max_age_s, cluster=request.param == "redis_cluster")
        else:
            streams.maxlen, streams.max_age_s = maxlen, max_age_s
            bus = LocalBus(streams)
        return bus

    yield make
    await streams.close()


@pytest.fixture
async def nodes(make_bus):
    a, b = make_bus(), make_bus()
    yield a, b
    await a.close()
    await b.close()


def room() -> str:
    return f"r{uuid.uuid4().hex[:8]}"


async def read_until(bus, n: int, timeout_s: float = 3.0):
    got = []
    deadline = asyncio.get_running_loop().time() + timeout_s
    while len(got) < n and asyncio.get_running_loop().time() < deadline:
        got += await bus.read(0.2)
    return got


async def test_offsets_increase_and_order_a_room(nodes):
    a, _ = nodes
    r = room()
    offsets = [await a.publish(r, f"m{i}".encode()) for i in range(4)]
    assert [parse_offset(o) for o in offsets] == sorted(parse_offset(o) for o in offsets)
    assert len(set(offsets)) == 4


async def test_a_node_reads_only_the_rooms_it_hosts(nodes):
    a, b = nodes
    hosted, other = room(), room()
    await b.subscribe(hosted)
    await a.publish(other, b"elsewhere")
    offset = await a.publish(hosted, b"hello")
    got = await read_until(b, 1)
    assert [(d.room, d.offset, d.data) for d in got] == [(hosted, offset, b"hello")]


async def test_every_subscribed_node_gets_every_entry_in_order(nodes):
    a, b = nodes
    r = room()
    await a.subscribe(r)
    await b.subscribe(r)
    sent = [await a.publish(r, str(i).encode(), durable=i % 2 == 0) for i in range(6)]
    for bus in (a, b):
        got = await read_until(bus, 6)
        for durable in (True, False):  # each stream in order (no order across the two)
            assert [d.offset for d in got if d.durable is durable] == [
                o for i, o in enumerate(sent) if (i % 2 == 0) is durable]


async def test_unsubscribed_rooms_stop_arriving(nodes):
    a, b = nodes
    r = room()
    await b.subscribe(r)
    await a.publish(r, b"1")
    assert len(await read_until(b, 1)) == 1
    await b.unsubscribe(r)
    await a.publish(r, b"2")
    assert await b.read(0.3) == []


async def test_control_stream_reaches_every_node(nodes):
    a, b = nodes
    await b.read(0.01)  # a node starts reading control from "now"
    offset = await a.publish_control(b'{"kick":"u1"}')
    got = await read_until(b, 1)
    assert [(d.room, d.offset) for d in got] == [(None, offset)]


async def test_control_is_not_kept_for_a_node_that_never_reads(nodes):
    """The API only publishes control: nothing may pile up for it."""
    a, b = nodes
    for n in range(3):
        await a.publish_control(b'{"kick":"u%d"}' % n)
    assert await b.read(0.05) == []
    offset = await a.publish_control(b'{"kick":"u9"}')
    assert [d.offset for d in await read_until(b, 1)] == [offset]


async def test_history_returns_the_whole_gap(nodes):
    a, _ = nodes
    r = room()
    first = await a.publish(r, b"1")
    second = await a.publish(r, b"2")
    await a.publish(r, b"move", durable=False)
    third = await a.publish(r, b"3")
    rec = await a.history(r, first)
    assert rec.whole and rec.entries == [(second, b"2"), (third, b"3")]
    rec = await a.history(r, third)
    assert rec.whole and rec.entries == []


async def test_history_refuses_a_partial_replay_after_trimming(make_bus):
    bus = make_bus(maxlen=5)
    r = room()
    first = await bus.publish(r, b"0")
    for i in range(1, 400):  # redis trims whole nodes (~100 entries): publish well past the cap
        await bus.publish(r, str(i).encode())
    rec = await bus.history(r, first)
    assert not rec.whole and rec.entries == []
    await bus.close()


async def test_history_refuses_offsets_of_another_epoch_or_garbage(nodes):
    a, _ = nodes
    r = room()
    await a.publish(r, b"1")
    for bad in ("1-0", "not-an-offset", "99999999999999-0"):
        rec = await a.history(r, bad)
        assert not rec.whole and rec.entries == []


async def test_history_of_an_empty_room(nodes):
    a, _ = nodes
    assert (await a.history(room(), "0-0")).whole
    assert not (await a.history(room(), "1700000000000-0")).whole


async def test_movement_does_not_push_chat_out_of_history(make_bus):
    bus = make_bus(maxlen=5)
    r = room()
    first = await bus.publish(r, b"chat")
    for _ in range(300):
        await bus.publish(r, b"move", durable=False)
    last = await bus.publish(r, b"chat2")
    rec = await bus.history(r, first)
    assert rec.whole and rec.entries == [(last, b"chat2")]
    await bus.close()


async def test_chat_older_than_the_retention_age_is_gone(make_bus):
    bus = make_bus(maxlen=100, max_age_s=0.2)
    r = room()
    await bus.publish(r, b"old")
    await asyncio.sleep(0.3)
    fresh = await bus.publish(r, b"fresh")
    rec = await bus.history(r, "0-0")
    assert not rec.whole and rec.entries == []
    assert (await bus.history(r, fresh)).whole
    await bus.close()
