"""The join flow: everything the edge and SFU need, and fill rooms first."""

import asyncio
import base64
import hashlib
import hmac

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from virtubar import keys
from virtubar.registry import NodeInfo
from virtubar.settings import Settings
from virtubar.tokens import TokenError, TokenIssuer

from .conftest import sign_in


async def join(client, who, **body):
    return await client.post("/api/rooms/join", json=body, headers=who["headers"])


async def fill(state, room_id: str, n: int) -> None:
    for i in range(n):
        await state.put(keys.room_members(room_id), f"someone-{i}", b"", 60)


async def room(client, who, name="Bar", capacity=30, template="bar") -> str:
    r = await client.post(
        "/api/rooms", json={"name": name, "template": template, "capacity": capacity}, headers=who["headers"]
    )
    return r.json()["id"]


async def test_join_returns_everything_the_edge_and_sfu_need(client, player, tokens):
    me = await player("Ada")
    room_id = await room(client, me)
    r = await join(client, me, roomId=room_id, platform="mobile")
    assert r.status_code == 200
    body = r.json()
    assert body["roomId"] == room_id and body["room"]["occupancy"] == 1
    assert body["edgeUrl"] == "ws://edge-1.test/ws" and body["sfuUrl"] == "ws://sfu-1.test/sfu"
    assert body["world"]["template"] == "bar" and body["expiresIn"] == 60  # as long as the reservation
    rt = tokens.verify(body["realtimeToken"], "realtime", room=room_id)
    vt = tokens.verify(body["voiceToken"], "voice", room=room_id)
    assert rt.sub == vt.sub == me["user"]["id"] and rt.platform == "mobile" and rt.name == "Ada"
    for token, kind in (
        (body["realtimeToken"], "voice"),
        (body["voiceToken"], "realtime"),
        (body["realtimeToken"], "api"),
    ):
        with pytest.raises(TokenError):
            tokens.verify(token, kind)
    with pytest.raises(TokenError) as wrong_room:
        tokens.verify(body["realtimeToken"], "realtime", room="f" * 32)
    assert wrong_room.value.code == "token_wrong_room"


async def test_turn_credentials_follow_the_coturn_rest_scheme(client, player):
    me = await player()
    body = (await join(client, me, template="bar")).json()
    stun, turn = body["iceServers"]
    assert stun == {"urls": ["stun:stun.example.org:3478"]}
    expiry, user = turn["username"].split(":")
    assert user == me["user"]["id"] and int(expiry) > 0
    expected = base64.b64encode(hmac.new(b"turn-shared-secret", turn["username"].encode(), hashlib.sha1).digest())
    assert turn["credential"] == expected.decode()


async def test_quick_join_fills_the_fullest_room_with_space_first(client, player, state):
    me = await player()
    quiet, busy, full = (
        await room(client, me, "Quiet"),
        await room(client, me, "Busy"),
        await room(client, me, "Full", capacity=5),
    )
    await fill(state, quiet, 1)
    await fill(state, busy, 4)
    await fill(state, full, 5)
    newcomer = await player()
    r = await join(client, newcomer, template="bar")
    assert r.json()["roomId"] == busy and r.json()["room"]["occupancy"] == 5


async def test_quick_join_opens_a_new_room_when_all_are_full(client, player, state):
    me = await player()
    only = await room(client, me, "Tiny", capacity=2)
    await fill(state, only, 2)
    r = await join(client, await player(), template="bar")
    assert r.status_code == 200 and r.json()["roomId"] != only
    assert r.json()["room"]["name"] == "Bar #2" and r.json()["room"]["public"]
    again = await join(client, await player(), template="bar")
    assert again.json()["roomId"] == r.json()["roomId"]  # the new room is filled next


async def test_quick_join_skips_private_rooms_and_other_templates(client, player, state):
    me = await player()
    r = await client.post(
        "/api/rooms", json={"name": "Private", "template": "office", "public": False}, headers=me["headers"]
    )
    private = r.json()["id"]
    other = await room(client, me, "A bar")
    await fill(state, other, 3)
    body = (await join(client, await player(), template="office")).json()
    assert body["roomId"] not in (private, other) and body["room"]["template"] == "office"


