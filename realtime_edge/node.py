"""The edge node: players' messages in, room events out through the bus.

The node owns the sockets, the rooms hosted here and three loops (reading
the bus, the flushes of moves, housekeeping), each surviving a bad pass. A client
message is routed by its type through one table (``routes``): the session
(``join_room``), the movement relay (``avatar_transform``), ``heartbeat``,
and every room feature's messages (``realtime_edge/features``). Each type's
budget is checked before its handler runs. The parts: ``session``,
``relay``, ``delivery``, ``control`` (moderation), ``housekeeping``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid

from realtime_edge import entries, features
from realtime_edge.config import EdgeConfig
from realtime_edge.connection import Conn
from realtime_edge.control import Control
from realtime_edge.delivery import Delivery
from realtime_edge.feature import Route
from realtime_edge.frames import Frames, frame
from realtime_edge.housekeeping import Housekeeping
from realtime_edge.logs import log
from realtime_edge.metrics import Metrics
from realtime_edge.pacing import Pacer
from realtime_edge.protocol import BadMessage, decode
from realtime_edge.ratelimit import Budget, Meter, Verdict
from realtime_edge.relay import BUDGET as MOVES
from realtime_edge.relay import Relay
from realtime_edge.room import Room
from realtime_edge.seats import Seats
from realtime_edge.session import BUDGET as JOINS
from realtime_edge.session import Session
from realtime_edge.tasks import survive
from virtubar import wire
from virtubar.bus import RoomBus
from virtubar.oslimits import EDGE_PLAYER_BYTES, default_capacity
from virtubar.registry import NodeInfo, Registry, heartbeat
from virtubar.settings import Settings
from virtubar.state import SharedState
from virtubar.tokens import TokenIssuer

HEARTBEATS = Budget(3.0, burst=5.0)
"""The client sends one every 2 s; a few more a second serve as round trips
(a tool waiting until what it sent before was handled)."""
CLOSE_FLOODING = 4008


class EdgeNode:
    def __init__(self, settings: Settings, state: SharedState, bus: RoomBus, config: EdgeConfig) -> None:
        self.settings, self.state, self.bus, self.config = settings, state, bus, config
        self.id = f"edge-{uuid.uuid4().hex[:10]}"
        self.capacity = default_capacity(settings.node_capacity, EDGE_PLAYER_BYTES)
        self.tokens = TokenIssuer.from_settings(settings)
        self.metrics = Metrics()
        self.seats = Seats(state, config.presence_ttl_s)
        self.rooms: dict[str, Room] = {}
        self.conns: set[Conn] = set()
        self.draining = False
        self._stopping = False
        self._tasks: list[asyncio.Task] = []
        self.session, self.relay, self.control = Session(self), Relay(self), Control(self)
        self.delivery, self.housekeeping = Delivery(self), Housekeeping(self)
        self.pacer = Pacer(1.0 / config.tick_hz, share=config.flush_share)
        self.routes: dict[str, Route] = {
            wire.JoinRoom.name: Route(self.session.join, JOINS),
            wire.AvatarTransform.name: Route(self.relay.move, MOVES),
            wire.Heartbeat.name: Route(self._heartbeat, HEARTBEATS),
        } | {name: Route(functools.partial(r.handler, self), r.budget) for name, r in features.ROUTES.items()}
        self.metrics.gauge("virtubar_edge_connections", lambda: len(self.conns), "open sockets")
        self.metrics.gauge("virtubar_edge_rooms", lambda: len(self.rooms), "rooms hosted here")

    # lifecycle -----------------------------------------------------------

    def start(self) -> None:
        if self._tasks:
            return
        self._tasks = [asyncio.create_task(c) for c in (
            self._read_loop(), self._tick_loop(), self._housekeeping_loop(),
            heartbeat(Registry(self.state), self.describe),
        )]
        log("edge_started", node=self.id, url=self.url, capacity=self.capacity)

    @property
    def url(self) -> str:
        return self.settings.edge_url or self.settings.ws_base + "/ws"

    def describe(self) -> NodeInfo:
        return NodeInfo(id=self.id, kind="edge", url=self.url, region=self.settings.region,
                        capacity=self.capacity, load=len(self.conns), draining=self.draining)

    async def drain(self) -> None:
        """Tell every client to reconnect elsewhere, stop accepting, close."""
        if self.draining:
            return
        self.draining = True
        with contextlib.suppress(Exception):
            await Registry(self.state).announce(self.describe())
        notice = Frames(wire.envelope(wire.Reconnect(delayMs=self.config.drain_delay_ms, reason="draining")))
        for conn in list(self.conns):
            conn.push(notice.get(conn.binary))
        log("edge_draining", node=self.id, connections=len(self.conns))
        deadline = time.monotonic() + self.config.drain_grace_s
        while self.conns and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for conn in list(self.conns):
            conn.replaced = True  # their presence stays for the node they reconnect to
            conn.close(1012, "node restarting")
        await asyncio.sleep(0.1)
        await self.stop()

    async def stop(self) -> None:
        """Stop the loops. A client library may swallow a cancellation in the
        middle of a blocking read, so the loops also check ``_stopping`` and
        the wait is bounded."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=3.0)
        self._tasks = []

    # client messages ---------------------------------------------------------

    async def handle(self, conn: Conn, data: bytes | str) -> None:
        try:
            env = decode(data, isinstance(data, bytes))
        except BadMessage as e:
            self.metrics.inc("virtubar_edge_rejected_total", code=e.error.code)
            self.send(conn, e.error)
            return
        p = env.payload
        self.metrics.inc("virtubar_edge_messages_in_total", type=p.name)
        route = self.routes.get(p.name)
        if route is None:  # in the wire contract, but no part of this edge handles it
            self.refuse(conn, "unknown_event", f"this edge does not handle {p.name}", p.name)
            return
        if conn.meter is None:
            conn.meter = self.meter(conn.platform)
        verdict = conn.meter.check(p.name, route.budget, time.monotonic())
        if verdict is not Verdict.ALLOW:
            self._over_budget(conn, p.name, route.budget, verdict)
        elif p.name == wire.JoinRoom.name:
            await route.handler(conn, p)
        elif conn.room is None:
            self.refuse(conn, "not_joined", "send join_room first", p.name)
        elif p.roomId != conn.room.id:
            self.refuse(conn, "wrong_room", "roomId is not the room this socket joined", p.name)
        else:
            await route.handler(conn, p)

    def meter(self, platform: str) -> Meter:
        return Meter(platform, self.config.flood_refusals, self.config.flood_window_s)

    def _over_budget(self, conn: Conn, name: str, budget: Budget, verdict: Verdict) -> None:
        """Dropped; told at most once a second; a socket that keeps at it is closed."""
        self.metrics.inc("virtubar_edge_dropped_total", reason="rate_limit")
        if verdict is Verdict.REFUSE:
            self.refuse(conn, budget.code, f"slow down: too many {name} messages", name)
        elif verdict is Verdict.FLOODING and not conn.closed:
            self.metrics.inc("virtubar_edge_rejected_total", code="flooding")
            log("flooding", logging.WARNING, node=self.id, room=conn.room.id if conn.room else None,
                user=conn.user_id, message_type=name)
            conn.close(CLOSE_FLOODING, "flooding")

    async def _heartbeat(self, conn: Conn, p: wire.Heartbeat) -> None:
        self.send(conn, wire.HeartbeatAck(clientTimeMs=p.clientTimeMs, serverTimeMs=wire.now_ms()))

    def send(self, conn: Conn, payload: wire.Event) -> None:
        conn.push(frame(payload, conn.binary))

    def refuse(self, conn: Conn, code: str, message: str, event: str | None) -> None:
        self.metrics.inc("virtubar_edge_rejected_total", code=code)
        self.send(conn, wire.Error(code=code, message=message, event=event))

    async def publish(self, room_id: str, payload: wire.Event, ts: int | None = None) -> str:
        """A session or movement event on the room's durable stream."""
        return await self.bus.publish(room_id, entries.entry(payload, ts=ts))

    async def emit(self, conn: Conn, payload: wire.Event) -> None:
        """A feature's event from ``conn``'s member, with where it stands, on
        the stream its rule names."""
        room, member = conn.joined()
        rule = features.RULES[type(payload)]
        await self.bus.publish(room.id, entries.entry(payload, at=entries.spot(member)), durable=rule.durable)

    async def announce(self, room_id: str, payload: wire.Event) -> None:
        """A feature's event from no member, on the stream its rule names."""
        rule = features.RULES[type(payload)]
        await self.bus.publish(room_id, entries.entry(payload), durable=rule.durable)

    # loops -----------------------------------------------------------------

    async def _read_loop(self) -> None:
        while not self._stopping:
            with survive("read", node=self.id):
                await self.delivery.read()

    async def _tick_loop(self) -> None:
        """Waiting moves go out as soon as the pacer allows and at the tick
        at the latest; the tick also carries the held far moves of crowded
        zones (``realtime_edge/pacing.py``)."""
        pacer, relay = self.pacer, self.relay
        period = pacer.period_s
        tick_at = time.monotonic() + period
        while not self._stopping:
            now = time.monotonic()
            if not relay.waiting.is_set() and now < tick_at:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(tick_at - now):
                        await relay.waiting.wait()
                now = time.monotonic()
            planned = now + pacer.wait(now, tick_at)
            if planned > now:
                await asyncio.sleep(planned - now)
                now = time.monotonic()
            due = now >= tick_at
            if due:
                tick_at += period
                if now - tick_at > period:
                    tick_at = now + period  # fell behind: do not burst
            with survive("tick", node=self.id):
                relay.waiting.clear()
                await relay.tick(due)
                await asyncio.sleep(0)  # the writes it woke take their first step within its cost
            pacer.flushed(planned, time.monotonic(), time.process_time())

    async def _housekeeping_loop(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self.config.presence_every_s)
            with survive("housekeeping", node=self.id):
                await self.housekeeping.sweep()
