"""What the functions and the edge agree on about a focus room's timer: the
host's timer setting and the scheduled sessions, both handed to the edge in
shared state (the edge cannot read the database)."""

from __future__ import annotations

from msgspec import Struct

from virtubar.wire import TimerType

SCHEDULE_LOADED = "{schedule}:loaded"
"""Set by the functions once every scheduled session not yet over is in
shared state (member ``"generation"``); gone with a data loss (a FLUSHALL,
a restart of the embedded mode's in-process state), which is how the
functions know to hand them all over again."""
LOADED_TTL_S = 365 * 24 * 3600


class TimerPolicy(Struct, kw_only=True):
    """Who may start, pause, resume and reset the room's timer: anyone in
    the room, or with ``hostsOnly`` only its ``hosts`` (the owner). Member
    ``"timer"`` of ``keys.room_setup``."""

    hostsOnly: bool = False
    hosts: list[str] = []


class ScheduledTimer(Struct, kw_only=True):
    """A scheduled session as the edge sees it (``keys.room_schedule``): its
    timer starts by itself at ``startsAtMs``, ``cycles`` times work
    ``duration`` then break ``breakDuration`` (minutes; no break after the last work)."""

    id: str
    startsAtMs: int
    duration: int
    breakDuration: int | None = None
    cycles: int = 1
    title: str = ""


def phases(duration: int, break_duration: int | None, cycles: int) -> list[tuple[TimerType, int]]:
    """The phases of a finite cycle, in order: (type, minutes)."""
    out: list[tuple[TimerType, int]] = []
    for n in range(max(cycles, 1)):
        out.append(("work", duration))
        if break_duration and n < cycles - 1:
            out.append(("break", break_duration))
    return out
