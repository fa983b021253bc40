"""The focus room's shared timer: ``start_timer``, ``pause_timer``,
``resume_timer``, ``reset_timer`` in; ``timer_started``, ``timer_updated``,
``timer_completed`` to everyone in the room.

The server holds the timer, never a client: it lives in shared state
(``keys.room_timer``, with its expiry) and every change is a ``swap``
against the value just read, so two nodes changing it at once cannot both
win. Completion needs no node in particular: every node hosting the room
checks at each housekeeping pass (``watch``) whether the phase ran out, and
the swap that moves the timer on picks the one node that sends
``timer_completed`` (and the cycle's next ``timer_started``). If the node
that started it died, another notices.

Scheduled sessions: the functions mirror a room's upcoming sessions in
``keys.room_schedule``; at the start time the same ``watch`` starts the
session's timer, through the same swap (the timer names its session, so it
starts once). This keeps the functions request-driven: no scheduler
process has to be awake at the start time, only a node hosting the room,
and a node that hosts it later joins the session where it stands.

Events are live only (the volatile stream): a member who joins or comes
back reads the timer from ``room_state``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from realtime_edge.connection import Conn
from realtime_edge.entries import Spot
from realtime_edge.feature import Edge, Feature, Route, Rule
from realtime_edge.features import timer_rules as rules
from realtime_edge.logs import log
from realtime_edge.ratelimit import Budget
from realtime_edge.room import Room
from virtubar import keys, wire
from virtubar.focus import ScheduledTimer, TimerPolicy
from virtubar.state import SharedState

NAME = "timer"
STARTS = Budget(0.5, burst=3.0)
"""A start every two seconds, three in a burst: no member can make the ring flicker."""
CONTROLS = Budget(1.0, burst=4.0)
_POLICY = msgspec.json.Decoder(TimerPolicy)
_SCHEDULED = msgspec.json.Decoder(ScheduledTimer)


@dataclass
class Seen:
    """What this node knows of the room's timer (``room.data["timer"]``):
    re-read from shared state every few seconds, kept current by the events."""

    timer: rules.Timer | None = None
    policy: TimerPolicy = field(default_factory=TimerPolicy)
    schedule: list[ScheduledTimer] = field(default_factory=list)


def _seen(room: Room) -> Seen:
    seen = room.data.get(NAME)
    if not isinstance(seen, Seen):
        seen = room.data[NAME] = Seen()
    return seen


async def load(state: SharedState, room_id: str) -> Seen:
    setup = (await state.members(keys.room_setup(room_id))).get(NAME)
    policy = TimerPolicy()
    if setup:
        try:
            policy = _POLICY.decode(setup)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            log("bad_timer_policy", room=room_id, error=str(e))
    schedule = []
    for data in (await state.members(keys.room_schedule(room_id))).values():
        try:
            schedule.append(_SCHEDULED.decode(data))
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            log("bad_scheduled_session", room=room_id, error=str(e))
    return Seen(rules.decode(await state.get(keys.room_timer(room_id))), policy, schedule)


async def _change(edge: Edge, room: Room, make: Callable[[rules.Timer | None], rules.Timer | str]
                  ) -> tuple[rules.Timer | None, rules.Timer | str]:
    """Read the timer, make the new one, swap it in if nobody changed it
    meanwhile (tried again a few times if somebody did): (the timer read,
    the one now in place or why not)."""
    key, seen = keys.room_timer(room.id), _seen(room)
    for _ in range(3):
        raw = await edge.state.get(key)
        cur = rules.decode(raw)
        seen.timer = cur
        new = make(cur)
        if isinstance(new, str):
            return cur, new
        data = rules.encode(new)
        if await edge.state.swap(key, raw or "", data, rules.ttl_s(new, wire.now_ms())) == data:
            seen.timer = new
            return cur, new
    return cur, "the timer changed meanwhile: try again"


def _refused(edge: Edge, conn: Conn, room: Room, event: str) -> bool:
    """Is this member not allowed to control the room's timer? (Then told.)"""
    if room.world.template != "focus":
        edge.refuse(conn, "not_a_focus_room", "the shared timer is a focus room's", event)
        return True
    policy = _seen(room).policy
    if policy.hostsOnly and conn.user_id not in policy.hosts:
        edge.refuse(conn, "hosts_only", "in this room only its hosts control the timer", event)
        return True
    return False


