"""ICE servers for a join: STUN as configured, and TURN with time-limited
credentials in coturn's REST-API shared-secret scheme (``use-auth-secret``):
username ``<expiry>:<userId>``, password ``base64(HMAC-SHA1(secret, username))``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from functions.models import IceServer
from virtubar.settings import Settings


def turn_credential(secret: str, user_id: str, ttl_s: int, now: float | None = None) -> tuple[str, str]:
    username = f"{int((now or time.time()) + ttl_s)}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(settings: Settings, user_id: str) -> list[IceServer]:
    servers = []
    if settings.stun_urls:
        servers.append(IceServer(urls=list(settings.stun_urls)))
    if settings.turn_urls and settings.turn_secret:
        username, credential = turn_credential(settings.turn_secret, user_id, settings.turn_ttl_s)
        servers.append(IceServer(urls=list(settings.turn_urls), username=username, credential=credential))
    return servers
