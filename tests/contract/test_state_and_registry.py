"""Shared state and the node registry behave the same in-process, on a real
redis-server and on a real 3-master Redis Cluster: members expire, so a
crashed node leaves no ghosts."""

import asyncio

import pytest

from virtubar import keys
from virtubar.registry import NodeInfo, Registry, least_loaded
from virtubar.state import LocalState, RedisState


@pytest.fixture(params=["local", "redis", "redis_cluster"])
async def state(request):
    if request.param == "local":
        yield LocalState()
        return
    s = RedisState(request.getfixturevalue(f"{request.param}_url"), cluster=request.param == "redis_cluster")
    await s._redis.flushdb()
    yield s
    await s.close()


async def test_members_expire_on_their_own(state):
    key = keys.room_members("r1")
    await state.put(key, "alice", b"A", 0.2)
    await state.put(key, "bob", b"B", 30)
    assert await state.members(key) == {"alice": b"A", "bob": b"B"}
    await asyncio.sleep(0.3)
    assert await state.members(key) == {"bob": b"B"}
    assert await state.counts([key, keys.room_members("empty")]) == [1, 0]


async def test_put_refreshes_and_replaces_data_and_drop_removes(state):
    key = keys.room_members("r1")
    await state.put(key, "alice", b"", 0.2)
    await state.put(key, "alice", b"connected", 30)
    await asyncio.sleep(0.3)
    assert await state.members(key) == {"alice": b"connected"}
    await state.drop(key, "alice")
    assert await state.members(key) == {}


async def test_claim_keeps_the_first_live_value_until_it_expires(state):
    assert await state.claim("{room:r}:sfu:eu", "sfu-1", 0.2) == "sfu-1"
    assert await state.claim("{room:r}:sfu:eu", "sfu-2", 0.2) == "sfu-1"
    await asyncio.sleep(0.3)
    assert await state.claim("{room:r}:sfu:eu", "sfu-2", 30) == "sfu-2"
    assert await state.claim("{room:r}:sfu:eu", "sfu-4", 30) == "sfu-2"


async def test_swap_replaces_only_the_value_it_expects(state):
    key = "{room:r}:seat:stool-1"
    assert await state.swap(key, "ann", "ann", 30) == "ann"  # free: taken
    assert await state.swap(key, "bob", "bob", 30) == "ann"  # held by another: refused
    assert await state.swap(key, "ann", "bob", 30) == "bob"  # bob takes over ann's
    assert await state.swap(key, "ann", "cat", 30) == "bob"  # a second taker of ann's loses
    assert await state.swap("{room:r}:seat:stool-2", "x", "cat", 0.2) == "cat"
    await asyncio.sleep(0.3)
    assert await state.swap("{room:r}:seat:stool-2", "dan", "dan", 30) == "dan"  # cat's expired


async def test_get_reads_the_live_value_a_swap_expects(state):
    key = "{room:r}:timer"
    assert await state.get(key) is None
    await state.swap(key, "", "running", 0.2)
    assert await state.get(key) == "running"
    assert await state.swap(key, "running", "paused", 0.2) == "paused"
    assert await state.get(key) == "paused"
    await asyncio.sleep(0.3)
    assert await state.get(key) is None  # expired


async def test_release_deletes_only_its_own_value(state):
    key = "{room:r}:seat:stool-1"
    await state.swap(key, "bob", "bob", 30)
    await state.release(key, "ann")  # late: ann no longer holds it
    assert await state.swap(key, "cat", "cat", 30) == "bob"
    await state.release(key, "bob")
    assert await state.swap(key, "cat", "cat", 30) == "cat"


async def test_registry_forgets_a_node_that_stops_heartbeating(state):
    registry = Registry(state)
    await registry.announce(NodeInfo(id="e1", kind="edge", url="ws://e1/ws", region="eu", capacity=10), ttl_s=0.2)
    await registry.announce(NodeInfo(id="e2", kind="edge", url="ws://e2/ws", region="eu", capacity=10), ttl_s=30)
    assert {n.id for n in await registry.live("edge")} == {"e1", "e2"}
    await asyncio.sleep(0.6)  # margin over the 0.2 s lifetime: a loaded machine may be late
    assert [n.id for n in await registry.live("edge")] == ["e2"]


async def test_a_room_moves_to_another_sfu_when_its_node_dies(state):
    registry = Registry(state)
    await registry.announce(NodeInfo(id="s1", kind="sfu", url="ws://s1", region="eu", capacity=10), ttl_s=0.2)
    assert (await registry.sfu_for_room("r", "eu")).id == "s1"
    await registry.announce(NodeInfo(id="s2", kind="sfu", url="ws://s2", region="eu", capacity=10, load=5))
    assert (await registry.sfu_for_room("r", "eu")).id == "s1"
    await asyncio.sleep(0.3)
    assert (await registry.sfu_for_room("r", "eu")).id == "s2"


def node(id_, load, capacity=100, region="eu", draining=False):
    return NodeInfo(
        id=id_, kind="edge", url=f"ws://{id_}", region=region, capacity=capacity, load=load, draining=draining
    )


def test_least_loaded_prefers_the_region_then_utilisation_and_skips_full_or_draining():
    nodes = [
        node("a", 50),
        node("b", 10, capacity=20),
        node("c", 5, draining=True),
        node("d", 0, region="us"),
        node("e", 100),
    ]
    assert least_loaded(nodes, "eu").id == "b"  # a and b both at 50 %: b has fewer players
    assert least_loaded([node("x", 10), node("y", 20, capacity=1000)], "eu").id == "y"
    assert least_loaded(nodes, "us").id == "d"
    assert least_loaded([node("full", 100)], "eu") is None
    assert least_loaded([node("far", 1, region="us")], "eu").id == "far"  # any region beats none


async def test_hits_count_within_a_window_that_then_resets(state):
    assert [(await state.hit("{rate:ip:1}", 0.3))[0] for _ in range(3)] == [1, 2, 3]
    _, left = await state.hit("{rate:ip:1}", 0.3)
    assert 0 < left <= 0.3
    assert (await state.hit("{rate:ip:2}", 0.3))[0] == 1
    await asyncio.sleep(0.35)
    assert (await state.hit("{rate:ip:1}", 0.3))[0] == 1
