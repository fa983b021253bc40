"""The node's fan-out keeps going whatever happens around it: one delivery
that fails, or a wall clock that steps back between two joins."""

from __future__ import annotations

import asyncio
import json

from realtime_edge.config import EdgeConfig
from realtime_edge.connection import Conn
from realtime_edge.node import EdgeNode
from virtubar import wire
from virtubar.bus import LocalBus
from virtubar.settings import Settings
from virtubar.state import LocalState
from virtubar.tokens import TokenIssuer


async def test_a_failing_delivery_is_logged_and_the_next_one_still_goes_out(tmp_path):
    bus = LocalBus()
    node = EdgeNode(Settings(data=tmp_path, token_secret="x" * 32), LocalState(), bus, EdgeConfig())
    seen: list[bytes] = []

    def deliver(d):
        seen.append(d.data)
        if d.data == b"first":
            raise RuntimeError("a bug in one room's fan-out")

    node.delivery.deliver = deliver
    await bus.subscribe("room-1")
    node.start()
    try:
        await bus.publish("room-1", b"first")
        await bus.publish("room-1", b"second")
        async with asyncio.timeout(5):
            while len(seen) < 2:
                await asyncio.sleep(0.01)
    finally:
        await node.stop()
    assert seen == [b"first", b"second"]


async def test_a_member_already_here_is_told_of_a_newcomer_even_if_the_wall_clock_steps_back(tmp_path, monkeypatch):
    settings = Settings(data=tmp_path, token_secret="x" * 32)
    node = EdgeNode(settings, LocalState(), LocalBus(), EdgeConfig())
    tokens = TokenIssuer.from_settings(settings)
    heard: dict[str, list[str]] = {"ada": [], "bo": []}
    clock, readers = [2_000_000], []

    def join(user: str) -> tuple[Conn, str]:
        conn = Conn(False, 64)

        async def send(message: dict) -> None:
            heard[user] += [e["t"] for e in json.loads(message["text"])] if message["text"][0] == "[" else [
                json.loads(message["text"])["t"]]

        readers.append(asyncio.create_task(asyncio.sleep(3600)))  # stands in for the socket's reader
        conn.start(send, readers[-1])
        token = tokens.issue("realtime", user, name=user, room="room-1", platform="desktop")
        return conn, json.dumps({"v": 1, "t": "join_room", "ts": 0, "payload": {"roomId": "room-1", "token": token}})

    node.start()
    try:
        ada, ada_join = join("ada")
        bo, bo_join = join("bo")
        with monkeypatch.context() as m:
            m.setattr(wire, "now_ms", lambda: clock[0])
            await node.handle(ada, ada_join)
            clock[0] = 1_000_000  # the wall clock steps back before Bo joins
            await node.handle(bo, bo_join)
        async with asyncio.timeout(5):
            while "member_joined" not in heard["ada"]:
                await asyncio.sleep(0.01)
    finally:
        await node.stop()
        for reader in readers:
            reader.cancel()
    assert "member_joined" not in heard["bo"]  # Bo learnt of Ada from its room_state
