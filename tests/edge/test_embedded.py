"""The embedded default: the edge app in this process on the in-process bus
and state (as the one-process server runs it), still through real sockets."""

from __future__ import annotations

import asyncio

from infra.localservices import free_port
from realtime_edge import create_app
from realtime_edge.config import EdgeConfig
from realtime_edge.wsserve import run
from tests.edge.client import Client
from tests.edge.conftest import SECRET
from virtubar import keys
from virtubar.bus import LocalBus
from virtubar.settings import Settings
from virtubar.state import LocalState


async def test_embedded_edge_on_the_in_process_bus(tmp_path, issuer):
    port = free_port()
    settings = Settings(token_secret=SECRET, data=tmp_path, port=port).completed()
    state = LocalState()
    app = create_app(settings, state, LocalBus(), EdgeConfig())
    stop = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(run(app, "127.0.0.1", port, stop))
    await asyncio.sleep(0.3)
    url = f"ws://127.0.0.1:{port}/ws"
    try:
        ann, bob = await Client.connect(url), await Client.connect(url)
        await ann.join("lobby", issuer.issue("realtime", "ann", room="lobby", platform="desktop"))
        await bob.join("lobby", issuer.issue("realtime", "bob", room="lobby", platform="mobile"))
        await ann.send("avatar_transform", roomId="lobby", seq=1, x=10.3, y=0.0, z=7.3, rotY=0.0)
        await bob.wait("avatar_transform_broadcast", userId="ann")
        await bob.send("local_chat", roomId="lobby", text="hi ann", mode="room")
        assert (await ann.wait("chat_broadcast"))["text"] == "hi ann"
        assert set(await state.members(keys.room_members("lobby"))) == {"ann", "bob"}  # presence in shared state
        await bob.close()
        await ann.wait("member_left", userId="bob")
        assert set(await state.members(keys.room_members("lobby"))) == {"ann"}
        stop.set_result(None)  # shutdown drains: ann is told to reconnect
        assert (await ann.wait("reconnect"))["delayMs"] == EdgeConfig().drain_delay_ms
        assert await ann.wait_closed() == 1012
    finally:
        stop.done() or stop.set_result(None)
        await asyncio.wait_for(server, 10)
