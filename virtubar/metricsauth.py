"""Who may read a node's ``/metrics`` (the edge's, the SFU's, the embedded
server's ``/ws/metrics``): they tell who is where and how busy the node is,
so they are not public.

With ``VIRTUBAR_METRICS_TOKEN`` set, a request needs
``Authorization: Bearer <token>``. Without it, only a client on the node's
own machine may read them: a loopback peer that did not come through a
proxy (a proxy on the same machine adds ``Forwarded``/``X-Forwarded-For``).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable

CHALLENGE = ("www-authenticate", 'Bearer realm="metrics"')
_PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def _loopback(host: str | None) -> bool:
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False  # a Unix socket or no peer at all: not provably this machine's client
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def metrics_refusal(secret: str, header: Callable[[str], str | None],
                    client_host: str | None) -> tuple[int, str] | None:
    """``None`` when the request may read metrics, else the status (401 for
    a missing or wrong token, 403 for a remote client when no token is set)
    and why; ``header`` looks up a request header by its lower-case name."""
    if secret:
        scheme, _, given = (header("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), secret.encode()):
            return None
        return 401, "metrics need Authorization: Bearer <VIRTUBAR_METRICS_TOKEN>"
    if _loopback(client_host) and not any(header(h) for h in _PROXY_HEADERS):
        return None
    return 403, "metrics are served only to this machine's own clients unless VIRTUBAR_METRICS_TOKEN is set"


def reader_headers(token: str) -> dict[str, str]:
    """What a metrics reader (cloud-local, the benchmarks) sends for ``token``."""
    return {"Authorization": f"Bearer {token}"} if token else {}
