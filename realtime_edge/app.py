"""The edge as a raw ASGI app: the WebSocket at ``/ws``, ``/metrics``, and a
lifespan that starts the node and drains it on shutdown.

Raw ASGI (no framework) because every frame of every player passes here;
it runs under granian ``--interface asgi`` and can be mounted by the
embedded server (any path ending in ``/ws`` is the socket).
"""

from __future__ import annotations

import asyncio
import logging
import time

from realtime_edge.config import EdgeConfig
from realtime_edge.connection import Conn
from realtime_edge.logs import log
from realtime_edge.node import EdgeNode
from realtime_edge.protocol import MSGPACK, choose_subprotocol
from virtubar import logs
from virtubar.bus import RoomBus, open_bus
from virtubar.lifecycle import drain_on_signal
from virtubar.metricsauth import CHALLENGE, metrics_refusal
from virtubar.origins import origin_allowed
from virtubar.settings import Settings
from virtubar.state import SharedState, open_state

CLOSE_TOO_BIG = 1009
CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _oversized(data: bytes | str, limit: int) -> bool:
    if isinstance(data, bytes) or len(data) * 4 <= limit:
        return len(data) > limit
    return len(data.encode()) > limit


class EdgeApp:
    def __init__(self, settings: Settings, state: SharedState, bus: RoomBus, config: EdgeConfig) -> None:
        self.node = EdgeNode(settings, state, bus, config)
        self.config = config
        self.allowed = settings.allowed_origins
        self.metrics_token = settings.metrics_token

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            await self._socket(scope, receive, send)
        elif kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.node.start()
                if self.config.drain_on_signal:
                    drain_on_signal(self.node.drain)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.node.drain()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope, receive, send) -> None:
        headers = []
        if scope["path"].rstrip("/").endswith("/metrics"):
            refusal = metrics_refusal(self.metrics_token, lambda name: _header(scope, name.encode()),
                                      (scope.get("client") or (None,))[0])
            status, text = refusal or (200, self.node.metrics.render())
            body, ctype = text.encode(), b"text/plain; version=0.0.4"
            headers = [(CHALLENGE[0].encode(), CHALLENGE[1].encode())] if refusal else []
        elif scope["path"].rstrip("/").endswith("/healthz"):
            status, body, ctype = (503 if self.node.draining else 200), b"ok", b"text/plain"
        else:
            status, body, ctype = 404, b"not found: the edge serves a WebSocket at /ws", b"text/plain"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *headers]})
        await send({"type": "http.response.body", "body": body})

    async def _socket(self, scope, receive, send) -> None:
        node, metrics = self.node, self.node.metrics
        if (await receive())["type"] != "websocket.connect":
            return
        path = scope["path"].rstrip("/")
        origin = _header(scope, b"origin")
        if not (path.endswith("/ws") or path == ""):
            refusal = "path"
        elif not origin_allowed(origin, self.allowed, self.config.allow_no_origin):
            refusal = "origin"
        elif node.draining:
            refusal = "draining"
        else:
            refusal = None
        if refusal:
            metrics.inc("virtubar_edge_refused_total", reason=refusal)
            log("socket_refused", reason=refusal, origin=origin, path=scope["path"])
            await send({"type": "websocket.close", "code": CLOSE_TRY_LATER if refusal == "draining" else CLOSE_POLICY})
            return
        node.start()
        subprotocol = choose_subprotocol(list(scope.get("subprotocols") or ()))
        await send({"type": "websocket.accept", "subprotocol": subprotocol})
        conn = Conn(subprotocol == MSGPACK, self.config.send_queue)
        reader = asyncio.create_task(self._read(conn, receive))
        conn.start(send, reader)
        node.conns.add(conn)
        try:
            await _ended(reader)
        finally:
            await node.session.leave(conn)
            await conn.finish()

    async def _read(self, conn: Conn, receive) -> None:
        node, limit = self.node, self.config.max_message_bytes
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":
                return
            data = message.get("bytes")
            if data is None:
                data = message.get("text")
            del message  # not kept alive while the next one is awaited
            if data is None:
                continue
            if _oversized(data, limit):
                node.metrics.inc("virtubar_edge_rejected_total", code="too_big")
                conn.close(CLOSE_TOO_BIG, f"messages are limited to {limit} bytes")
                return
            conn.last_seen = time.monotonic()
            try:  # not ``survive``: this runs for every message, and its context is wanted only on failure
                await node.handle(conn, data)
            except Exception as error:  # a bug in one handler does not cost the player its socket
                room = conn.room.id if conn.room else None
                log("handle_failed", logging.ERROR, node=node.id, room=room, user=conn.user_id, error=repr(error))
            data = None  # an idle socket keeps no last message alive while it waits for the next


async def _ended(reader: asyncio.Task) -> None:
    """Wait for the socket's reader to end, however it ends. Awaited
    directly (not through ``asyncio.wait``, which costs each idle socket a
    future and a set); a close cancels the reader, which is not a
    cancellation of this task."""
    try:
        await reader
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
    except Exception as error:  # the reader's own failure: the socket ends, the node goes on
        log("socket_reader_failed", logging.ERROR, error=repr(error))


def create_app(settings: Settings, state: SharedState | None = None, bus: RoomBus | None = None,
               config: EdgeConfig | None = None) -> EdgeApp:
    """The edge for ``settings``; shared state and bus default to Redis when
    ``settings.redis_url`` is set, in-process otherwise."""
    logs.setup()
    return EdgeApp(settings, state or open_state(settings.redis_url, settings.redis_cluster),
                   bus or open_bus(settings.redis_url, settings.redis_cluster),
                   config or EdgeConfig.from_env())
