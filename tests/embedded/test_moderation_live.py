"""Moderation reaches the live room: a moderator acts through the API and
the player's socket hears it within a second, end to end in the embedded
mode (``docs/protocol.md``, Moderation)."""

import asyncio
import time

import httpx
from websockets.asyncio.client import connect

from .test_join_flow import envelope, next_event


def sign_in(url: str, name: str) -> dict:
    me = httpx.post(f"{url}/api/auth/anonymous", json={"displayName": name}).json()
    return me | {"headers": {"Authorization": f"Bearer {me['accessToken']}"}}


def admin(url: str) -> dict:
    body = {"email": "admin@example.org", "username": "admin", "password": "a long admin password"}
    r = httpx.post(f"{url}/api/auth/register", json=body)
    if r.status_code == 409:
        r = httpx.post(f"{url}/api/auth/login", json={"login": "admin", "password": body["password"]})
    return r.json() | {"headers": {"Authorization": f"Bearer {r.json()['accessToken']}"}}


def room(url: str, owner: dict) -> str:
    return httpx.post(
        f"{url}/api/rooms", json={"name": "Moderated", "template": "bar"}, headers=owner["headers"]
    ).json()["id"]


def join(url: str, who: dict, room_id: str) -> httpx.Response:
    return httpx.post(f"{url}/api/rooms/join", json={"roomId": room_id}, headers=who["headers"])


async def enter(url: str, who: dict, room_id: str):
    ticket = join(url, who, room_id).json()
    ws = await connect(ticket["edgeUrl"], origin=url)
    await ws.send(envelope("join_room", {"roomId": room_id, "token": ticket["realtimeToken"]}))
    await next_event(ws, "room_state")
    return ws


def act(url: str, mod: dict, **body) -> httpx.Response:
    return httpx.post(f"{url}/api/moderation/actions", json={"reason": "be kind"} | body, headers=mod["headers"])


async def test_kick_reaches_the_player_within_a_second_and_closes_the_socket(embedded):
    url, _ = embedded
    mod, troll = admin(url), sign_in(url, "Troll")
    room_id = room(url, mod)
    ws = await enter(url, troll, room_id)
    started = time.monotonic()
    assert act(url, mod, type="kick", userId=troll["user"]["id"], roomId=room_id, reason="spam").status_code == 201
    told = await asyncio.wait_for(next_event(ws, "moderation_action"), 1.0)
    assert told == {"type": "kicked", "reason": "spam"}
    await asyncio.wait_for(ws.wait_closed(), 1.0)
    assert time.monotonic() - started < 1.0


async def test_a_banned_player_is_told_and_its_next_join_is_refused_with_reason(embedded):
    url, _ = embedded
    mod, troll = admin(url), sign_in(url, "Raider")
    room_id = room(url, mod)
    ws = await enter(url, troll, room_id)
    act(url, mod, type="ban", userId=troll["user"]["id"], roomId=room_id, durationS=3600, reason="raiding")
    assert (await asyncio.wait_for(next_event(ws, "moderation_action"), 1.0))["type"] == "banned"
    refused = join(url, troll, room_id)
    assert refused.status_code == 403 and "raiding" in refused.json()["detail"]


async def test_a_muted_players_chat_reaches_nobody(embedded):
    url, _ = embedded
    mod, loud, quiet = admin(url), sign_in(url, "Loud"), sign_in(url, "Quiet")
    room_id = room(url, mod)
    ws_loud, ws_quiet = await enter(url, loud, room_id), await enter(url, quiet, room_id)
    act(url, mod, type="mute", userId=loud["user"]["id"], roomId=room_id, channels="chat", durationS=600)
    await asyncio.wait_for(next_event(ws_loud, "moderation_action"), 1.0)
    await ws_loud.send(envelope("local_chat", {"roomId": room_id, "text": "SPAM SPAM", "mode": "room"}))
    assert (await next_event(ws_loud, "error"))["code"] == "muted"
    await ws_quiet.send(envelope("local_chat", {"roomId": room_id, "text": "still here", "mode": "room"}))
    heard = await next_event(ws_quiet, "chat_broadcast")
    assert heard["text"] == "still here"  # nothing of Loud's came first


async def test_a_block_hides_chat_both_ways(embedded):
    url, _ = embedded
    owner, ann, bob = sign_in(url, "Owner"), sign_in(url, "Ann"), sign_in(url, "Bob")
    room_id = room(url, owner)
    ws_ann, ws_bob, ws_owner = (
        await enter(url, ann, room_id),
        await enter(url, bob, room_id),
        await enter(url, owner, room_id),
    )
    assert (
        httpx.post(f"{url}/api/blocks", json={"userId": bob["user"]["id"]}, headers=ann["headers"]).status_code == 201
    )
    await asyncio.sleep(0.5)  # the block travels on the control stream
    for ws, text in ((ws_bob, "from bob"), (ws_ann, "from ann")):
        await ws.send(envelope("local_chat", {"roomId": room_id, "text": text, "mode": "room"}))
    seen_by_owner = {(await next_event(ws_owner, "chat_broadcast"))["text"] for _ in range(2)}
    assert seen_by_owner == {"from bob", "from ann"}  # everyone else hears both
    await ws_owner.send(envelope("local_chat", {"roomId": room_id, "text": "marker", "mode": "room"}))
    for ws, hidden in ((ws_ann, "from bob"), (ws_bob, "from ann")):
        texts = []
        while "marker" not in texts:
            texts.append((await next_event(ws, "chat_broadcast"))["text"])
        assert hidden not in texts, texts
