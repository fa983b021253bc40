"""Edge-only settings, from ``VIRTUBAR_EDGE_*`` environment variables (read
by the one loader of ``virtubar/settings.py``: the defaults below are the
only ones)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from msgspec import Struct

from virtubar.settings import NOT_FROM_ENV, NonNegative, NonNegativeInt, Positive, PositiveInt, read_env
from virtubar.wire import MAX_MESSAGE_BYTES


class EdgeConfig(Struct, kw_only=True):
    env_prefix: ClassVar[str] = "VIRTUBAR_EDGE_"

    tick_hz: Positive = 20.0
    """Transforms are flushed at least this many times a second."""
    flush_share: NonNegative = 0.25
    """Between ticks, moves go out as soon as flushing takes no more than
    this part of the node's time (``realtime_edge/pacing.py``); 0 flushes
    only at the tick."""
    idle_timeout_s: Positive = 30.0
    """A client that sends nothing (not even ``heartbeat``) this long is dropped."""
    presence_ttl_s: Positive = 15.0
    """A member's presence entry expires this long after its node last refreshed it."""
    presence_every_s: Positive = 1.0
    max_message_bytes: PositiveInt = MAX_MESSAGE_BYTES
    drain_delay_ms: NonNegativeInt = 1000
    """``reconnect.delayMs`` sent to clients when the node drains."""
    drain_grace_s: NonNegative = 2.0
    allow_no_origin: bool = True
    """Non-browser clients send no ``Origin``; browsers always do, so a missing
    one cannot be a cross-site page."""
    default_template: str = "bar"
    aoi_zone_size: PositiveInt = 50
    """Above this many members in a zone, moves of members farther than twice
    the hearing radius reach a member only every ``aoi_every``-th tick."""
    aoi_every: PositiveInt = 4
    drain_on_signal: Annotated[bool, NOT_FROM_ENV] = False
    """Drain on SIGTERM/SIGINT before the server closes the sockets (set by
    the standalone entry point; an embedding server handles its own signals)."""
    send_queue: PositiveInt = 256
    """Frames waiting for a slow client before it is disconnected."""
    move_budget_s: Positive = 1.0
    """A move may cover at most this long of travel at the world's speed,
    however long the member stood still before it."""
    max_climb_m: NonNegative = 0.6
    """Up or down in one move."""
    vertical_speed: NonNegative = 2.0
    """Metres a second up or down."""
    flood_refusals: PositiveInt = 200
    """A socket refused this many messages over their budgets within
    ``flood_window_s`` is closed (4008)."""
    flood_window_s: Positive = 10.0
    timer_minute_ms: PositiveInt = 60_000
    """How long a minute of the focus room's timer lasts: tests shorten it."""

    @classmethod
    def from_env(cls) -> EdgeConfig:
        return read_env(cls)