async def test_an_explicit_full_room_is_409_and_reserves_nothing(client, player, state):
    me = await player()
    room_id = await room(client, me, capacity=2)
    await fill(state, room_id, 2)
    r = await join(client, me, roomId=room_id)
    assert r.status_code == 409 and "full" in r.json()["detail"]
    assert len(await state.members(keys.room_members(room_id))) == 2


async def test_no_realtime_token_outlives_the_place_its_join_reserved(settings, state, nodes):
    """Capacity 1: the first player joins but never connects; once the
    reservation lapses, the second player gets the place and the first
    player's token no longer opens the room (the edge refuses it)."""
    settings.reservation_s = 1
    app = create_app(settings, state)
    await app.state["services"].db.migrate()
    tokens = app.state["services"].tokens
    async with AsyncTestClient(app) as client:
        late, prompt = await sign_in(client), await sign_in(client)
        room_id = await room(client, late, capacity=1)
        first = (await join(client, late, roomId=room_id)).json()
        claims = tokens.verify(first["realtimeToken"], "realtime", room=room_id)
        assert claims.exp - claims.iat <= settings.reservation_s and first["expiresIn"] <= settings.reservation_s
        assert (await join(client, prompt, roomId=room_id)).status_code == 409
        await asyncio.sleep(2.2)
        assert (await join(client, prompt, roomId=room_id)).status_code == 200
    with pytest.raises(TokenError) as old:
        tokens.verify(first["realtimeToken"], "realtime", room=room_id)
    assert old.value.code == "token_expired"


def test_realtime_tokens_live_at_most_300_s_however_long_the_reservation():
    settings = Settings(token_secret="s" * 32, reservation_s=3600)
    assert TokenIssuer.from_settings(settings).ttl["realtime"] == 300


async def test_rejoining_does_not_take_a_second_place(client, player, state):
    me = await player()
    room_id = await room(client, me, capacity=1)
    assert (await join(client, me, roomId=room_id)).status_code == 200
    assert (await join(client, me, roomId=room_id)).status_code == 200
    assert (await join(client, await player(), roomId=room_id)).status_code == 409


async def test_join_picks_the_least_loaded_live_edge_and_one_sfu_per_room(client, player, nodes):
    await nodes.announce(
        NodeInfo(id="edge-1", kind="edge", url="ws://edge-1.test/ws", region="eu", capacity=100, load=90)
    )
    await nodes.announce(
        NodeInfo(id="edge-2", kind="edge", url="ws://edge-2.test/ws", region="eu", capacity=100, load=10)
    )
    await nodes.announce(NodeInfo(id="edge-3", kind="edge", url="ws://edge-3.test/ws", region="us", capacity=100))
    me = await player()
    room_id = await room(client, me)
    first = (await join(client, me, roomId=room_id)).json()
    assert first["edgeUrl"] == "ws://edge-2.test/ws"
    # A second SFU appears with less load: members of this room still meet on the first one.
    await nodes.announce(NodeInfo(id="sfu-2", kind="sfu", url="ws://sfu-2.test/sfu", region="eu", capacity=1000))
    second = (await join(client, await player(), roomId=room_id)).json()
    assert second["sfuUrl"] == first["sfuUrl"] == "ws://sfu-1.test/sfu"
    us = (await join(client, await player(), roomId=room_id, region="us")).json()
    assert us["edgeUrl"] == "ws://edge-3.test/ws"


async def test_join_without_a_live_edge_is_503_with_retry_after(client, player, nodes, state):
    await state.drop(keys.nodes("edge"), "edge-1")
    r = await join(client, await player(), template="bar")
    assert r.status_code == 503 and r.headers["retry-after"] == "5"


async def test_join_needs_exactly_one_of_room_and_template(client, player):
    me = await player()
    assert (await join(client, me)).status_code == 422
    assert (await join(client, me, roomId="a" * 32, template="bar")).status_code == 422
    assert (await join(client, me, roomId="b" * 32)).status_code == 404


async def test_join_hands_the_rooms_world_to_the_edge_and_sfu(client, player, state):
    me = await player()
    world = (await client.post("/api/rooms/join", json={"template": "office"}, headers=me["headers"])).json()
    published = await state.members(keys.room_setup(world["roomId"]))
    assert msgspec.json.decode(published["world"]) == world["world"]
