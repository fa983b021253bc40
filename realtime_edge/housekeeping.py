"""Housekeeping, every ``presence_every_s``: silent sockets closed, presence
and held seats refreshed, what falls due in a room feature done; every ``presence_ttl_s / 3`` also the room's world
and features' shared state re-read and members whose node died (their
presence expired) removed."""

from __future__ import annotations

import asyncio
import time

import msgspec

from realtime_edge import features, shared, zones
from realtime_edge.frames import Frames
from realtime_edge.logs import log
from realtime_edge.room import Room
from realtime_edge.tasks import survive
from virtubar import keys, wire

CLOSE_IDLE = 4000


class Housekeeping:
    def __init__(self, node) -> None:
        self.node = node
        self._last_full = 0.0

    async def sweep(self) -> None:
        """One pass; a room whose refresh fails does not hold up the others."""
        node, now = self.node, time.monotonic()
        for conn in list(node.conns):
            if now - conn.last_seen > node.config.idle_timeout_s:
                log("idle_timeout", node=node.id, room=conn.room.id if conn.room else None, user=conn.user_id)
                conn.close(CLOSE_IDLE, "no message within the idle timeout")
        full = now - self._last_full >= node.config.presence_ttl_s / 3
        if full:
            self._last_full = now
        for room in list(node.rooms.values()):
            with survive("presence", node=node.id, room=room.id):
                await self._refresh(room, full)
            with survive("features", node=node.id, room=room.id):
                await features.watch(node, room)

    async def _refresh(self, room: Room, full: bool) -> None:
        node = self.node
        key, ttl = keys.room_members(room.id), node.config.presence_ttl_s
        users = list(room.local) if full else [u for u in room.dirty if u in room.local]
        room.dirty.clear()
        await asyncio.gather(*(node.state.put(key, u, msgspec.json.encode(room.members[u]), ttl)
                               for u in users if u in room.members),
                             *(node.seats.hold(room.id, u, c.seats) for u, c in room.local.items() if c.seats))
        if not full:
            return
        world = await shared.room_world(node.state, room.id)  # an owner may change it
        if world is not None and world != room.world:
            self._rewrite(room, world)
        await features.load(node.state, room)
        live = {u for u, data in (await node.state.members(key)).items() if data}
        for uid in [u for u in room.members if u not in live and u not in room.local]:
            room.forget(uid)  # its node died: its presence expired
            frames = Frames(wire.envelope(wire.MemberLeft(userId=uid)))
            for conn in room.local.values():
                conn.push(frames.get(conn.binary))
            log("ghost_removed", node=node.id, room=room.id, user=uid)

    def _rewrite(self, room: Room, world) -> None:
        """The room's world was republished: the members here get the new
        document (their clients redraw the room without a reload), and every
        member's zone follows at once; those here who changed zone get its
        snapshot (the others' nodes announce theirs)."""
        room.world = world
        log("world_changed", node=self.node.id, room=room.id)
        frames = Frames(wire.envelope(wire.WorldChanged(roomId=room.id, world=world)))
        for conn in room.local.values():
            conn.push(frames.get(conn.binary))
        for uid, m in room.members.items():
            zone = zones.zone_id(world, m.x, m.z)
            if (conn := room.local.get(uid)) is not None and zone != m.zoneId:
                self.node.relay.enter_zone(conn, zone)
            m.zoneId = zone
