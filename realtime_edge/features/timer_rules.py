"""The focus room's timer as pure rules: what each command and each
completion makes of the timer held in shared state (``keys.room_timer``).

The state is written only by ``swap`` against the value read, so every
change, and every completion, happens once whichever node makes it (see
``realtime_edge/features/timer.py``). Times are the server's wall clock in
ms; lengths in minutes of ``minute_ms`` (60 000; a test setting shortens it).
"""

from __future__ import annotations

import uuid

import msgspec
from msgspec import Struct

from virtubar import wire
from virtubar.focus import ScheduledTimer, phases
from virtubar.wire import TimerType

LINGER_S = 300.0
"""A running timer's state outlives its end this long: a node that comes
back, or that was slow, still finds the phase to complete."""
PAUSED_TTL_S = 12 * 3600.0
STOPPED_TTL_S = 600.0
"""A stopped timer is kept (as a tombstone naming its session) so that no
node starts the same scheduled session twice."""


class Timer(Struct, kw_only=True, omit_defaults=True):
    """The room's timer in shared state; ``type`` None: stopped."""

    rev: str = ""
    type: TimerType | None = None
    duration: int = 0
    endsAtMs: int = 0
    remainingMs: int = 0
    paused: bool = False
    breakDuration: int | None = None
    cycle: int = 1
    cycles: int = 1
    title: str | None = None
    session: str | None = None

    @property
    def running(self) -> bool:
        """Counting down now (not paused, not stopped)."""
        return self.type is not None and not self.paused


_DECODER = msgspec.json.Decoder(Timer)


def decode(raw: str | None) -> Timer | None:
    """The timer a shared-state value holds (None: none, or unreadable)."""
    if not raw:
        return None
    try:
        return _DECODER.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def encode(timer: Timer) -> str:
    """A value unique to this write (a fresh ``rev``): the node whose swap
    leaves it in place knows it won."""
    timer.rev = uuid.uuid4().hex[:12]
    return msgspec.json.encode(timer).decode()


def ttl_s(timer: Timer, now: int) -> float:
    if timer.type is None:
        return STOPPED_TTL_S
    if timer.paused:
        return PAUSED_TTL_S
    return max(0.0, (timer.endsAtMs - now) / 1000) + LINGER_S


def start(p: wire.StartTimer, now: int, minute_ms: int) -> Timer | str:
    """A new timer (replacing any), or why not."""
    if p.breakDuration is not None and p.type != "work":
        return "a cycle starts with work: send type work with breakDuration"
    return Timer(type=p.type, duration=p.duration, endsAtMs=now + p.duration * minute_ms,
                 breakDuration=p.breakDuration, cycles=p.cycles if p.breakDuration else 1)


def pause(cur: Timer | None, now: int) -> Timer | str:
    if cur is None or cur.type is None:
        return "no timer is running"
    if cur.paused:
        return "the timer is already paused"
    return msgspec.structs.replace(cur, paused=True, remainingMs=max(0, cur.endsAtMs - now), endsAtMs=0)


def resume(cur: Timer | None, now: int) -> Timer | str:
    if cur is None or cur.type is None:
        return "no timer is running"
    if not cur.paused:
        return "the timer is not paused"
    return msgspec.structs.replace(cur, paused=False, endsAtMs=now + cur.remainingMs, remainingMs=0)


def reset(cur: Timer | None) -> Timer | str:
    if cur is None or cur.type is None:
        return "no timer is running"
    return Timer(session=cur.session)


def due(timer: Timer | None, now: int) -> bool:
    """Has the running phase run out?"""
    return timer is not None and timer.running and timer.endsAtMs <= now


def advance(cur: Timer, minute_ms: int) -> Timer:
    """After ``cur``'s phase ran out: the cycle's next phase, timed from the
    end of this one (no drift however late it was noticed), or stopped."""
    more = cur.cycles == 0 or cur.cycle < cur.cycles
    if cur.type == "work" and cur.breakDuration and more:
        kind, minutes, cycle = "break", cur.breakDuration, cur.cycle
    elif cur.type == "break" and cur.breakDuration:
        kind, minutes, cycle = "work", cur.duration, cur.cycle + 1
    else:
        return Timer(session=cur.session)
    return msgspec.structs.replace(cur, type=kind, endsAtMs=cur.endsAtMs + minutes * minute_ms, cycle=cycle)


def from_schedule(s: ScheduledTimer, now: int, minute_ms: int) -> Timer | None:
    """The scheduled session's timer as of ``now`` (a node that notices late
    joins it where it stands), or None before its start or after its end."""
    if now < s.startsAtMs:
        return None
    ends, cycle = s.startsAtMs, 1
    for kind, minutes in phases(s.duration, s.breakDuration, s.cycles):
        ends += minutes * minute_ms
        if ends > now:
            return Timer(type=kind, duration=s.duration, endsAtMs=ends, breakDuration=s.breakDuration,
                         cycle=cycle, cycles=s.cycles, title=s.title or None, session=s.id)
        if kind == "break":
            cycle += 1
    return None


def phase_minutes(timer: Timer) -> int:
    return timer.breakDuration if timer.type == "break" and timer.breakDuration else timer.duration


def started(room_id: str, timer: Timer) -> wire.TimerStarted:
    assert timer.type is not None
    return wire.TimerStarted(roomId=room_id, duration=phase_minutes(timer), type=timer.type,
                             endsAtServerMs=timer.endsAtMs, breakDuration=timer.breakDuration,
                             cycle=timer.cycle, cycles=timer.cycles, title=timer.title)


def updated(room_id: str, timer: Timer, now: int) -> wire.TimerUpdated:
    if timer.type is None:
        return wire.TimerUpdated(roomId=room_id, remaining=0, paused=True, stopped=True)
    if timer.paused:
        return wire.TimerUpdated(roomId=room_id, remaining=timer.remainingMs, paused=True)
    return wire.TimerUpdated(roomId=room_id, remaining=max(0, timer.endsAtMs - now), paused=False,
                             endsAtServerMs=timer.endsAtMs)


def in_room_state(timer: Timer | None, now: int) -> wire.RoomTimer | None:
    if timer is None or timer.type is None:
        return None
    remaining = timer.remainingMs if timer.paused else max(0, timer.endsAtMs - now)
    return wire.RoomTimer(duration=phase_minutes(timer), type=timer.type,
                          endsAtServerMs=timer.endsAtMs or now + remaining, remaining=remaining, paused=timer.paused,
                          breakDuration=timer.breakDuration, cycle=timer.cycle, cycles=timer.cycles, title=timer.title)


def learn(timer: Timer | None, event: wire.Event) -> Timer | None:
    """What a node's copy of the timer becomes from an event another node
    (or this one) sent; shared state stays the truth, re-read every few seconds."""
    if isinstance(event, wire.TimerStarted):
        work = event.duration if event.type == "work" or timer is None else timer.duration
        return Timer(type=event.type, duration=work, endsAtMs=event.endsAtServerMs,
                     breakDuration=event.breakDuration, cycle=event.cycle, cycles=event.cycles, title=event.title,
                     session=timer.session if timer else None)
    if isinstance(event, wire.TimerUpdated):
        if event.stopped or timer is None:
            return None
        return msgspec.structs.replace(timer, paused=event.paused, remainingMs=event.remaining if event.paused else 0,
                                       endsAtMs=event.endsAtServerMs or 0)
    if isinstance(event, wire.TimerCompleted):
        return None
    return timer
