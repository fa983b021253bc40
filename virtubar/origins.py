"""Which pages may open a node's WebSockets (the edge's and the SFU's).

A browser always sends ``Origin``, so a page of another site cannot ride a
player's session by opening a socket from there; a client without one is not
a browser (the native and test clients), and each node says whether it
takes those. The allowlist is ``VIRTUBAR_ALLOWED_ORIGINS`` (``*`` for any).
"""

from __future__ import annotations


def origin_allowed(origin: str | None, allowed: list[str], allow_missing: bool) -> bool:
    """Browsers always send ``Origin``; only pages from allowed origins may
    open a socket. Without one it is not a browser."""
    if origin is None:
        return allow_missing
    return "*" in allowed or origin.rstrip("/") in {a.rstrip("/") for a in allowed}
