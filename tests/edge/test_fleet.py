"""Two edge nodes bridged by a real redis-server: a room spans both; a node
killed with SIGKILL loses no chat and leaves no ghost members."""

from __future__ import annotations

import asyncio
import signal

from tests.edge.client import Client
from tests.edge.conftest import eventually
from virtubar import keys
from virtubar.registry import Registry
from virtubar.state import RedisState
from virtubar.world import default_world, parse_world, to_json

FAST_PRESENCE = {"VIRTUBAR_EDGE_PRESENCE_TTL_S": "3", "VIRTUBAR_EDGE_PRESENCE_EVERY_S": "0.3"}
# moves never relayed: no node sees where the other's members went
NO_TICK = {"VIRTUBAR_EDGE_TICK_HZ": "0.001", "VIRTUBAR_EDGE_FLUSH_SHARE": "0"}


async def test_a_room_spans_two_nodes_and_survives_one_dying(start_edge, issuer, room):
    node_a, node_b = start_edge(**FAST_PRESENCE), start_edge(**FAST_PRESENCE)

    def token(user: str) -> str:
        return issuer.issue("realtime", user, room=room, platform="desktop", name=user.title())

    ann, cat = await Client.connect(node_a.url), await Client.connect(node_a.url)
    await ann.join(room, token("ann"))
    await cat.join(room, token("cat"))
    bob = await Client.connect(node_b.url)
    state = await bob.join(room, token("bob"))
    assert {m["userId"] for m in state["members"]} == {"ann", "cat", "bob"}
    await eventually(lambda: [m["member"]["userId"] for m in ann.events("member_joined")] == ["cat", "bob"])

    # moves and chat cross nodes both ways
    await ann.send("avatar_transform", roomId=room, seq=1, x=10.4, y=0.0, z=7.4, rotY=1.0)
    await bob.wait("avatar_transform_broadcast", userId="ann", seq=1)
    await bob.send("local_chat", roomId=room, text="hello from b", mode="room")
    last = (await ann.wait("chat_broadcast", text="hello from b"))["messageId"]
    await ann.send("local_chat", roomId=room, text="hello from a", mode="room")
    await bob.wait("chat_broadcast", text="hello from a")
    last = (await ann.wait("chat_broadcast", text="hello from a"))["messageId"]

    node_a.kill()
    assert await ann.wait_closed() != 1000
    for text in ("missed 1", "missed 2", "missed 3"):
        await bob.send("local_chat", roomId=room, text=text, mode="room")
    await bob.wait("chat_broadcast", text="missed 3")

    again = await Client.connect(node_b.url)  # ann's client reconnects to the live node
    state = await again.join(room, token("ann"), lastMessageId=last)
    members = {m["userId"]: m for m in state["members"]}
    assert "ann" in members and "bob" in members
    assert (members["ann"]["x"], members["ann"]["z"]) == (10.4, 7.4)  # last-known transform
    await again.wait("chat_broadcast", text="missed 3")
    assert [c["text"] for c in again.events("chat_broadcast")] == ["missed 1", "missed 2", "missed 3"]
    assert again.events("chat_gap") == []

    # cat never came back: its presence expires and everyone is told
    await bob.wait("member_left", userId="cat", timeout=10)
    await again.wait("member_left", userId="cat", timeout=10)
    assert bob.events("member_left", userId="ann") == []
    newcomer = await Client.connect(node_b.url)
    state = await newcomer.join(room, token("dee"))
    assert {m["userId"] for m in state["members"]} == {"ann", "bob", "dee"}
    for client in (bob, again, newcomer):
        await client.close()


async def test_a_draining_node_asks_clients_to_reconnect(start_edge, issuer, room, redis_url):
    node = start_edge(VIRTUBAR_EDGE_DRAIN_DELAY_MS="250", VIRTUBAR_EDGE_DRAIN_GRACE_S="1")
    ann = await Client.connect(node.url)
    await ann.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop"))
    state = RedisState(redis_url)
    registry = Registry(state)
    assert node.url in [n.url for n in await registry.live("edge")]  # the join flow can pick it
    node.proc.send_signal(signal.SIGTERM)
    notice = await ann.wait("reconnect")
    assert notice["delayMs"] == 250
    assert await ann.wait_closed() == 1012
    await eventually(lambda: node.proc.poll() is not None or (_ for _ in ()).throw(AssertionError()), 10)
    assert node.proc.returncode == 0
    assert node.url not in [n.url for n in await registry.live("edge")]
    await state.close()


async def step(client: Client, room: str, seq: int, x: float, z: float) -> bool:
    """Walk to (x, z) at walking pace; was the move accepted? (A heartbeat
    answered means the move before it was handled.)"""
    await asyncio.sleep(0.4)
    await client.send("avatar_transform", roomId=room, seq=seq, x=x, y=0.0, z=z, rotY=0.0)
    await client.send("heartbeat", roomId=room, clientTimeMs=seq)
    await client.wait("heartbeat_ack", clientTimeMs=seq)
    return client.events("position_correction", seq=seq) == []


