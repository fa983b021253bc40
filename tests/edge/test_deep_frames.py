"""A frame nested thousands of levels deep gets an error, and its socket
stays open (JSON and msgpack)."""

from __future__ import annotations

import asyncio

import msgspec
import pytest
import websockets

from realtime_edge.protocol import BadMessage, decode
from tests.edge.client import Client

DEPTH = 5000


def deep(binary: bool, where: str) -> bytes | str:
    """5,000 nested arrays: the whole frame, or a field of a heartbeat's payload."""
    codec = msgspec.msgpack if binary else msgspec.json
    nested = b"\x91" * DEPTH + b"\x90" if binary else b"[" * DEPTH + b"]" * DEPTH
    if where == "payload":
        mark = codec.encode("NESTED-HERE")
        heartbeat = {"v": 1, "t": "heartbeat", "ts": 0, "payload": {"roomId": "r", "clientTimeMs": 1,
                                                                   "extra": "NESTED-HERE"}}
        nested = codec.encode(heartbeat).replace(mark, nested)
    return nested if binary else nested.decode()


@pytest.mark.parametrize("where", ["frame", "payload"])
@pytest.mark.parametrize("binary", [False, True])
def test_deep_nesting_is_a_bad_message(binary, where):
    frame = deep(binary, where)
    with pytest.raises(BadMessage) as e:
        decode(frame, binary)
    assert e.value.error.code == "malformed" and "nested too deeply" in e.value.error.message


async def test_a_deeply_nested_json_frame_leaves_the_socket_open(edge, issuer, room):
    ann = await Client.connect(edge.url)
    await ann.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop", name="Ann"))
    for where in ("frame", "payload"):
        await ann.ws.send(deep(False, where))
    await ann.send("heartbeat", roomId=room, clientTimeMs=7)
    await ann.wait("heartbeat_ack", clientTimeMs=7)
    assert [e["code"] for e in ann.events("error")] == ["malformed", "malformed"]
    assert ann.closed_with is None
    await ann.close()


async def test_a_deeply_nested_msgpack_frame_leaves_the_socket_open(edge, issuer, room):
    ws = await websockets.connect(edge.url, subprotocols=["virtubar.msgpack"])
    token = issuer.issue("realtime", "bin", room=room, platform="desktop", name="Bin")
    join = {"v": 1, "t": "join_room", "ts": 0, "payload": {"roomId": room, "token": token}}
    await ws.send(msgspec.msgpack.encode(join))
    assert msgspec.msgpack.decode(await ws.recv())["t"] == "room_state"
    for where in ("frame", "payload"):
        await ws.send(deep(True, where))
    await ws.send(msgspec.msgpack.encode({"v": 1, "t": "heartbeat", "ts": 0,
                                          "payload": {"roomId": room, "clientTimeMs": 9}}))
    seen = []
    while not seen or seen[-1]["t"] != "heartbeat_ack":
        frame = msgspec.msgpack.decode(await asyncio.wait_for(ws.recv(), 5))
        seen += frame if isinstance(frame, list) else [frame]
    assert [(e["t"], e["payload"].get("code")) for e in seen if e["t"] == "error"] == [("error", "malformed")] * 2
    await ws.close()
