"""The security headers every HTTP answer of VirtuBar carries (the API on
its own, and everything the embedded server serves): a Content-Security-Policy
per kind of page, no framing, no type sniffing, no referrer."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


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


async def add_security_headers(message: Any, scope: Any) -> None:
    """Add ``security_headers`` to an HTTP answer's start, keeping any the
    answer sets itself (an evidence download sets a stricter policy).
    Shaped as a Litestar ``before_send`` hook, which sees every answer,
    routing errors included (typed Any: Litestar types its messages and
    scopes as TypedDicts, plain ASGI apps as dicts)."""
    if scope["type"] != "http" or message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    present = {bytes(k).lower() for k, _ in headers}
    message["headers"] = headers + [(k, v) for k, v in security_headers(scope["path"]) if k not in present]


class SecurityHeaders:
    """``add_security_headers`` around any ASGI app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_secured(message: Any) -> None:
            await add_security_headers(message, scope)
            await send(message)

        await self.app(scope, receive, send_secured)
