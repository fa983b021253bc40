"""Every API request in the one log shape (``virtubar/logs.py``): each line a
request writes carries its ``requestId`` (and ``userId`` when the access
token is valid), the response carries the id as ``X-Request-Id``, and one
``request`` line at the end gives the method, path, status and duration, so
an operator can go from a player's error report to the lines behind it."""

from __future__ import annotations

import logging
import re
import time
import uuid

from functions.ratelimit import bearer_sub
from virtubar import logs
from virtubar.tokens import TokenIssuer

CALLER_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
"""A request id a proxy in front (API Gateway, CloudFront, Caddy) already
gave the request is kept, so its logs and ours meet; anything else is
replaced rather than written into the logs."""
QUIET = ("/api/health",)  # polled every few seconds by health checks


def request_id(scope: dict) -> str:
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            given = value.decode("latin-1").strip()
            if CALLER_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex


class RequestLog:
    """ASGI middleware, outermost, so refused requests (429) are logged too."""

    def __init__(self, app, *, tokens: TokenIssuer) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = request_id(scope)
        status = 500  # what the server answers when the app fails before a response starts
        started = time.perf_counter()

        async def send_with_id(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), (b"x-request-id", rid.encode())]}
            await send(message)

        with logs.scope(requestId=rid, userId=bearer_sub(scope, self.tokens)):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                path = scope.get("path", "")
                if not path.startswith(QUIET):
                    logs.log("request", logging.WARNING if status >= 500 else logging.INFO, logger="functions",
                             method=scope.get("method"), path=path, status=status,
                             durationMs=round((time.perf_counter() - started) * 1000, 1))