async def start(edge: Edge, conn: Conn, p: wire.StartTimer) -> None:
    room, _ = conn.joined()
    if _refused(edge, conn, room, p.name):
        return
    _, new = await _change(edge, room, lambda cur: rules.start(p, wire.now_ms(), edge.config.timer_minute_ms))
    if isinstance(new, str):
        edge.refuse(conn, "bad_timer", new, p.name)
    else:
        await edge.announce(room.id, rules.started(room.id, new))


def _control(make: Callable[[rules.Timer | None, int], rules.Timer | str]):
    """A handler that changes the running timer and tells the room."""
    async def handle(edge: Edge, conn: Conn, p: wire.Event) -> None:
        room, _ = conn.joined()
        if _refused(edge, conn, room, p.name):
            return
        _, new = await _change(edge, room, lambda cur: make(cur, wire.now_ms()))
        if isinstance(new, str):
            edge.refuse(conn, "bad_timer", new, p.name)
        else:
            await edge.announce(room.id, rules.updated(room.id, new, wire.now_ms()))
    return handle


async def watch(edge: Edge, room: Room) -> None:
    """Completes a phase that ran out and starts a scheduled session that is
    due; whichever node's swap wins sends the events, the others nothing."""
    seen, now = _seen(room), wire.now_ms()
    if rules.due(seen.timer, now):
        def complete(cur: rules.Timer | None) -> rules.Timer | str:
            return rules.advance(cur, edge.config.timer_minute_ms) if cur and rules.due(cur, wire.now_ms()) else "done"
        before, new = await _change(edge, room, complete)
        if before is not None and before.type is not None and not isinstance(new, str):
            await edge.announce(room.id, wire.TimerCompleted(roomId=room.id, type=before.type))
            if new.type is not None:
                await edge.announce(room.id, rules.started(room.id, new))
    for s in [s for s in seen.schedule if s.startsAtMs <= now]:
        await _begin(edge, room, s)


async def _begin(edge: Edge, room: Room, s: ScheduledTimer) -> None:
    def begin(cur: rules.Timer | None) -> rules.Timer | str:
        if cur is not None and cur.session == s.id:
            return "started already"
        return rules.from_schedule(s, wire.now_ms(), edge.config.timer_minute_ms) or "over"
    _, new = await _change(edge, room, begin)
    _seen(room).schedule.remove(s)
    await edge.state.drop(keys.room_schedule(room.id), s.id)
    if not isinstance(new, str):
        log("scheduled_session_started", room=room.id, session=s.id)
        await edge.announce(room.id, rules.started(room.id, new))


def everyone(room: Room, event: wire.Event, at: Spot | None, listener: wire.Member) -> bool:
    return True


def learn(room: Room, event: wire.Event) -> None:
    seen = _seen(room)
    seen.timer = rules.learn(seen.timer, event)


def room_state(room: Room) -> dict:
    timer = rules.in_room_state(_seen(room).timer, wire.now_ms())
    return {"timer": timer} if timer is not None else {}


FEATURE = Feature(
    NAME,
    routes={
        wire.StartTimer.name: Route(start, STARTS),
        wire.PauseTimer.name: Route(_control(lambda cur, now: rules.pause(cur, now)), CONTROLS),
        wire.ResumeTimer.name: Route(_control(lambda cur, now: rules.resume(cur, now)), CONTROLS),
        wire.ResetTimer.name: Route(_control(lambda cur, now: rules.reset(cur)), CONTROLS),
    },
    rules=tuple(Rule(e, everyone, durable=False, learn=learn)
                for e in (wire.TimerStarted, wire.TimerUpdated, wire.TimerCompleted)),
    load=load,
    room_state=room_state,
    watch=watch,
)
