"""REST rate limits shared by every function instance (the counters live in
shared state: Redis in the cloud, so a limit holds across Lambda containers).

Pure rules decide which counters a request touches; the middleware counts
and answers 429 problem JSON with ``Retry-After`` once one is over.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from typing import Literal

import msgspec

from functions.problems import TITLES, Problem
from virtubar.settings import Settings
from virtubar.state import SharedState
from virtubar.tokens import TokenError, TokenIssuer


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window_s: float
    by: Literal["ip", "user", "device"]
    method: str | None = None
    paths: tuple[str, ...] = ()

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            not self.paths or any(path == p or path.startswith(p + "/") for p in self.paths)
        )


def rules_for(settings: Settings) -> tuple[Rule, ...]:
    return (
        Rule("guest", settings.guests_per_hour, 3600, "ip", "POST", (GUEST_PATH,)),  # a class behind one NAT
        Rule("guest-device", settings.guests_per_device_per_hour, 3600, "device", "POST", (GUEST_PATH,)),
        Rule("signup", settings.signups_per_hour, 3600, "ip", "POST", ("/api/auth/register",)),
        Rule("login", settings.login_attempts_per_10_min, 600, "ip", "POST", ("/api/auth/login",)),
        Rule("ip", settings.requests_per_minute * 2, 60, "ip"),
        Rule("user", settings.requests_per_minute, 60, "user"),
    )


def counters(
    rules: tuple[Rule, ...], method: str, path: str, ip: str, user: str | None, device: str | None = None
) -> list[tuple[Rule, str]]:
    """The (rule, counter key) pairs a request counts against."""
    found = []
    for rule in rules:
        who = ip if rule.by == "ip" else user if rule.by == "user" else device
        if who and rule.matches(method, path):
            found.append((rule, f"{{rate:{rule.name}:{who}}}"))
    return found


def client_ip(scope: dict, forwarded_hops: int) -> str:
    """The caller's address; behind ``forwarded_hops`` trusted proxies, the
    X-Forwarded-For entry those proxies added (never one the client wrote)."""
    if forwarded_hops > 0:
        for key, value in scope.get("headers", ()):
            if key == b"x-forwarded-for":
                hops = [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
                if len(hops) >= forwarded_hops:
                    return hops[-forwarded_hops]
    client = scope.get("client")
    return client[0] if client else "unknown"


def bearer_sub(scope: dict, tokens: TokenIssuer) -> str | None:
    """The user of a valid access token in the request, if any."""
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token:
                try:
                    return tokens.verify(token.strip(), "api").sub
                except TokenError:
                    return None
    return None


GUEST_PATH = "/api/auth/anonymous"
DEVICE_COOKIE = "vb_device"
DEVICE_MAX_AGE_S = 400 * 24 * 3600


def _device_mac(secret: str, device: str) -> str:
    return hmac.new(secret.encode(), f"device:{device}".encode(), hashlib.sha256).hexdigest()[:32]


def device_cookie(secret: str, device: str) -> str:
    """The cookie value naming this browser: its id, signed (a client cannot
    make up fresh devices to get round the per-device guest limit)."""
    return f"{device}.{_device_mac(secret, device)}"


def device_of(scope: dict, secret: str) -> str | None:
    """The browser's device id from a validly signed cookie, else None."""
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, _, cookie = part.strip().partition("=")
                device, _, mac = cookie.partition(".")
                if name == DEVICE_COOKIE and device and hmac.compare_digest(mac, _device_mac(secret, device)):
                    return device
    return None


EXEMPT = ("/api/health", "/api/schema")
NODE_PATHS = ("/api/internal/boards/",)


def _node_call(scope: dict, tokens: TokenIssuer) -> bool:
    """Does the request carry a valid node token?"""
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            try:
                tokens.verify(token.strip(), "node")
                return scheme.lower() == "bearer"
            except TokenError:
                return False
    return False

_REFUSALS = {
    "guest": ("Too many guests have joined from your network in the last hour. "
              "Try again in {wait}, or sign in with an account."),
    "guest-device": ("Too many guests have joined from this browser in the last hour. "
                     "Try again in {wait}, or sign in with an account."),
    "signup": "Too many accounts were created from your network in the last hour. Try again in {wait}.",
    "login": "Too many sign-in attempts. Wait {wait} and try again.",
}


def refusal(rule: str, retry_s: int) -> str:
    """What a player is told when a limit refuses them: a sentence, with the wait in their units."""
    wait = f"{math.ceil(retry_s / 60)} minutes" if retry_s > 90 else f"{retry_s} seconds"
    return _REFUSALS.get(rule, "You are doing that too often. Wait {wait} and try again.").format(wait=wait)


async def _too_many(send, detail: str, retry_after: int) -> None:
    body = msgspec.json.encode(Problem(status=429, title=TITLES[429], detail=detail))
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"retry-after", str(retry_after).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """ASGI middleware around the API."""

    def __init__(self, app, *, state: SharedState, tokens: TokenIssuer, settings: Settings) -> None:
        self.app = app
        self.state = state
        self.tokens = tokens
        self.rules = rules_for(settings)
        self.forwarded_hops = settings.forwarded_hops
        self.secret = settings.token_secret

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not self.rules or path.startswith(EXEMPT):
            return await self.app(scope, receive, send)
        if path.startswith(NODE_PATHS) and _node_call(scope, self.tokens):
            return await self.app(scope, receive, send)  # an edge storing strokes: its players' budgets bound it
        user = bearer_sub(scope, self.tokens)
        device = device_of(scope, self.secret)
        guest = path == GUEST_PATH and scope["method"] == "POST"
        named = guest and device is None  # a browser's first guest sign-in: it gets its device, counted from now
        if named:
            device = secrets.token_hex(12)
        ip = client_ip(scope, self.forwarded_hops)
        for rule, key in counters(self.rules, scope["method"], path, ip, user, device):
            count, left = await self.state.hit(key, rule.window_s)
            if count > rule.limit:
                retry = max(1, math.ceil(left))
                return await _too_many(send, refusal(rule.name, retry), retry)
        if named and device is not None:
            send = self._naming_device(send, device, secure=scope.get("scheme") == "https")
        await self.app(scope, receive, send)

    def _naming_device(self, send, device: str, secure: bool):
        """``send``, adding the signed device cookie to a guest sign-in's answer."""
        cookie = (f"{DEVICE_COOKIE}={device_cookie(self.secret, device)}; Path=/api/auth; "
                  f"Max-Age={DEVICE_MAX_AGE_S}; HttpOnly; SameSite=Lax{'; Secure' if secure else ''}")

        async def naming(message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                message = {**message, "headers": [*message.get("headers", ()), (b"set-cookie", cookie.encode())]}
            await send(message)
        return naming