async def two_at_the_bar(start_edge, issuer, room, put_world):
    """Ann on one node and Bob on another, both just behind the bar's
    stool-1; no moves relayed, so only shared state knows who sits."""
    world = to_json(default_world("bar"))
    world["spawns"] = [{"x": 4.5, "z": 5.5}, {"x": 5.6, "z": 5.0}]  # just behind stool-1
    await put_world(room, parse_world(world))
    node_a, node_b = start_edge(**FAST_PRESENCE, **NO_TICK), start_edge(**FAST_PRESENCE, **NO_TICK)
    ann, bob = await Client.connect(node_a.url), await Client.connect(node_b.url)
    await ann.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop"))
    await bob.join(room, issuer.issue("realtime", "bob", room=room, platform="desktop"))
    return node_a, node_b, ann, bob


async def test_an_exclusive_seat_holds_one_member_across_nodes(start_edge, issuer, room, put_world):
    _node_a, node_b, ann, bob = await two_at_the_bar(start_edge, issuer, room, put_world)
    assert await step(ann, room, 1, 4.5, 4.1)  # sits on stool-1

    assert not await step(bob, room, 1, 4.8, 4.2)  # onto stool-1 on the other node
    fix = bob.events("position_correction", seq=1)[0]
    assert (fix["reason"], fix["x"], fix["z"]) == ("occupied", 5.6, 5.0)

    assert await step(ann, room, 2, 4.5, 5.2)  # gets up: the seat is free
    assert await step(bob, room, 2, 4.8, 4.2)
    assert not await step(ann, room, 3, 4.5, 4.1)  # bob holds it now

    # bob's node dies: the seat is free again once his presence expires
    node_b.kill()
    seq = 4
    while not await step(ann, room, seq, 4.5, 4.1):
        assert seq < 40, "the dead node's seat was never freed"
        seq += 1
    await ann.close()


async def test_a_member_who_reconnects_seated_keeps_the_seat(start_edge, issuer, room, put_world, redis_url):
    node_a, _node_b, ann, bob = await two_at_the_bar(start_edge, issuer, room, put_world)
    assert await step(ann, room, 1, 4.5, 4.1)  # sits on stool-1
    await asyncio.sleep(0.6)  # her node writes where she is to presence

    node_a.kill()  # ann's client reconnects to a third node and stays seated, never moving
    again = await Client.connect(start_edge(**FAST_PRESENCE, **NO_TICK).url)
    state = await again.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop"))
    assert [(m["x"], m["z"]) for m in state["members"] if m["userId"] == "ann"] == [(4.5, 4.1)]
    for beat in range(12):  # 4.8 s: past the seat claim's 3 s expiry
        await asyncio.sleep(0.4)
        await again.send("heartbeat", roomId=room, clientTimeMs=beat)
    # still hers, in shared state too: what decides when two nodes' members step on at once
    state = RedisState(redis_url)
    assert await state.swap(keys.room_seat(room, "stool-1"), "bob", "bob", 1) == "ann"
    await state.close()
    assert not await step(bob, room, 1, 4.8, 4.2)
    assert bob.events("position_correction", seq=1)[0]["reason"] == "occupied"

    await again.close()  # she leaves: the seat is free
    assert await step(bob, room, 2, 4.8, 4.2)
    await bob.close()


async def test_a_republished_world_moves_members_into_its_zones(start_edge, issuer, room, put_world):
    await put_world(room, default_world("bar"))
    node = start_edge(**FAST_PRESENCE)
    ann, bob = await Client.connect(node.url), await Client.connect(node.url)
    for client, user in ((ann, "ann"), (bob, "bob")):  # ann at (10.5, 7.5), bob at (8.5, 8.5)
        joined = await client.join(room, issuer.issue("realtime", user, room=room, platform="desktop"))
        assert joined["zoneId"] == "bar"

    await put_world(room, default_world("office"))  # the owner re-worlds the live room
    for client in (ann, bob):  # the clients get the new document to draw
        changed_world = await client.wait("world_changed", timeout=5)
        assert (changed_world["roomId"], changed_world["world"]["name"]) == (room, "The Office")
    # where bob stands is meeting room A in the office; ann's spot is its open floor
    snapshot = await bob.wait("room_state", zoneId="meeting-a", timeout=5)
    placed = {m["userId"]: m.get("x", 0) > 0 for m in snapshot["members"]}
    assert placed == {"ann": False, "bob": True}  # ann is listed, not placed
    await ann.wait("room_state", zoneId="floor")
    changed = await ann.wait("zone_changed", userId="bob")
    assert (changed["previousZoneId"], changed["zoneId"]) == ("bar", "meeting-a")
    await ann.send("local_chat", roomId=room, text="anyone in here?", mode="zone")
    await ann.wait("chat_broadcast", text="anyone in here?")
    assert bob.events("chat_broadcast") == []  # zones of the new world scope chat at once
    await ann.close()
    await bob.close()
