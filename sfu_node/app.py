"""The SFU node's ASGI app: signaling at ``/sfu``, Prometheus text at
``/metrics``; the lifespan starts the selection tick and the registry
heartbeat and drains the node on shutdown."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager

from litestar import Litestar, MediaType, WebSocket, get, websocket

from sfu_node import session
from sfu_node.config import SfuConfig
from sfu_node.node import SfuNode
from virtubar import lifecycle, logs
from virtubar.settings import Settings
from virtubar.state import SharedState
from virtubar.world import World


def create_app(
    settings: Settings,
    state: SharedState | None = None,
    bus=None,
    *,
    world_of: Callable[[str], World] | None = None,
    drain_on_signal: bool = False,
    config: SfuConfig | None = None,
) -> Litestar:
    """With ``state``, rooms take their published worlds, moderation and
    positions from shared state and ``bus`` (the edge's presence); without,
    tests drive ``app.state.sfu.room(room_id).move(...)`` themselves.
    ``drain_on_signal``: when serving alone, drain on SIGTERM/SIGINT before
    granian drops the sockets (the embedded mode leaves signals to its host).
    ``config``: the SFU's own settings, by default from ``VIRTUBAR_SFU_*``."""
    logs.setup()
    node = SfuNode(settings, state, bus, world_of=world_of, config=config or SfuConfig.from_env())

    @websocket("/sfu")
    async def signaling(socket: WebSocket) -> None:
        await session.serve(socket, node)

    @get("/metrics", media_type=MediaType.TEXT, sync_to_thread=False)
    def metrics() -> str:
        return node.metrics_text()

    @asynccontextmanager
    async def lifespan(app: Litestar):
        await node.start()
        if drain_on_signal:
            lifecycle.drain_on_signal(node.drain)
        try:
            yield
        finally:
            await node.stop()

    app = Litestar(route_handlers=[signaling, metrics], lifespan=[lifespan])
    app.state.sfu = node
    return app
