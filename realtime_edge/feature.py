"""The room-feature seam: what a feature declares, and what it may ask of the edge.

A feature (``realtime_edge/features/``) is one module holding a ``Feature``:
its client messages with their handlers and rate budgets (``Route``), how
each of its server events travels (``Rule``: durable or volatile, who
receives it, what every node's copy of the room learns from it, whether a
reconnecting member gets it again), what it reads from shared state for a
room (``load``) and what it adds to ``room_state``. The edge routes by these
tables; it knows no feature by name. ``docs/architecture.md`` walks through
adding one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from realtime_edge.ratelimit import Budget
from virtubar import wire
from virtubar.settings import Settings
from virtubar.state import SharedState
from virtubar.tokens import TokenIssuer

if TYPE_CHECKING:
    from realtime_edge.config import EdgeConfig
    from realtime_edge.connection import Conn
    from realtime_edge.entries import Spot
    from realtime_edge.room import Room


class Edge(Protocol):
    """What a feature's handler may do."""

    state: SharedState
    config: EdgeConfig
    settings: Settings
    tokens: TokenIssuer
    id: str

    def send(self, conn: Conn, payload: wire.Event) -> None:
        """To this socket only."""

    def refuse(self, conn: Conn, code: str, message: str, event: str | None) -> None:
        """An ``error`` to this socket; nothing else happens."""

    async def emit(self, conn: Conn, payload: wire.Event) -> None:
        """A server event of the feature, from ``conn``'s member, to the room
        (every node), travelling as its ``Rule`` says."""

    async def announce(self, room_id: str, payload: wire.Event) -> None:
        """A server event of the feature from no member (a timer that ran
        out), to the room (every node), travelling as its ``Rule`` says."""


@dataclass(frozen=True, slots=True)
class Route:
    """A client message type: its handler ``(edge, conn, payload)`` and its
    budget, checked before the handler runs."""

    handler: Callable[..., Awaitable[None]]
    budget: Budget


Receives = Callable[["Room", Any, "Spot | None", wire.Member], bool]
"""``(room, event, at, listener)``: does ``listener`` get the event? ``at``
is where the sender stood when it happened (None: not known). Used for live
delivery and for replay after a reconnect alike, so both decide the same."""


@dataclass(frozen=True, slots=True)
class Rule:
    """How one server event travels.

    ``durable``: on the room's durable stream, kept in its history (bounded:
    every durable event pushes the oldest out, so only events worth
    recovering belong there); otherwise on the volatile stream, live only.
    ``replay``: sent again to a reconnecting member who missed it (durable only).
    ``learn``: what every node's copy of the room takes from it.
    ``stamp``: given its offset in the durable stream (chat's ``messageId``).
    """

    event: type[wire.Event]
    receives: Receives
    durable: bool = True
    replay: bool = False
    learn: Callable[[Room, Any], None] | None = None
    stamp: Callable[[Any, str], None] | None = None


@dataclass(frozen=True)
class Feature:
    """``load(state, room_id)``: what the feature keeps of the room's shared
    state (in ``room.data[name]``), read when the room is hosted and again
    every few seconds. ``room_state(room)``: fields it adds to ``room_state``.
    ``watch(edge, room)``: what it checks at every housekeeping pass of a room
    hosted here (things that fall due by time, such as a timer running out)."""

    name: str
    routes: Mapping[str, Route]
    rules: tuple[Rule, ...] = ()
    load: Callable[[SharedState, str], Awaitable[object]] | None = None
    room_state: Callable[[Room], dict[str, Any]] | None = None
    watch: Callable[[Edge, Room], Awaitable[None]] | None = None
