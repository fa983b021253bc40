"""Serve the edge with the ``websockets`` library's asyncio server.

granian holds about 150 KB per open WebSocket (its ASGI and RSGI interfaces
alike, measured with a bare echo app); the ``websockets`` server about 18 KB
(10,000 joined players, everything the node holds for them included).
A node meant for many mostly idle players runs the same ``EdgeApp`` here,
behind a small ASGI bridge:

    python -m realtime_edge.wsserve          # VIRTUBAR_HOST / VIRTUBAR_PORT

Upgrades are checked before the handshake (path, ``Origin``, draining: HTTP
403/503); ``/metrics`` and ``/healthz`` are answered as plain HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request
from websockets.typing import Subprotocol

from realtime_edge.app import EdgeApp, create_app
from realtime_edge.config import EdgeConfig
from realtime_edge.protocol import choose_subprotocol
from virtubar.metricsauth import CHALLENGE, metrics_refusal
from virtubar.origins import origin_allowed
from virtubar.oslimits import raise_open_files
from virtubar.settings import Settings


class _Bridge:
    """ASGI ``receive``/``send`` over one accepted ``websockets`` connection."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.connected = False

    async def receive(self) -> dict:
        if not self.connected:
            self.connected = True
            return {"type": "websocket.connect"}
        try:
            data = await self.ws.recv()
        except websockets.ConnectionClosed as e:
            return {"type": "websocket.disconnect", "code": e.rcvd.code if e.rcvd else 1006}
        if isinstance(data, str):
            return {"type": "websocket.receive", "text": data}
        return {"type": "websocket.receive", "bytes": data}

    async def send(self, message: dict) -> None:
        kind = message["type"]
        if kind == "websocket.send":
            text = message.get("text")
            await self.ws.send(text if text is not None else message["bytes"])
        elif kind == "websocket.close":
            reading = asyncio.create_task(self._discard())
            await self.ws.close(message.get("code", 1000), message.get("reason", ""))
            await reading

    async def _discard(self) -> None:
        """Read past what the client still sends, up to its close frame: a
        flooding client's messages in flight would otherwise hold its answer
        to our close behind them (the library stops reading while its queue is full)."""
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await self.ws.recv()


def _scope(request: Request) -> dict:
    """The scope ``EdgeApp`` reads (path, Origin, subprotocols): it lives as
    long as the socket, so it carries no other header."""
    url = urlsplit(request.path)
    origin = request.headers.get("Origin")
    return {
        "type": "websocket", "path": url.path, "query_string": url.query.encode(),
        "headers": [] if origin is None else [(b"origin", origin.encode("latin-1"))],
        "subprotocols": [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()],
    }


async def run(app: EdgeApp, host: str, port: int, stop: asyncio.Future | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or until ``stop`` is done, when given), then drain."""
    node, config = app.node, app.config

    def check(conn: ServerConnection, request: Request):
        path = urlsplit(request.path).path.rstrip("/")
        if request.headers.get("Upgrade", "").lower() != "websocket":
            if path.endswith("/metrics"):
                refusal = metrics_refusal(app.metrics_token, request.headers.get, conn.remote_address[0])
                if refusal is None:
                    return conn.respond(200, node.metrics.render())
                response = conn.respond(*refusal)
                response.headers[CHALLENGE[0]] = CHALLENGE[1]
                return response
            if path.endswith("/healthz"):
                return conn.respond(503 if node.draining else 200, "ok")
            return conn.respond(404, "not found: the edge serves a WebSocket at /ws")
        if not (path.endswith("/ws") or path == ""):
            return conn.respond(404, "not found")
        if not origin_allowed(request.headers.get("Origin"), app.allowed, config.allow_no_origin):
            node.metrics.inc("virtubar_edge_refused_total", reason="origin")
            return conn.respond(403, "origin not allowed")
        if node.draining:
            return conn.respond(503, "draining: reconnect to another node")
        return None

    async def handler(ws: ServerConnection) -> None:
        request, response = ws.request, ws.response
        if request is None or response is None:  # set by the handshake, which precedes the handler
            return
        bridge, scope = _Bridge(ws), _scope(request)
        request.headers = response.headers = Headers()  # the handshake's headers: ~2 KB per idle socket
        await app(scope, bridge.receive, bridge.send)

    def subprotocol(_conn: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        chosen = choose_subprotocol(list(offered))
        return None if chosen is None else Subprotocol(chosen)

    node.start()
    async with serve(
        handler, host, port, process_request=check, compression=None, ping_interval=None,
        max_size=config.max_message_bytes, max_queue=64, server_header=None, backlog=4096,
        select_subprotocol=subprotocol,
    ) as server:
        if stop is None:
            stop = asyncio.get_running_loop().create_future()
            for sig in (signal.SIGTERM, signal.SIGINT):
                asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        await stop
        await node.drain()
        server.close(close_connections=True)


def main() -> None:
    raise_open_files()
    settings = Settings.from_env()
    asyncio.run(run(create_app(settings, config=EdgeConfig.from_env()), settings.host, settings.port))


if __name__ == "__main__":
    main()
