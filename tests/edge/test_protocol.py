"""The realtime protocol (`docs/protocol.md`) through a real socket: join, move, chat, emote, heartbeat,
reconnect, bad input."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.edge.client import Client
from tests.edge.conftest import ORIGIN


@pytest.fixture(scope="module", params=["granian", "websockets"])
def edge(request, start_edge):
    """The protocol holds under both servers of the same app."""
    return start_edge(request.param, VIRTUBAR_EDGE_IDLE_TIMEOUT_S="20")


@pytest.fixture
async def player(edge, issuer, room):
    opened: list[Client] = []

    async def make(user: str, platform: str = "desktop", **extra) -> Client:
        client = await Client.connect(edge.url)
        opened.append(client)
        token = issuer.issue("realtime", user, room=room, platform=platform, name=user.title())
        await client.join(room, token, **extra)
        return client

    yield make
    for client in opened:
        await client.close()


def move(seq: int, x: float, z: float, **more) -> dict:
    return {"seq": seq, "x": x, "y": 0.0, "z": z, "rotY": 0.5} | more


async def test_join_gets_room_state_and_others_get_member_joined(player, room):
    ann = await player("ann")
    bob = await player("bob")
    state = bob.events("room_state")[0]
    assert state["roomId"] == room and state["serverTimeMs"] > 0
    assert {m["userId"] for m in state["members"]} == {"ann", "bob"}
    assert (await ann.wait("member_joined"))["member"]["displayName"] == "Bob"
    assert ann.events("member_joined", member=None) == []  # ann is never told about herself


async def test_the_token_decides_who_and_where(edge, issuer, room):
    client = await Client.connect(edge.url)
    token = issuer.issue("realtime", "carol", room=room, platform="mobile", name="Carol")
    state = await client.join(room, token, user={"userId": "mallory", "displayName": "Mallory", "avatarId": "a1"})
    assert [m["userId"] for m in state["members"]] == ["carol"]
    assert state["members"][0]["displayName"] == "Carol"
    await client.close()


async def test_bad_tokens_get_auth_error_and_the_socket_stays_open(edge, issuer, room):
    client = await Client.connect(edge.url)
    other_room = issuer.issue("realtime", "dan", room="elsewhere", platform="desktop")
    voice = issuer.issue("voice", "dan", room=room, platform="desktop")
    await client.send("join_room", roomId=room, token=other_room)
    assert (await client.wait("auth_error"))["code"] == "token_wrong_room"
    await client.send("join_room", roomId=room, token=voice)
    await client.send("join_room", roomId=room, token="not.a.jwt")
    await client.send("avatar_transform", roomId=room, **move(1, 10, 7))
    assert (await client.wait("error", code="not_joined"))["event"] == "avatar_transform"
    assert [e["code"] for e in client.events("auth_error")] == ["token_wrong_room", "token_invalid", "token_invalid"]
    state = await client.join(room, issuer.issue("realtime", "dan", room=room, platform="desktop"))
    assert [m["userId"] for m in state["members"]] == ["dan"]
    await client.close()


async def test_expired_token(edge, room):
    from tests.edge.conftest import SECRET
    from virtubar.tokens import TokenIssuer

    expired = TokenIssuer(SECRET, ttl={"realtime": -10}).issue("realtime", "eve", room=room, platform="desktop")
    client = await Client.connect(edge.url)
    await client.send("join_room", roomId=room, token=expired)
    assert (await client.wait("auth_error"))["code"] == "token_expired"
    await client.close()


async def test_moves_reach_the_room_batched_per_tick(player, room):
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("avatar_transform", roomId=room, **move(1, 10.5, 7.0, anim="walk", speaking=True))
    got = await bob.wait("avatar_transform_broadcast", userId="ann")
    assert got == {"userId": "ann", "seq": 1, "x": 10.5, "y": 0.0, "z": 7.0, "rotY": 0.5, "anim": "walk",
                   "speaking": True}


async def test_heartbeat_is_answered_with_server_time(player, room):
    ann = await player("ann")
    await ann.send("heartbeat", roomId=room, clientTimeMs=123, lastSeq=0)
    ack = await ann.wait("heartbeat_ack")
    assert ack["clientTimeMs"] == 123 and ack["serverTimeMs"] > 1_700_000_000_000


async def test_chat_is_relayed_with_ordered_message_ids(player, room):
    ann = await player("ann")
    bob = await player("bob")
    for text in ("one", "two", "three"):
        await ann.send("local_chat", roomId=room, text=text, mode="room")
    await bob.wait("chat_broadcast", text="three")
    got = bob.events("chat_broadcast")
    assert [c["text"] for c in got] == ["one", "two", "three"]
    ids = [tuple(map(int, c["messageId"].split("-"))) for c in got]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_chat_limits(player, room):
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("local_chat", roomId=room, text="x" * 241, mode="room")
    assert (await ann.wait("error", code="chat_too_long"))["event"] == "local_chat"
    await ann.send("local_chat", roomId=room, text="   ", mode="room")
    await ann.wait("error", code="chat_empty")
    await ann.send("local_chat", roomId=room, text="", mode="room")
    await ann.send("local_chat", roomId=room, text="y" * 240, mode="room")
    await bob.wait("chat_broadcast", text="y" * 240)
    assert [c["text"] for c in bob.events("chat_broadcast")] == ["y" * 240]
    assert len(ann.events("error", code="chat_empty")) == 2


async def test_chat_flood_is_limited(player, room):
    ann = await player("ann")
    bob = await player("bob")
    for i in range(12):
        await ann.send("local_chat", roomId=room, text=f"spam {i}", mode="room")
    await ann.wait("error", code="chat_rate_limited")
    await ann.send("heartbeat", roomId=room, clientTimeMs=1)
    await ann.wait("heartbeat_ack")
    await asyncio.sleep(0.3)
    assert 5 <= len(bob.events("chat_broadcast")) < 12


async def test_emotes(player, room):
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("emote", roomId=room, emoteId="cheers")
    assert await bob.wait("emote_broadcast") == {"userId": "ann", "emoteId": "cheers"}
    await ann.send("emote", roomId=room, emoteId="explode")
    assert (await ann.wait("error", code="unknown_emote"))["event"] == "emote"
    await ann.send("emote", roomId=room, emoteId="laugh")
    await bob.wait("emote_broadcast", emoteId="laugh")
    assert [e["emoteId"] for e in bob.events("emote_broadcast")] == ["cheers", "laugh"]


async def test_bad_messages_get_errors_and_hurt_nobody(player, room):
    ann = await player("ann")
    bob = await player("bob")
    await ann.ws.send("{not json")
    await ann.ws.send(json.dumps({"v": 1, "t": "teleport_everyone", "ts": 0, "payload": {}}))
    await ann.ws.send(json.dumps({"v": 1, "t": "avatar_transform", "ts": 0, "payload": {"roomId": room, "seq": "x"}}))
    await ann.send("local_chat", roomId="another-room", text="hi", mode="room")
    await ann.wait("error", code="wrong_room")
    assert [e["code"] for e in ann.events("error")] == ["malformed", "unknown_event", "invalid_payload", "wrong_room"]
    await ann.send("local_chat", roomId=room, text="still here", mode="room")
    await bob.wait("chat_broadcast", text="still here")
    assert bob.events("error") == []


async def test_oversized_message_closes_1009_and_others_carry_on(player, room):
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("local_chat", roomId=room, text="x" * 17_000, mode="room")
    assert await ann.wait_closed() == 1009
    await bob.wait("member_left", userId="ann")
    await bob.send("heartbeat", roomId=room, clientTimeMs=5)
    await bob.wait("heartbeat_ack")


async def test_origin_allowlist(edge):
    with pytest.raises(websockets.InvalidStatus):
        await websockets.connect(edge.url, origin="http://evil.example")
    ok = await websockets.connect(edge.url, origin=ORIGIN)
    await ok.close()


async def test_msgpack_subprotocol(edge, issuer, room, player):
    import msgspec

    ann = await player("ann")
    ws = await websockets.connect(edge.url, subprotocols=["virtubar.msgpack", "virtubar.json"])
    assert ws.subprotocol == "virtubar.msgpack"
    token = issuer.issue("realtime", "bin", room=room, platform="vr")
    join = {"v": 1, "t": "join_room", "ts": 0, "payload": {"roomId": room, "token": token}}
    await ws.send(msgspec.msgpack.encode(join))
    state = msgspec.msgpack.decode(await ws.recv())
    assert state["t"] == "room_state" and {m["userId"] for m in state["payload"]["members"]} == {"ann", "bin"}
    await ann.send("avatar_transform", roomId=room, **move(1, 10.4, 7.4))
    while True:
        frame = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(frame, bytes)
        events = msgspec.msgpack.decode(frame)
        if isinstance(events, list) and events[0]["t"] == "avatar_transform_broadcast":
            assert events[0]["payload"]["x"] == 10.4
            break
    await ws.close()


async def test_reconnect_gets_last_known_transforms_and_missed_chat(edge, issuer, room, player):
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("local_chat", roomId=room, text="before", mode="room")
    last = (await bob.wait("chat_broadcast", text="before"))["messageId"]
    await bob.close()
    await ann.wait("member_left", userId="bob")
    await ann.send("avatar_transform", roomId=room, **move(7, 10.2, 7.2, anim="dance"))  # bob misses this
    await ann.wait("avatar_transform_broadcast", userId="ann")
    for text in ("missed 1", "missed 2"):
        await ann.send("local_chat", roomId=room, text=text, mode="room")
    await ann.wait("chat_broadcast", text="missed 2")
    again = await Client.connect(edge.url)
    state = await again.join(room, issuer.issue("realtime", "bob", room=room, platform="desktop"),
                             lastMessageId=last)
    members = {m["userId"]: m for m in state["members"]}
    assert set(members) == {"ann", "bob"}
    assert (members["ann"]["x"], members["ann"]["z"], members["ann"]["anim"]) == (10.2, 7.2, "dance")
    await again.wait("chat_broadcast", text="missed 2")
    assert [c["text"] for c in again.events("chat_broadcast")] == ["missed 1", "missed 2"]
    assert again.events("chat_gap") == []
    await again.close()


async def test_unrecoverable_chat_gap_is_reported_not_replayed(edge, issuer, room):
    client = await Client.connect(edge.url)
    await client.join(room, issuer.issue("realtime", "fay", room=room, platform="desktop"),
                      lastMessageId="1600000000000-0")
    assert (await client.wait("chat_gap"))["lastMessageId"] == "1600000000000-0"
    assert client.events("chat_broadcast") == []
    await client.close()


async def test_metrics_count_what_happened(edge, player, room):
    import httpx

    ann = await player("ann")
    await ann.send("emote", roomId=room, emoteId="nope")
    await ann.wait("error", code="unknown_emote")
    async with httpx.AsyncClient() as http:
        page = (await http.get(f"{edge.http}/metrics")).text
        assert (await http.get(f"{edge.http}/nothing")).status_code == 404
    lines = dict(line.rsplit(" ", 1) for line in page.splitlines() if not line.startswith("#"))
    assert float(lines["virtubar_edge_connections"]) >= 1
    assert float(lines['virtubar_edge_rejected_total{code="unknown_emote"}']) >= 1
    assert float(lines['virtubar_edge_messages_in_total{type="join_room"}']) >= 1
    assert float(lines['virtubar_edge_fanout_latency_ms_bucket{le="+Inf"}']) >= 1
