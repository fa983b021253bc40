"""Budgets: how often a socket may send each client message type.

Every client message type declares a ``Budget`` next to its handler; the
dispatcher asks the socket's ``Meter`` before calling the handler. Over
budget, the message is dropped and the sender hears about it at most once a
second; a socket refused again and again is flooding and gets closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

TRANSFORM_RATE = {"desktop": 20.0, "vr": 20.0, "mobile": 15.0}
"""At most 20 transforms/s on desktop (and VR), 15/s on mobile (``docs/protocol.md``)."""


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up: a client that
    jitters may send a few early, never more than ``rate`` on average."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, now

    def allow(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(frozen=True, slots=True)
class Budget:
    """``rate`` messages a second (per platform when a mapping), ``burst``
    saved up (a quarter of the rate when None). Refusals are told with
    ``code``; a ``quiet`` budget only counts them (moves: a jittery honest
    client may go over by one, and hearing about it would help nobody)."""

    rate: float | Mapping[str, float]
    burst: float | None = None
    code: str = "rate_limited"
    quiet: bool = False

    def bucket(self, platform: str, now: float) -> TokenBucket:
        rate = self.rate if isinstance(self.rate, float | int) else self.rate.get(platform, min(self.rate.values()))
        return TokenBucket(rate, self.burst if self.burst is not None else rate / 4, now)


class Verdict(Enum):
    ALLOW = 0
    REFUSE = 1  # dropped, the sender is told
    DROP = 2  # dropped silently (told within the last second, or a quiet budget)
    FLOODING = 3  # too many refusals: close the socket


class Meter:
    """One socket's budgets: a bucket per message type (made at its first
    use, at the socket's platform rate) and its recent refusals."""

    __slots__ = ("_buckets", "_limit", "_refused", "_told_at", "_window", "_window_at", "platform")

    def __init__(self, platform: str, flood_refusals: int, flood_window_s: float) -> None:
        self.platform = platform
        self._buckets: dict[str, TokenBucket] = {}
        self._limit, self._window = flood_refusals, flood_window_s
        self._refused, self._window_at, self._told_at = 0, float("-inf"), float("-inf")

    def check(self, name: str, budget: Budget, now: float) -> Verdict:
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self._buckets[name] = budget.bucket(self.platform, now)
        if bucket.allow(now):
            return Verdict.ALLOW
        if now - self._window_at > self._window:
            self._window_at, self._refused = now, 0
        self._refused += 1
        if self._refused >= self._limit:
            return Verdict.FLOODING
        if budget.quiet or now - self._told_at < 1.0:
            return Verdict.DROP
        self._told_at = now
        return Verdict.REFUSE
