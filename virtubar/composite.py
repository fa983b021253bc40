"""One ASGI app made of several: routes by path prefix and fans the lifespan
out to every part, so the embedded mode serves the API, the edge, the SFU
signaling and the client from one process; every HTTP answer carries the
security headers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _handler_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# The client (client/dist): its own scripts and styles, sockets to its own
# origin; inline styles for the offline page, whose one inline handler
# ("Try again") is allowed by its hash. Nothing may frame any of our pages.
APP_CSP = (
    "default-src 'self'; "
    f"script-src 'self' 'unsafe-hashes' {_handler_hash('location.reload()')}; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API documentation page (Scalar) loads its script, styles and fonts from CDNs.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; "
    "font-src 'self' data: https://cdn.jsdelivr.net https://fonts.scalar.com; img-src 'self' data: https:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# Everything else under /api is data, never a page.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PAGES = ("/api/schema", "/api/schema/scalar")


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every HTTP answer for ``path`` carries."""
    if path in DOCS_PAGES:
        csp = DOCS_CSP
    elif path == "/api" or path.startswith("/api/"):
        csp = API_CSP
    else:
        csp = APP_CSP
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
    ]


async def add_security_headers(message: dict, scope: Scope) -> None:
    """Add ``security_headers`` to an HTTP answer's start, keeping any the
    answer sets itself (an evidence download sets a stricter policy).
    Shaped as a Litestar ``before_send`` hook, which sees every answer,
    routing errors included."""
    if scope["type"] != "http" or message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    present = {bytes(k).lower() for k, _ in headers}
    message["headers"] = headers + [(k, v) for k, v in security_headers(scope["path"]) if k not in present]


class SecurityHeaders:
    """``add_security_headers`` around any ASGI app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_secured(message: dict) -> None:
            await add_security_headers(message, scope)
            await send(message)

        await self.app(scope, receive, send_secured)


class _Lifespan:
    """Drives one part's lifespan protocol from the outside."""

    def __init__(self, app: ASGIApp, scope: Scope) -> None:
        self._inbox: asyncio.Queue[dict] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(app, scope))

    async def _run(self, app: ASGIApp, scope: Scope) -> None:
        try:
            await app(scope, self._inbox.get, self._outbox.put)
        except Exception as e:  # a part without lifespan support, or one that failed
            await self._outbox.put({"type": "lifespan.startup.failed", "message": repr(e)})

    async def step(self, phase: str) -> dict:
        await self._inbox.put({"type": f"lifespan.{phase}"})
        return await self._outbox.get()


class Composite:
    def __init__(self, routes: list[tuple[str, ASGIApp]], fallback: ASGIApp) -> None:
        self.routes = routes
        self.fallback = fallback

    def _route(self, path: str) -> ASGIApp:
        for prefix, app in self.routes:
            if path == prefix or path.startswith(prefix + "/"):
                return app
        return self.fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
        else:
            await SecurityHeaders(self._route(scope["path"]))(scope, receive, send)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        parts: list[_Lifespan] = []
        await receive()  # lifespan.startup
        for app in [a for _, a in self.routes] + [self.fallback]:
            part = _Lifespan(app, scope)
            reply = await part.step("startup")
            if reply["type"] == "lifespan.startup.failed":
                await send({"type": "lifespan.startup.failed", "message": reply.get("message", "")})
                return
            parts.append(part)
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        for part in reversed(parts):
            await part.step("shutdown")
        await send({"type": "lifespan.shutdown.complete"})
