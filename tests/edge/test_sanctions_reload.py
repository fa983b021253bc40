"""Sanctions hold on redis-server through a data loss: the API, a real edge
process and an SFU share one redis-server; after a FLUSHALL the nodes find
the functions' marker gone, ask the API to write every sanction and block
again from the database, and only then admit: a room-banned player's old
realtime and voice tokens are refused, a muted player stays muted, a blocked
player's chat never reaches the blocker. A kick keeps the player out of the
room for the cool-down, at the REST join and at the edge."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
import pytest
import redis.asyncio as redis

from functions import create_app as create_api
from infra.localservices import free_port, start_redis
from sfu_node import create_app as create_sfu
from tests.edge.client import Client
from tests.edge.conftest import ORIGIN, SECRET, EdgeProcess
from tests.sfu.conftest import serving
from tests.sfu.test_bans import voice_join
from virtubar.bus import RedisStreamsBus
from virtubar.moderation import loaded, mark_loaded
from virtubar.settings import Settings
from virtubar.state import RedisState


@dataclass
class Platform:
    api: httpx.AsyncClient
    redis_url: str
    admin: dict

    async def sign_in(self, name: str) -> dict:
        me = (await self.api.post("/api/auth/anonymous", json={"displayName": name})).json()
        return me | {"headers": {"Authorization": f"Bearer {me['accessToken']}"}}

    async def join(self, who: dict, room_id: str) -> httpx.Response:
        return await self.api.post("/api/rooms/join", json={"roomId": room_id}, headers=who["headers"])

    async def act(self, **body) -> None:
        body = {"reason": "raids"} | body
        r = await self.api.post("/api/moderation/actions", json=body, headers=self.admin["headers"])
        assert r.status_code == 201, r.text

    async def room(self) -> str:
        r = await self.api.post("/api/rooms", json={"name": "Pub", "template": "bar"}, headers=self.admin["headers"])
        return r.json()["id"]


@pytest.fixture
async def platform(tmp_path):
    service = start_redis(tmp_path / "redis")
    api_port, sfu_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    common = {"redis_url": service.url, "token_secret": SECRET, "host": "127.0.0.1"}
    api = create_api(Settings(data=tmp_path / "api", port=api_port, admin_emails=["boss@example.org"],
                              requests_per_minute=100_000, signups_per_hour=100_000, **common).completed())
    await api.state["services"].db.migrate()
    sfu_settings = Settings(data=tmp_path / "sfu", port=sfu_port, api_url=f"{api_url}/api", **common).completed()
    sfu = create_sfu(sfu_settings, RedisState(service.url), RedisStreamsBus(service.url))
    servers = [await serving(api, api_port), await serving(sfu, sfu_port)]
    edge = EdgeProcess(service.url, tmp_path, VIRTUBAR_API_URL=f"{api_url}/api")
    try:
        async with httpx.AsyncClient(base_url=api_url, timeout=10) as client:
            body = {"email": "boss@example.org", "username": "boss", "password": "a long admin password"}
            admin = (await client.post("/api/auth/register", json=body)).json()
            admin["headers"] = {"Authorization": f"Bearer {admin['accessToken']}"}
            yield Platform(client, service.url, admin)
    finally:
        edge.stop()
        for server, task in servers:
            server.stop()
            await asyncio.wait_for(task, 10)
        service.stop()


async def enter(ticket: dict) -> Client:
    client = await Client.connect(ticket["edgeUrl"], origin=ORIGIN)
    await client.join(ticket["roomId"], ticket["realtimeToken"])
    return client


async def test_after_a_flushall_the_rebuild_keeps_a_room_ban_a_mute_and_a_block(platform):
    room = await platform.room()
    troll, loud, ann, bob, obs = [await platform.sign_in(n) for n in ("Troll", "Loud", "Ann", "Bob", "Obs")]
    tickets = {}
    for who in (troll, loud, ann, bob, obs):
        r = await platform.join(who, room)  # tokens taken before the sanctions: still valid for 300 s
        assert r.status_code == 200, r.text
        tickets[who["user"]["id"]] = r.json()
    await platform.act(type="ban", userId=troll["user"]["id"], roomId=room)
    await platform.act(type="mute", userId=loud["user"]["id"], roomId=room, channels="chat")
    r = await platform.api.post("/api/blocks", json={"userId": bob["user"]["id"]}, headers=ann["headers"])
    assert r.status_code == 201

    flushing = redis.Redis.from_url(platform.redis_url)
    await flushing.flushall()  # the data loss: every mirrored sanction and block, and the marker, are gone
    await flushing.aclose()

    old = tickets[troll["user"]["id"]]
    edge = await Client.connect(old["edgeUrl"], origin=ORIGIN)
    await edge.send("join_room", roomId=room, token=old["realtimeToken"])
    refused = await edge.wait("auth_error", timeout=15)
    assert refused["code"] == "banned" and not edge.events("room_state")
    state = RedisState(platform.redis_url)
    assert await loaded(state)  # the edge asked, the API wrote it all back
    await state.close()
    first, closed = await voice_join(old["sfuUrl"], room, old["voiceToken"])
    assert (first["t"], first["payload"]["code"], closed) == ("auth_error", "banned", 4003)
    first, closed = await voice_join(old["sfuUrl"], room, tickets[obs["user"]["id"]]["voiceToken"])
    assert (first["t"], closed) == ("sfu_joined", None)

    ws = {u["user"]["displayName"]: await enter(tickets[u["user"]["id"]]) for u in (loud, ann, bob, obs)}
    try:
        await ws["Loud"].send("local_chat", roomId=room, text="SPAM", mode="room")
        assert (await ws["Loud"].wait("error"))["code"] == "muted"
        await ws["Bob"].send("local_chat", roomId=room, text="from bob", mode="room")
        await ws["Obs"].wait("chat_broadcast", text="from bob")
        await ws["Obs"].send("local_chat", roomId=room, text="from obs", mode="room")
        await ws["Ann"].wait("chat_broadcast", text="from obs")
        assert [c["text"] for c in ws["Ann"].events("chat_broadcast")] == ["from obs"]
        assert not ws["Obs"].events("chat_broadcast", text="SPAM")
    finally:
        await asyncio.gather(*(c.close() for c in ws.values()), edge.close())


async def test_a_kicked_player_is_kept_out_at_the_edge_and_the_rest_join(platform):
    room = await platform.room()
    kicked = await platform.sign_in("Kicked")
    ticket = (await platform.join(kicked, room)).json()
    edge = await enter(ticket)
    await platform.act(type="kick", userId=kicked["user"]["id"], roomId=room, reason="spamming")
    assert (await edge.wait("moderation_action"))["type"] == "kicked"
    assert await edge.wait_closed() == 4003
    again = await Client.connect(ticket["edgeUrl"], origin=ORIGIN)
    try:
        await again.send("join_room", roomId=room, token=ticket["realtimeToken"])  # the same, still valid token
        refused = await again.wait("auth_error")
        assert refused["code"] == "kicked" and "may return at" in refused["message"]
        assert not again.events("room_state")
    finally:
        await again.close()
    denied = await platform.join(kicked, room)
    assert denied.status_code == 403 and "may return at" in denied.json()["detail"]
    assert 0 < int(denied.headers["retry-after"]) <= 300


async def test_until_the_sanctions_are_back_nodes_answer_joins_with_reconnect(tmp_path, issuer):
    service = start_redis(tmp_path / "redis")
    nowhere = f"http://127.0.0.1:{free_port()}/api"  # the API is down: nobody can write the sanctions back
    sfu_port = free_port()
    settings = Settings(data=tmp_path / "sfu", port=sfu_port, redis_url=service.url, token_secret=SECRET,
                        api_url=nowhere).completed()
    server, task = await serving(create_sfu(settings, RedisState(service.url), RedisStreamsBus(service.url)), sfu_port)
    edge = EdgeProcess(service.url, tmp_path, VIRTUBAR_API_URL=nowhere)
    client = await Client.connect(edge.url, origin=ORIGIN)
    try:
        token = issuer.issue("realtime", "ann", room="room-1", platform="desktop")
        await client.send("join_room", roomId="room-1", token=token)
        told = await client.wait("reconnect", timeout=15)
        assert told["delayMs"] > 0 and "moderation" in told["reason"] and not client.events("room_state")
        voice = issuer.issue("voice", "ann", room="room-1", platform="desktop")
        first, closed = await voice_join(f"ws://127.0.0.1:{sfu_port}/sfu", "room-1", voice)
        assert (first["t"], closed) == ("reconnect", 4503)
        state = RedisState(service.url)
        await mark_loaded(state, "the API is back")
        await state.close()
        await client.join("room-1", token)  # the same token, once the sanctions are there
        first, closed = await voice_join(f"ws://127.0.0.1:{sfu_port}/sfu", "room-1", voice)
        assert (first["t"], closed) == ("sfu_joined", None)
    finally:
        await client.close()
        edge.stop()
        server.stop()
        await asyncio.wait_for(task, 10)
        service.stop()
