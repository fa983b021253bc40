"""The SFU node's ASGI app: signaling at ``/sfu`` (for pages of the allowed
origins, see ``virtubar.origins``), Prometheus text at ``/metrics`` (for the
readers ``virtubar.metricsauth`` lets in); the lifespan starts the selection
tick and the registry heartbeat and drains the node on shutdown."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import asynccontextmanager

from litestar import Litestar, MediaType, Request, Response, WebSocket, get, websocket

from sfu_node import session
from sfu_node.config import SfuConfig
from sfu_node.node import SfuNode
from virtubar import lifecycle, logs
from virtubar.metricsauth import CHALLENGE, metrics_refusal
from virtubar.origins import origin_allowed
from virtubar.settings import Settings
from virtubar.state import SharedState
from virtubar.world import World

CLOSE_ORIGIN = 4403  # before the handshake completes: the browser sees HTTP 403
log = logging.getLogger(__name__)


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
        origin = socket.headers.get("origin")
        if not origin_allowed(origin, settings.allowed_origins, allow_missing=True):
            log.warning("signaling socket refused: origin %r is not in VIRTUBAR_ALLOWED_ORIGINS", origin)
            await socket.close(code=CLOSE_ORIGIN, reason="origin not allowed")
            return
        await session.serve(socket, node)

    @get("/metrics", media_type=MediaType.TEXT, sync_to_thread=False)
    def metrics(request: Request) -> Response[str]:
        refusal = metrics_refusal(settings.metrics_token, request.headers.get,
                                  request.client.host if request.client else None)
        if refusal:
            return Response(refusal[1], status_code=refusal[0], headers=dict([CHALLENGE]))
        return Response(node.metrics_text())

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
