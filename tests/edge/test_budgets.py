"""Every client message type has a budget: over it, the message is dropped
and the sender told at most once a second; a socket that keeps at it is
closed (4008). Emotes and status changes are live only, so no flood of them
pushes chat out of the room's history. Through real sockets, on the
in-process bus (the embedded server) and on redis-server."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
import websockets

from realtime_edge.config import EdgeConfig
from tests.edge.client import Client
from virtubar.bus import LocalBus, RedisStreamsBus
from virtubar.state import LocalState


@pytest.fixture(params=["in-process", "redis"])
async def serve(request, start_edge, serve_in_process):
    """``serve(**config)``: the URL of an edge with those ``EdgeConfig``
    settings; ``serve.bus``: the bus it uses, to read a room's history."""
    bus = LocalBus() if request.param == "in-process" else RedisStreamsBus(request.getfixturevalue("redis_url"))

    async def start(**config) -> str:
        if request.param == "redis":
            # the websockets server (what ``virtubar edge`` runs) reads past a flood to the client's close
            return start_edge("websockets", **{f"VIRTUBAR_EDGE_{k.upper()}": str(v) for k, v in config.items()}).url
        return await serve_in_process(LocalState(), LocalBus(bus.streams), EdgeConfig(**config))

    start.bus = bus
    yield start
    await bus.close()


async def joined(url: str, issuer, room: str, user: str, **extra) -> Client:
    client = await Client.connect(url)
    await client.join(room, issuer.issue("realtime", user, room=room, platform="desktop"), **extra)
    return client


async def flood(client: Client, t: str, n: int, **payload) -> None:
    """Send ``n`` at once; the server may close the socket meanwhile."""
    with contextlib.suppress(websockets.ConnectionClosed):
        for _ in range(n):
            await client.send(t, **payload)


async def test_a_flood_of_emotes_and_status_changes_leaves_chat_recoverable(serve, issuer, room):
    url = await serve()
    ann, bob, cat = [await joined(url, issuer, room, u) for u in ("ann", "bob", "cat")]
    await ann.send("local_chat", roomId=room, text="before", mode="room")
    mark = (await bob.wait("chat_broadcast", text="before"))["messageId"]
    await bob.close()
    await ann.send("local_chat", roomId=room, text="missed", mode="room")
    await ann.wait("chat_broadcast", text="missed")
    await flood(ann, "emote", 1500, roomId=room, emoteId="clap")
    await flood(cat, "set_status", 1000, roomId=room, status="away")
    assert await ann.wait_closed() == 4008  # flooding
    assert await cat.wait_closed() == 4008
    again = await joined(url, issuer, room, "bob", lastMessageId=mark)
    await again.wait("chat_broadcast", text="missed")
    assert again.events("chat_gap") == []
    assert [c["text"] for c in again.events("chat_broadcast")] == ["missed"]
    members = {m["userId"]: m for m in again.events("room_state")[0]["members"]}
    assert set(members) == {"bob"}  # the flooders were closed and left
    await again.close()
    history = await serve.bus.history(room, mark)  # live only: neither emotes nor status in the room's history
    assert history.whole and not [d for _, d in history.entries if b"emote_broadcast" in d or b"status_changed" in d]


async def test_a_flood_reaches_others_only_within_the_budget(serve, issuer, room):
    url = await serve()
    ann, bob = await joined(url, issuer, room, "ann"), await joined(url, issuer, room, "bob")
    started = time.monotonic()
    await flood(ann, "emote", 1500, roomId=room, emoteId="clap")
    assert await ann.wait_closed() == 4008
    await bob.wait("member_left", userId="ann")
    relayed = len(bob.events("emote_broadcast"))
    assert 5 <= relayed <= 5 + 2 * (time.monotonic() - started) + 1, relayed  # burst 5, 2 a second
    assert len(ann.events("error", code="rate_limited", event="emote")) <= 1 + (time.monotonic() - started)
    await bob.close()


async def test_heartbeats_are_answered_only_within_their_budget(serve, issuer, room):
    url = await serve(flood_refusals=100_000)  # never closed: only the budget answers
    ann = await joined(url, issuer, room, "ann")
    started = time.monotonic()
    for n in range(2000):
        await ann.send("heartbeat", roomId=room, clientTimeMs=n)
    await asyncio.sleep(1.2)  # the budget refills: the next one is answered
    await ann.send("heartbeat", roomId=room, clientTimeMs=-1)
    await ann.wait("heartbeat_ack", clientTimeMs=-1)
    elapsed = time.monotonic() - started
    answered = len(ann.events("heartbeat_ack"))
    assert answered <= 5 + 3 * elapsed + 1, (answered, elapsed)  # burst 5, 3 a second
    told = ann.events("error", code="rate_limited")
    assert 1 <= len(told) <= 1 + elapsed and told[0]["event"] == "heartbeat"
    assert ann.closed_with is None
    await ann.close()
