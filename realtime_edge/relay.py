"""The movement relay: a member's moves in, every tick's moves out.

``move`` accepts a move (or corrects the sender) and keeps only the newest
per member until the tick; ``tick`` publishes each room's moves as one
volatile bus entry and hands them to the members here at once (the node
skips its own batch when the bus brings it back); ``moves`` delivers a batch
to the viewers of each space, as ``routing`` plans it, encoding each space's
frame once. Moves stay in the mover's space (``spaces``: a private zone
is a space of its own).
"""

from __future__ import annotations

import asyncio
import time

import msgspec

from realtime_edge import routing, spaces, zones
from realtime_edge.connection import NO_SEATS, Conn
from realtime_edge.features import room_state
from realtime_edge.frames import ENCODERS, Frames, array_frame
from realtime_edge.logs import log
from realtime_edge.movement import Correction, Limits, Pose, check_move, exclusive_at
from realtime_edge.ratelimit import TRANSFORM_RATE, Budget
from realtime_edge.room import Room
from realtime_edge.tasks import spawn
from virtubar import wire

BUDGET = Budget(TRANSFORM_RATE, quiet=True)
"""The platform's rate; moves over it are dropped and counted, not answered."""


class Relay:
    def __init__(self, node) -> None:
        self.node = node
        self.ticks = 0  # every aoi_every-th tick carries far moves in crowded zones
        self.waiting = asyncio.Event()  # moves wait for a flush
        config = node.config
        self.limits = Limits(budget_s=config.move_budget_s, max_climb_m=config.max_climb_m,
                             vertical_speed=config.vertical_speed)

    async def move(self, conn: Conn, p: wire.AvatarTransform) -> None:
        node, now = self.node, time.monotonic()
        if p.seq <= conn.last_seq:
            node.metrics.inc("virtubar_edge_dropped_total", reason="stale_seq")
            return
        conn.last_seq = p.seq
        (room, member), pose = conn.joined(), conn.pose
        assert pose is not None  # placed at join
        fix = check_move(room.world, pose, p.x, p.y, p.z, now, room.positions_except(member.userId), self.limits)
        seats = conn.seats
        if fix is None:  # the seats it steps onto must also be free on every other node
            seats = frozenset(o.id for o in exclusive_at(room.world, p.x, p.z)) or NO_SEATS
            if seats - conn.seats and not await node.seats.take(room.id, member.userId, seats - conn.seats,
                                                                room.members):
                fix, seats = Correction("occupied", pose.x, pose.y, pose.z), conn.seats
        if conn.seats - seats:
            spawn(node.seats.release(room.id, member.userId, conn.seats - seats), "release_seats",
                  room=room.id, user=member.userId)
        conn.seats = seats
        if fix is not None:
            node.metrics.inc("virtubar_edge_corrections_total", reason=fix.reason)
            node.send(conn, wire.PositionCorrection(seq=p.seq, x=fix.x, y=fix.y, z=fix.z, reason=fix.reason))
            return
        conn.pose = Pose(p.x, p.y, p.z, now)
        member.x, member.y, member.z, member.rotY = p.x, p.y, p.z, p.rotY
        member.anim, member.speaking = p.anim, p.speaking
        room.dirty.add(member.userId)
        if member.userId in room.pending:  # two moves in one tick: only the newer is relayed
            node.metrics.inc("virtubar_edge_coalesced_total")
        room.pending[member.userId] = wire.AvatarTransformBroadcast(
            userId=member.userId, seq=p.seq, x=p.x, y=p.y, z=p.z, rotY=p.rotY, anim=p.anim, speaking=p.speaking)
        self.waiting.set()
        zone = zones.zone_id(room.world, p.x, p.z)
        if zone != member.zoneId:
            self.enter_zone(conn, zone)

    def enter_zone(self, conn: Conn, zone: str | None) -> None:
        """The member is in another zone now: the room as seen from there to
        the member, the change to the room."""
        room, member = conn.joined()
        previous, member.zoneId = member.zoneId, zone
        self.node.send(conn, room_state(room, spaces.view(room.world, room.members.values(), zone), zone))
        spawn(self.node.publish(room.id, wire.ZoneChanged(userId=member.userId, zoneId=zone, previousZoneId=previous)),
              "publish_zone_changed", room=room.id, user=member.userId)

    def zone_changed(self, room: Room, offset: str, found) -> list[Conn]:
        """Another node's member changed zone: everyone here is told."""
        p = found.payload
        if (m := room.members.get(p.userId)) is not None and p.userId not in room.local:
            m.zoneId = p.zoneId
        return list(room.local.values())

    async def tick(self, due: bool = True) -> None:
        """A flush: every room's waiting moves out; at a tick (``due``) also
        the far moves held back in crowded zones though nobody moved since."""
        node = self.node
        if due:
            self.ticks += 1
        far_tick = due and self.ticks % node.config.aoi_every == 0
        jobs = []
        for room in list(node.rooms.values()):
            if room.held and not room.pending and far_tick:
                self.moves(room, [], b"", far_tick)
            if room.pending:
                batch = [wire.envelope(p) for p in room.pending.values()]
                room.pending.clear()
                data = msgspec.json.encode(batch)
                room.sent.append(data)
                self.moves(room, batch, data, far_tick)  # the members here need no trip through the bus
                jobs.append(node.bus.publish(room.id, data, durable=False))
        if jobs:
            for result in await asyncio.gather(*jobs, return_exceptions=True):
                if isinstance(result, Exception):
                    log("publish_failed", node=node.id, error=repr(result))

    def moves(self, room: Room, batch: list, data: bytes, far_tick: bool | None = None) -> None:
        """One flush's moves of one node (``data``: the batch as published);
        ``far_tick``: held far moves go too (by default, when the last tick here was a far one)."""
        config, world = self.node.config, room.world
        private = spaces.private_zones(world)
        groups, where = routing.by_space(world, private, batch)
        for env in batch:
            p = env.payload
            m = room.members.get(p.userId)
            if m is not None and p.userId not in room.local:
                m.x, m.y, m.z, m.rotY, m.anim, m.speaking, m.zoneId = (
                    p.x, p.y, p.z, p.rotY, p.anim, p.speaking, where[p.userId])
        far = self.ticks % config.aoi_every == 0 if far_tick is None else far_tick
        for space in room.held if far else ():
            groups.setdefault(space, [])
        whole = len(groups) == 1 and data
        for space, envs in groups.items():
            crowded = spaces.members_in(private, room.members.values(), space) > config.aoi_zone_size
            pick, held = routing.plan(world, envs, room.held.get(space), crowded, far)
            if held is None:
                room.held.pop(space, None)
            else:
                room.held[space] = held
            viewers = [c for c in room.local.values()
                       if c.member is not None and spaces.space(private, c.member.zoneId) == space]
            self._push(viewers, envs, Frames(envs, data.decode() if whole else None), pick, room)

    def _push(self, viewers: list[Conn], envs: list, frames: Frames, pick, room: Room) -> None:
        """One frame per viewer: viewers given all of ``envs`` share its
        frame, the others get frames joined from moves encoded once each.
        Players who blocked each other (either way) get none of the other's."""
        sent = 0
        pieces: dict[bool, dict[int, bytes]] = {}
        shy = blocking(room)
        for conn in viewers:
            chosen = envs if pick is None else pick(conn.member)
            if conn.user_id in shy:
                chosen = [e for e in chosen if not room.hidden(conn.user_id, e.payload.userId)]
            if not chosen:
                continue
            if chosen is envs:
                conn.push(frames.get(conn.binary))
            else:
                made = pieces.setdefault(conn.binary, {})
                for e in chosen:
                    if id(e) not in made:
                        made[id(e)] = ENCODERS[conn.binary].encode(e)
                conn.push(array_frame([made[id(e)] for e in chosen], conn.binary))
            sent += len(chosen)
        self.node.metrics.inc("virtubar_edge_messages_out_total", sent, type="avatar_transform_broadcast")



def blocking(room: Room) -> set[str]:
    """Everyone here in a block, either side: only their moves need filtering."""
    shy: set[str] = set()
    for user, blocked in room.blocks.items():
        if blocked:
            shy.add(user)
            shy.update(blocked)
    return shy
