"""Delivery: what the bus brings, to the sockets here.

Every event about a room comes through the room's bus streams, including
to the members on this node, so one path serves one node or a fleet. A
volatile entry is a tick's move batch (a list, handed to the movement
relay; the node's own batches were delivered at the tick and are skipped)
or one live-only feature event; a durable entry is one event of the room's
history. Each event type has a receiver that says who here gets it (and
applies what the room learns from it); a feature's events get theirs from
their ``Rule``. Control entries go to moderation control.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import msgspec

from realtime_edge import entries, features, spaces
from realtime_edge.connection import Conn
from realtime_edge.feature import Rule
from realtime_edge.frames import Frames
from realtime_edge.logs import log
from realtime_edge.room import Room
from virtubar import wire
from virtubar.bus import Delivery as BusEntry
from virtubar.bus import parse_offset
from virtubar.moderation import decode_control

_BATCH = msgspec.json.Decoder(list[wire.ENVELOPES[wire.AvatarTransformBroadcast]])
_BAD = (msgspec.DecodeError, msgspec.ValidationError)

Receiver = Callable[[Room, str, object], list[Conn]]
"""``(room, offset, entry)``: the sockets here that get the event (after
applying what the room learns from it)."""


def by_rule(rule: Rule) -> Receiver:
    """A feature event's receiver, from its rule."""
    def receive(room: Room, offset: str, found) -> list[Conn]:
        p = found.payload
        if rule.learn is not None:
            rule.learn(room, p)
        if rule.stamp is not None:
            rule.stamp(p, offset)
        return [c for c in room.local.values() if c.member is not None and rule.receives(room, p, found.at, c.member)]
    return receive


class Delivery:
    def __init__(self, node) -> None:
        self.node = node
        self.receivers: dict[type[wire.Event], Receiver] = {
            wire.MemberJoined: node.session.joined,
            wire.MemberLeft: node.session.left,
            wire.ZoneChanged: node.relay.zone_changed,
        } | {event: by_rule(rule) for event, rule in features.RULES.items()}

    async def read(self) -> None:
        """One read of the bus, each entry delivered; one that fails is
        logged and the next still goes out."""
        node = self.node
        try:
            found = await node.bus.read(0.5)
        except Exception as e:
            log("bus_read_failed", node=node.id, error=repr(e))
            await asyncio.sleep(0.5)
            return
        for d in found:
            try:
                self.deliver(d)
            except _BAD as e:
                log("bad_bus_entry", node=node.id, room=d.room, offset=d.offset, error=str(e))
            except Exception as e:  # one bad delivery must not stop every room's fan-out
                log("deliver_failed", logging.ERROR, node=node.id, room=d.room, offset=d.offset, error=repr(e))
            node.metrics.observe_fanout_ms(wire.now_ms() - parse_offset(d.offset)[0])

    def deliver(self, d: BusEntry) -> None:
        if d.room is None:
            self.node.control.on(decode_control(d.data))
            return
        room = self.node.rooms.get(d.room)
        if room is None:
            return
        if d.durable or d.data[:1] == b"{":
            self._event(room, d.offset, entries.read(d.data), d.durable)
        elif d.data in room.sent:  # our own batch, delivered here when it was made
            room.sent.remove(d.data)
        else:
            self.node.relay.moves(room, _BATCH.decode(d.data), d.data)

    def _event(self, room: Room, offset: str, found, durable: bool) -> None:
        receive = self.receivers.get(type(found.payload))
        if receive is None:
            return  # not an event the edge relays
        recipients = receive(room, offset, found)
        if not recipients:
            return
        count = len(recipients)
        if isinstance(found.payload, wire.MemberJoined):  # those in another space learn who, not where
            outside = spaces.outsiders(room.world, found.payload.member, recipients)
            if outside:
                unplaced = wire.MemberJoined(member=spaces.unplaced(found.payload.member))
                self._push(msgspec.structs.replace(found, payload=unplaced), offset, outside, durable)
                recipients = [c for c in recipients if c not in outside]
        self._push(found, offset, recipients, durable)
        self.node.metrics.inc("virtubar_edge_messages_out_total", count, type=found.payload.name)

    @staticmethod
    def _push(found, offset: str, recipients: list[Conn], durable: bool) -> None:
        frames = Frames(entries.envelope(found))
        for conn in recipients:
            frame = frames.get(conn.binary)
            if durable and conn.held is not None:  # recovering: after the replay, unless replayed
                conn.held.append((offset, frame))
            else:
                conn.push(frame)

