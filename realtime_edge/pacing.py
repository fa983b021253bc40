"""When the moves waiting on this node go out (pure, no sockets).

A fixed tick makes every move wait half a tick on average, however idle
the node is: at 20 Hz that is 25 ms before the first byte leaves. Sending
each move the moment it arrives costs one frame per viewer per move, which
a busy node cannot pay. So, like Nagle's algorithm and Centrifugo's
bounded write delay, the node flushes as soon as it can afford to: after a
flush that took ``c`` seconds (its own work and the writes it woke) the
next one waits ``c * (1 - share) / share``, so flushing takes at most
``share`` of the node's time; moves that arrive meanwhile ride together.
An idle node flushes within ``min_gap_s``; a loaded one spaces flushes
out until they are a tick apart, and the tick stays the upper bound.
A flush that starts late (the loop was busy) counts its lateness as cost.

The flush's own cost misses the writes the server makes in its threads,
so the process's CPU use (every thread) is the second signal: from
``IDLE_CPU`` to ``BUSY_CPU`` of a core the least gap grows to the tick, and
the spare CPU of a quiet node buys latency while a busy one batches as the
fixed tick did.
"""

from __future__ import annotations

from dataclasses import dataclass

IDLE_CPU = 0.3
BUSY_CPU = 0.8
SMOOTHING_S = 0.5
"""The CPU use is averaged over about this long."""


@dataclass
class Pacer:
    period_s: float
    """The tick: no move waits longer (unless the node is behind)."""
    share: float = 0.25
    """The part of the node's time that eager flushes may take; 0 flushes
    only at the tick."""
    min_gap_s: float = 0.002
    """Moves a few ms apart go in one frame even on an idle node."""
    last_end: float = float("-inf")
    last_cost: float = 0.0
    last_cpu: float = 0.0
    cpu_use: float = 0.0
    """The process's CPU seconds per second, smoothed."""

    def gap(self) -> float:
        """The least time between the end of one flush and the next."""
        if self.share <= 0:
            return self.period_s
        spread = self.last_cost * (1 - self.share) / self.share
        busy = min(1.0, max(0.0, (self.cpu_use - IDLE_CPU) / (BUSY_CPU - IDLE_CPU)))
        return min(self.period_s, max(self.min_gap_s, spread, busy * self.period_s))

    def wait(self, now: float, tick_at: float) -> float:
        """How long moves waiting at ``now`` wait before they go out; the
        tick at ``tick_at`` takes them if it comes first."""
        if self.share <= 0:
            return max(0.0, tick_at - now)
        return max(0.0, min(self.last_end + self.gap(), tick_at) - now)

    def flushed(self, planned: float, end: float, cpu: float) -> None:
        """A flush planned for ``planned`` (it may have started later) ended
        at ``end``, when the process had used ``cpu`` seconds of CPU."""
        span = end - self.last_end
        if 0 < span < float("inf"):
            weight = min(1.0, span / SMOOTHING_S)
            self.cpu_use += weight * ((cpu - self.last_cpu) / span - self.cpu_use)
        self.last_cost, self.last_end, self.last_cpu = max(0.0, end - planned), end, cpu
