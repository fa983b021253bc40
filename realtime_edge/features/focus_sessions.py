"""Focus sessions: ``focus_session_started/updated/completed`` to the room.

The functions own focus sessions (``functions/sessions.py``): they publish
each change on the room's volatile stream and keep the open sessions as
others see them in shared state (``keys.room_focus_sessions``). The edge
only relays: no client message, no database. A member who joins later reads
the open sessions from ``room_state``.
"""

from __future__ import annotations

import contextlib

import msgspec

from realtime_edge.entries import Spot
from realtime_edge.feature import Feature, Rule
from realtime_edge.room import Room
from virtubar import keys, wire
from virtubar.state import SharedState

NAME = "focus_sessions"
_SUMMARY = msgspec.json.Decoder(wire.FocusSessionSummary)
Event = wire.FocusSessionStarted | wire.FocusSessionUpdated | wire.FocusSessionCompleted


async def load(state: SharedState, room_id: str) -> dict[str, wire.FocusSessionSummary]:
    sessions = {}
    for user, data in (await state.members(keys.room_focus_sessions(room_id))).items():
        with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
            sessions[user] = _SUMMARY.decode(data)
    return sessions


def _sessions(room: Room) -> dict[str, wire.FocusSessionSummary]:
    return room.data.setdefault(NAME, {})  # type: ignore[return-value]


def learn(room: Room, p: Event) -> None:
    """Keep the room's copy current between loads."""
    if isinstance(p, wire.FocusSessionCompleted):
        _sessions(room).pop(p.session.userId, None)
    else:
        _sessions(room)[p.session.userId] = p.session


def everyone(room: Room, p: Event, at: Spot | None, listener: wire.Member) -> bool:
    """The whole room, unless either blocked the other."""
    return not room.hidden(p.session.userId, listener.userId)


def room_state(room: Room) -> dict:
    sessions = list(_sessions(room).values())
    return {"focusSessions": sessions} if sessions else {}


FEATURE = Feature(
    NAME,
    routes={},
    rules=tuple(
        Rule(event, everyone, durable=False, learn=learn)
        for event in (wire.FocusSessionStarted, wire.FocusSessionUpdated, wire.FocusSessionCompleted)
    ),
    load=load,
    room_state=room_state,
)
