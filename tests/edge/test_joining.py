"""Joining at the edge: the room's capacity holds whatever the REST join
reserved, and names and avatars come from the token only."""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import pytest

from realtime_edge.joining import identity, room_capacity, take_place
from tests.edge.client import Client
from virtubar import keys
from virtubar.state import LocalState, RedisState
from virtubar.tokens import Claims
from virtubar.wire import AvatarLook


@pytest.fixture(params=["in-process", "redis-server"])
async def state(request):
    found = LocalState() if request.param == "in-process" else RedisState(request.getfixturevalue("redis_url"))
    yield found
    await found.close()


async def test_a_full_room_has_no_place_for_a_newcomer(state):
    room = f"r-{uuid.uuid4().hex[:8]}"
    await state.put(keys.room_setup(room), "capacity", b"2", 60)
    capacity = await room_capacity(state, room)
    assert capacity == 2
    await state.put(keys.room_members(room), "ann", b'{"userId":"ann"}', 60)  # connected
    assert await take_place(state, room, "bob", capacity, 60)  # a place is held for bob
    assert not await take_place(state, room, "cat", capacity, 60)
    assert set(await state.members(keys.room_members(room))) == {"ann", "bob"}  # cat holds nothing
    assert await take_place(state, room, "ann", capacity, 60)  # reconnecting: already counted
    await state.drop(keys.room_members(room), "ann")
    assert await take_place(state, room, "cat", capacity, 60)


async def test_racing_joins_never_both_take_the_last_place(state):
    room = f"r-{uuid.uuid4().hex[:8]}"
    results = await asyncio.gather(*(take_place(state, room, f"u{i}", 1, 60) for i in range(5)))
    assert sum(results) <= 1
    assert len(await state.members(keys.room_members(room))) == sum(results)


@pytest.mark.parametrize(("data", "capacity"), [(None, None), (b"8", 8), (b"0", None), (b'"x"', None), (b"{", None)])
async def test_capacity_as_published(data, capacity):
    state = LocalState()
    if data is not None:
        await state.put(keys.room_setup("r"), "capacity", data, 60)
    assert await room_capacity(state, "r") == capacity


def test_name_and_avatar_come_from_the_token():
    claims = Claims(iss="virtubar", aud="realtime", sub="u-1", exp=0, iat=0, jti="j", name="Ann")
    assert identity(claims) == ("Ann", "default", None)
    assert identity(msgspec.structs.replace(claims, name="")) == ("u-1", "default", None)
    robot = msgspec.structs.replace(claims, avatar="robot-112233-445566")
    assert identity(robot) == ("Ann", "robot-112233-445566", None)


# Through a real edge ------------------------------------------------------


async def test_a_capacity_one_room_refuses_a_second_player(edge, issuer, room, redis_url):
    """The second player's REST reservation has lapsed (it waited 62 s)
    while its realtime token is still good: the edge counts again."""
    shared = RedisState(redis_url)
    await shared.put(keys.room_setup(room), "capacity", b"1", 600)
    await shared.close()
    ann = await Client.connect(edge.url)
    await ann.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop", name="Ann"))
    bob = await Client.connect(edge.url)
    bob_token = issuer.issue("realtime", "bob", room=room, platform="desktop", name="Bob")
    await bob.send("join_room", roomId=room, token=bob_token)
    refused = await bob.wait("error")
    assert refused["code"] == "room_full" and refused["event"] == "join_room"
    assert bob.events("room_state") == [] and bob.closed_with is None
    again = await Client.connect(edge.url)  # ann reconnecting is not refused
    await again.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop", name="Ann"))
    assert await ann.wait_closed() == 4001
    await again.close()  # ann leaves: bob's place is free
    await bob.join(room, bob_token)
    await bob.close()


async def test_a_spoofed_name_and_avatar_never_reach_another_member(edge, issuer, room):
    ann = await Client.connect(edge.url)
    await ann.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop", name="Ann"))
    eve = await Client.connect(edge.url)
    spoof = {"userId": "eve", "displayName": "Moderator\n\u202eTeam", "avatarId": "../../x"}
    token = issuer.issue("realtime", "eve", room=room, platform="desktop", avatar="robot-112233-445566")  # no name
    await eve.join(room, token, user=spoof)
    joined = (await ann.wait("member_joined"))["member"]
    cat = await Client.connect(edge.url)
    await cat.join(room, issuer.issue("realtime", "cat", room=room, platform="desktop", name="Cat"))
    seen = [joined, *cat.events("room_state")[0]["members"], *eve.events("room_state")[0]["members"]]
    for member in (m for m in seen if m["userId"] == "eve"):
        assert member["displayName"] == "eve" and member["avatarId"] == "robot-112233-445566", member
    for client in (ann, eve, cat):
        await client.close()


async def test_a_look_comes_from_the_token_and_a_new_one_with_the_next_join(edge, issuer, room):
    """The whole look travels in the token (checked against what the player
    owns by the API); joining again with a token carrying another look
    redraws the member for the others."""
    ann = await Client.connect(edge.url)
    await ann.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop", name="Ann"))
    bo = await Client.connect(edge.url)
    capped = AvatarLook(body="slim", hat="cap", hatColour="#e63946")
    await bo.join(room, issuer.issue("realtime", "bo", room=room, platform="desktop", name="Bo", look=capped))
    joined = (await ann.wait("member_joined"))["member"]
    assert joined["look"] == {"body": "slim", "hat": "cap", "hatColour": "#e63946"}
    again = await Client.connect(edge.url)
    crowned = AvatarLook(hat="crown")
    await again.join(room, issuer.issue("realtime", "bo", room=room, platform="desktop", name="Bo", look=crowned))
    for _ in range(100):
        if any(e["member"].get("look") == {"hat": "crown"} for e in ann.events("member_joined")):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"no member_joined with the new look: {ann.events('member_joined')}")
    for client in (ann, bo, again):
        await client.close()
