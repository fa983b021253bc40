"""Token buckets: how often a member may move or chat."""

from __future__ import annotations

TRANSFORM_RATE = {"desktop": 20.0, "vr": 20.0, "mobile": 15.0}
"""Seed 001: at most 20 transforms/s on desktop (and VR), 15/s on mobile."""


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


def transform_bucket(platform: str, now: float) -> TokenBucket:
    rate = TRANSFORM_RATE.get(platform, TRANSFORM_RATE["mobile"])
    return TokenBucket(rate, burst=rate / 4, now=now)


def chat_bucket(now: float) -> TokenBucket:
    """Two messages a second, five in a burst: enough to talk, too few to flood."""
    return TokenBucket(2.0, burst=5.0, now=now)
