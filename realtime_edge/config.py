"""Edge-only settings, from ``VIRTUBAR_EDGE_*`` environment variables."""

from __future__ import annotations

import os

from msgspec import Struct

from virtubar.wire import MAX_MESSAGE_BYTES


def _env(name: str, default: str) -> str:
    return os.environ.get(f"VIRTUBAR_EDGE_{name}", default)


class EdgeConfig(Struct, kw_only=True):
    tick_hz: float = 20.0
    """Transforms are coalesced and flushed this many times a second."""
    idle_timeout_s: float = 30.0
    """A client that sends nothing (not even ``heartbeat``) this long is dropped."""
    presence_ttl_s: float = 15.0
    """A member's presence entry expires this long after its node last refreshed it."""
    presence_every_s: float = 1.0
    max_message_bytes: int = MAX_MESSAGE_BYTES
    drain_delay_ms: int = 1000
    """``reconnect.delayMs`` sent to clients when the node drains."""
    drain_grace_s: float = 2.0
    allow_no_origin: bool = True
    """Non-browser clients send no ``Origin``; browsers always do, so a missing
    one cannot be a cross-site page."""
    default_template: str = "bar"
    aoi_zone_size: int = 50
    """Above this many members in a zone, moves of members farther than twice
    the hearing radius reach a member only every ``aoi_every``-th tick."""
    aoi_every: int = 4
    drain_on_signal: bool = False
    """Drain on SIGTERM/SIGINT before the server closes the sockets (set by
    the standalone entry point; an embedding server handles its own signals)."""
    send_queue: int = 256
    """Frames waiting for a slow client before it is disconnected."""
    move_budget_s: float = 1.0
    """A move may cover at most this long of travel at the world's speed,
    however long the member stood still before it."""
    max_climb_m: float = 0.6
    """Up or down in one move."""
    vertical_speed: float = 2.0
    """Metres a second up or down."""

    @classmethod
    def from_env(cls) -> EdgeConfig:
        return cls(
            tick_hz=float(_env("TICK_HZ", "20")),
            idle_timeout_s=float(_env("IDLE_TIMEOUT_S", "30")),
            presence_ttl_s=float(_env("PRESENCE_TTL_S", "15")),
            presence_every_s=float(_env("PRESENCE_EVERY_S", "1")),
            max_message_bytes=int(_env("MAX_MESSAGE_BYTES", str(MAX_MESSAGE_BYTES))),
            drain_delay_ms=int(_env("DRAIN_DELAY_MS", "1000")),
            drain_grace_s=float(_env("DRAIN_GRACE_S", "2")),
            allow_no_origin=_env("ALLOW_NO_ORIGIN", "1") == "1",
            default_template=_env("DEFAULT_TEMPLATE", "bar"),
            send_queue=int(_env("SEND_QUEUE", "256")),
            aoi_zone_size=int(_env("AOI_ZONE_SIZE", "50")),
            aoi_every=int(_env("AOI_EVERY", "4")),
            move_budget_s=float(_env("MOVE_BUDGET_S", "1")),
            max_climb_m=float(_env("MAX_CLIMB_M", "0.6")),
            vertical_speed=float(_env("VERTICAL_SPEED", "2")),
        )
