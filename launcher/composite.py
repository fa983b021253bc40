"""One ASGI app made of several: routes by path prefix and fans the lifespan
out to every part, so the embedded mode serves the API, the edge, the SFU
signaling and the client from one process; every HTTP answer carries the
security headers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from virtubar.headers import SecurityHeaders

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
# Parameters typed Any: each part types its own scope (Litestar's TypedDicts,
# the edge's plain dict), and the composite only routes on "type" and "path".
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


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
