"""The session: a member's join, leave and return.

``join`` checks the token, the player's sanctions and the room's capacity
(``joining``), places the member (a returning member where it was last
seen, on the seat it held if still free) under the name and avatar its
token gives, answers ``room_state`` and announces it; ``recover`` replays
what a returning member missed of the room's history, each event to it only
if its feature's rule says it would have received it live, paced by its
socket (``recovery``); ``leave`` undoes a join. ``joined``/``left``
handle those announcements from every node.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Set as AbstractSet

import msgspec

from realtime_edge import entries, features, shared, spaces, zones
from realtime_edge.connection import NO_SEATS, Conn
from realtime_edge.frames import ENCODERS
from realtime_edge.joining import identity, room_capacity, take_place
from realtime_edge.logs import log
from realtime_edge.movement import Pose, exclusive_at
from realtime_edge.ratelimit import Budget
from realtime_edge.recovery import replay
from realtime_edge.room import Room
from realtime_edge.tasks import spawn
from virtubar import keys, wire
from virtubar.moderation import Admission
from virtubar.tokens import TokenError
from virtubar.world import default_world

BUDGET = Budget(1.0, burst=5.0)
"""A socket joins once; a few retries with a fresh token are fine."""
CLOSE_REPLACED = 4001
_MEMBER = msgspec.json.Decoder(wire.Member)


class Session:
    def __init__(self, node) -> None:
        self.node = node
        self.admission = Admission.for_node(node.state, node.settings.api_url, node.tokens, node.id)
        self._hosting: dict[str, asyncio.Future] = {}
        self._joins = itertools.count(1)

    async def join(self, conn: Conn, p: wire.JoinRoom) -> None:
        node = self.node
        try:
            claims = node.tokens.verify(p.token, "realtime", room=p.roomId)
        except TokenError as e:
            node.metrics.inc("virtubar_edge_rejected_total", code=e.code)
            node.send(conn, wire.AuthError(code=e.code, message=e.message))
            return
        if conn.room is not None:
            node.refuse(conn, "already_joined", "this socket already joined a room", p.name)
            return
        user = claims.sub
        if await shared.revoked(node.state, user, claims.iat):  # the account was erased or merged meanwhile
            node.metrics.inc("virtubar_edge_rejected_total", code="token_revoked")
            node.send(conn, wire.AuthError(code="token_revoked", message="this sign-in was revoked; sign in again"))
            return
        refusal, found = await self.admission.check(user, p.roomId)  # banned, kicked, or sanctions reloading
        if refusal is not None:
            node.metrics.inc("virtubar_edge_rejected_total", code=getattr(refusal, "code", "sanctions_reloading"))
            node.send(conn, refusal)
            return
        capacity = await room_capacity(node.state, p.roomId)
        if not await take_place(node.state, p.roomId, user, capacity, node.config.presence_ttl_s):
            node.refuse(conn, "room_full", f"the room is full ({capacity} players)", p.name)
            return
        room = await self.host(p.roomId)
        room.blocks[user] = await shared.blocked_by(node.state, user)
        if (old := room.local.get(user)) is not None:
            old.replaced = True
            old.close(CLOSE_REPLACED, "joined again")
        world = room.world
        known = room.members.get(user)
        name, avatar, look = identity(claims)
        seats: AbstractSet[str] = NO_SEATS
        if known is not None:  # returning: last-known transform, and the seat it sat on
            member = msgspec.structs.replace(known, displayName=name, avatarId=avatar, look=look)
            seats = frozenset(o.id for o in exclusive_at(world, member.x, member.z)) or NO_SEATS
            if seats and not await node.seats.take(room.id, user, seats, room.members):
                seats = NO_SEATS  # taken while it was away: it stands up at a spawn point
                (member.x, member.z), member.y = room.spawn_for(world), 0.0
        else:
            x, z = room.spawn_for(world)
            member = wire.Member(userId=user, displayName=name, avatarId=avatar, look=look, x=x, z=z)
        member.zoneId = zones.zone_id(world, member.x, member.z)
        conn.member, conn.room, conn.platform, conn.seats = member, room, claims.platform or "desktop", seats
        conn.role = claims.role
        conn.pose = Pose(member.x, member.y, member.z, time.monotonic())
        conn.meter = node.meter(conn.platform)  # its budgets start now, at its platform's rates
        conn.muted = shared.chat_muted(found)
        conn.joined_ts, conn.join_seq = wire.now_ms(), next(self._joins)
        room.members[user] = member
        room.local[user] = conn
        if p.lastMessageId:
            conn.held = []
        seen = spaces.view(world, (m for m in room.members.values() if not room.hidden(user, m.userId)), member.zoneId)
        node.send(conn, features.room_state(room, seen, member.zoneId))
        await node.state.put(keys.room_members(room.id), user, msgspec.json.encode(member), node.config.presence_ttl_s)
        await node.publish(room.id, wire.MemberJoined(member=member), ts=conn.joined_ts)
        log("member_joined", node=node.id, room=room.id, user=user, platform=conn.platform)
        if p.lastMessageId:
            await self.recover(conn, p.lastMessageId)

    async def recover(self, conn: Conn, last: str) -> None:
        """Replay what the member missed since ``last`` and would have
        received live, or say it cannot (``chat_gap``: never part of it)."""
        node, (room, member) = self.node, conn.joined()
        recovery = await node.bus.history(room.id, last)
        if not recovery.whole:
            node.send(conn, wire.ChatGap(lastMessageId=last))
        node.metrics.inc("virtubar_edge_chat_recovery_total", result="whole" if recovery.whole else "gap")
        missed = []
        for offset, data in recovery.entries:
            try:
                found = entries.read(data)
            except (msgspec.DecodeError, msgspec.ValidationError):
                continue
            rule = features.RULES.get(type(found.payload))
            if rule is not None and rule.replay and rule.receives(room, found.payload, found.at, member):
                if rule.stamp is not None:
                    rule.stamp(found.payload, offset)
                missed.append(ENCODERS[conn.binary].encode(entries.envelope(found)))
        await replay(conn, missed, (offset for offset, _ in recovery.entries))

    async def leave(self, conn: Conn) -> None:
        node = self.node
        node.conns.discard(conn)
        room = conn.room
        if room is None:
            return
        user = conn.user_id
        if room.local.get(user) is conn:
            del room.local[user]
            room.pending.pop(user, None)
            room.dirty.discard(user)
            if not conn.replaced:
                spawn(node.seats.release(room.id, user, conn.seats), "release_seats", room=room.id, user=user)
                room.forget(user)
                await node.state.drop(keys.room_members(room.id), user)
                await node.publish(room.id, wire.MemberLeft(userId=user))
            log("member_left", node=node.id, room=room.id, user=user, replaced=conn.replaced)
        if not room.local and node.rooms.get(room.id) is room:
            del node.rooms[room.id]
            await node.bus.unsubscribe(room.id)

    async def host(self, room_id: str) -> Room:
        """The room, subscribed to its streams and loaded from presence."""
        node = self.node
        if room_id in node.rooms:
            return node.rooms[room_id]
        if room_id in self._hosting:
            return await asyncio.shield(self._hosting[room_id])
        future = asyncio.get_running_loop().create_future()
        self._hosting[room_id] = future
        try:
            world = await shared.room_world(node.state, room_id)
            room = Room(room_id, world or default_world(node.config.default_template))
            await features.load(node.state, room)
            await node.bus.subscribe(room_id)
            for uid, data in (await node.state.members(keys.room_members(room_id))).items():
                if data:  # empty data: a seat reservation, not a member yet
                    with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                        room.members[uid] = _MEMBER.decode(data)
                        node.control.load_blocks(room, uid)
            node.rooms[room_id] = room
            future.set_result(room)
            return room
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: joins waiting on it re-raise
            raise
        finally:
            del self._hosting[room_id]

    def joined(self, room: Room, offset: str, found) -> list[Conn]:
        """A member joined, on this node or another: who here is told."""
        member, ts = found.payload.member, found.ts
        uid = member.userId
        local = room.local.get(uid)
        recipients = list(room.local.values())
        if local is not None and ts > local.joined_ts:  # joined again on another node
            local.replaced = True
            local.close(CLOSE_REPLACED, "joined again elsewhere")
        elif local is None:
            room.members[uid] = member
            self.node.control.load_blocks(room, uid)
        # whoever joined at or after this was told in its room_state
        recipients = [c for c in recipients if not room.hidden(c.user_id, uid)]  # blocked either way: never there
        if local is not None and local.joined_ts == ts:  # joined here: this node's order decides
            return [c for c in recipients if c.join_seq < local.join_seq]
        return [c for c in recipients if c.user_id != uid and c.joined_ts < ts]

    def part(self, room: Room, user: str, blocked: frozenset[str]) -> None:
        """``user`` just blocked ``blocked``: to each side here the other has
        left (avatar, tag and People row go at once; moves, chat, emotes and
        voice stop by the block itself)."""
        for other in blocked & room.members.keys():
            for viewer, gone in ((user, other), (other, user)):
                if (conn := room.local.get(viewer)) is not None:
                    self.node.send(conn, wire.MemberLeft(userId=gone))

    def left(self, room: Room, offset: str, found) -> list[Conn]:
        """A member left: everyone here is told, unless it is connected here
        (a stale leave, from before it came back)."""
        uid = found.payload.userId
        if uid in room.local:
            return []
        room.forget(uid)
        return list(room.local.values())
