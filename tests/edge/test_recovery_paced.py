"""A rejoining member gets every chat line it missed, however many the
history holds, and keeps its socket."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from realtime_edge.connection import Conn
from realtime_edge.recovery import ENVELOPES_PER_FRAME, pack, replay
from tests.edge.client import Client
from virtubar import wire
from virtubar.bus import RedisStreamsBus


def chat(i: int) -> wire.Envelope:
    return wire.envelope(wire.ChatBroadcast(userId="ann", text=f"line {i}", messageId=f"{i}-0", mode="room"))


def pieces(n: int, binary: bool) -> list[bytes]:
    codec = msgspec.msgpack if binary else msgspec.json
    return [codec.encode(chat(i)) for i in range(n)]


def texts(frames: list, binary: bool) -> list[str]:
    codec = msgspec.msgpack if binary else msgspec.json
    return [env["payload"]["text"] for frame in frames for env in codec.decode(frame)]


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("n", [1, 15, 16, ENVELOPES_PER_FRAME, 1000])
def test_a_backlog_is_packed_into_array_frames_in_order(binary, n):
    frames = pack(pieces(n, binary), binary)
    assert len(frames) == -(-n // ENVELOPES_PER_FRAME)
    assert texts(frames, binary) == [f"line {i}" for i in range(n)]


class SlowSocket:
    """An ASGI send that takes a moment per frame, like a client on a slow link."""

    def __init__(self) -> None:
        self.frames: list = []

    async def send(self, message: dict) -> None:
        await asyncio.sleep(0.002)
        if message["type"] == "websocket.send":
            self.frames.append(message.get("text", message.get("bytes")))
        else:
            self.frames.append(message)


async def test_a_replay_waits_for_a_small_queue_and_keeps_later_events_in_order():
    socket = SlowSocket()
    conn = Conn(False, queue_size=4)
    reader = asyncio.create_task(asyncio.sleep(60))
    conn.start(socket.send, reader)
    conn.held = []
    missed = pieces(1000, False)

    held = 0

    async def live_events():  # arrive while the replay is under way: held, then sent after it
        nonlocal held
        for i in range(1000, 1010):
            frame = msgspec.json.encode(chat(i)).decode()
            if conn.held is not None:  # as the node delivers a room's events
                conn.held.append((f"{i}-0", frame))
                held += 1
            else:
                conn.push(frame)
            await asyncio.sleep(0)

    await asyncio.gather(replay(conn, missed, [f"{i}-0" for i in range(1000)]), live_events())
    assert held > 0
    while conn._writer is not None:
        await asyncio.sleep(0.01)
    assert not conn.closed and conn.held is None
    assert texts(socket.frames, False) == [f"line {i}" for i in range(1010)]
    reader.cancel()


async def test_held_events_the_replay_covered_are_not_sent_twice():
    socket = SlowSocket()
    conn = Conn(True, queue_size=4)
    reader = asyncio.create_task(asyncio.sleep(60))
    conn.start(socket.send, reader)
    conn.held = [("1-0", msgspec.msgpack.encode(chat(1))), ("2-0", msgspec.msgpack.encode(chat(2)))]
    await replay(conn, pieces(2, True), ["0-0", "1-0"])
    while conn._writer is not None:
        await asyncio.sleep(0.01)
    assert texts(socket.frames, True) == ["line 0", "line 1", "line 2"]
    reader.cancel()


@pytest.fixture(scope="module")
def wsserve_edge(start_edge):
    return start_edge("websockets")


@pytest.mark.parametrize("server", ["granian", "websockets"])
async def test_a_300_line_backlog_is_recovered_whole(request, server, issuer, room, redis_url):
    edge = request.getfixturevalue("edge" if server == "granian" else "wsserve_edge")
    bus = RedisStreamsBus(redis_url)
    try:
        last = await bus.publish(room, msgspec.json.encode(chat(-1)))
        for i in range(300):  # what the room said while the member was away
            await bus.publish(room, msgspec.json.encode(chat(i)))
    finally:
        await bus.close()
    back = await Client.connect(edge.url)
    await back.join(room, issuer.issue("realtime", "bob", room=room, platform="desktop", name="Bob"),
                    lastMessageId=last)
    await back.wait("chat_broadcast", text="line 299", timeout=15)
    assert [c["text"] for c in back.events("chat_broadcast")] == [f"line {i}" for i in range(300)]
    assert back.events("chat_gap") == [] and back.closed_with is None
    await back.send("heartbeat", roomId=room, clientTimeMs=1)
    await back.wait("heartbeat_ack")
    await back.close()
