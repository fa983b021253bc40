"""One delivery that fails must not stop the node's fan-out: every later
chat line and move in every room still goes out."""

from __future__ import annotations

import asyncio

from realtime_edge.config import EdgeConfig
from realtime_edge.node import EdgeNode
from virtubar.bus import LocalBus
from virtubar.settings import Settings
from virtubar.state import LocalState


async def test_a_failing_delivery_is_logged_and_the_next_one_still_goes_out(tmp_path):
    bus = LocalBus()
    node = EdgeNode(Settings(data=tmp_path, token_secret="x" * 32), LocalState(), bus, EdgeConfig())
    seen: list[bytes] = []

    def deliver(d):
        seen.append(d.data)
        if d.data == b"first":
            raise RuntimeError("a bug in one room's fan-out")

    node.deliver = deliver
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
