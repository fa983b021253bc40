"""The edge node: players' events in, room events out through the bus.

Every event about a room goes through the room's bus streams, including to
the players on this node, so one path serves one node or a fleet: chat,
joins, leaves and emotes on the durable stream (offsets are chat
``messageId``), moves coalesced per tick into one volatile entry per room.
Presence (member + last-known transform + zone) lives in shared state with
expiry, refreshed while connected, so any node can answer ``room_state`` and
a crashed node's members vanish after ``presence_ttl_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid

import msgspec

from realtime_edge import shared, zones
from realtime_edge.chat import hears, text_problem
from realtime_edge.config import EdgeConfig
from realtime_edge.connection import Conn
from realtime_edge.logs import log
from realtime_edge.metrics import Metrics
from realtime_edge.movement import Correction, Pose, check_move, exclusive_at
from realtime_edge.protocol import BadMessage, decode
from realtime_edge.ratelimit import chat_bucket, transform_bucket
from realtime_edge.room import Room
from realtime_edge.seats import Seats
from virtubar import keys, wire
from virtubar.bus import Delivery, RoomBus, parse_offset
from virtubar.moderation import Admission, BlocksChanged, ModerationLifted, decode_control, mask_words
from virtubar.registry import NodeInfo, Registry, heartbeat
from virtubar.settings import Settings
from virtubar.state import SharedState
from virtubar.tokens import TokenError, TokenIssuer
from virtubar.world import default_world

_ENCODERS = {False: msgspec.json.Encoder(), True: msgspec.msgpack.Encoder()}
_BATCH = msgspec.json.Decoder(list[wire.ENVELOPES[wire.AvatarTransformBroadcast]])
_DURABLE = msgspec.json.Decoder(wire.ServerMessage)
_MEMBER = msgspec.json.Decoder(wire.Member)
CLOSE_KICKED = 4003
CLOSE_REPLACED = 4001
CLOSE_IDLE = 4000


def encode(obj, binary: bool) -> bytes | str:
    """A frame for a client: text for JSON, bytes for msgpack."""
    data = _ENCODERS[binary].encode(obj)
    return data if binary else data.decode()


def array_frame(pieces: list[bytes], binary: bool) -> bytes | str:
    """A frame holding a list of envelopes, from the envelopes encoded one by
    one: the same bytes as encoding the list, without encoding it again."""
    if not binary:
        return (b"[" + b",".join(pieces) + b"]").decode()
    n = len(pieces)
    if n < 16:
        head = bytes([0x90 | n])
    else:
        head = b"\xdc" + n.to_bytes(2, "big") if n < 65536 else b"\xdd" + n.to_bytes(4, "big")
    return head + b"".join(pieces)


class Frames:
    """One encoding per codec, made on first use and shared by recipients."""

    __slots__ = ("_made", "obj")

    def __init__(self, obj) -> None:
        self.obj = obj
        self._made: dict[bool, bytes | str] = {}

    def get(self, binary: bool) -> bytes | str:
        if binary not in self._made:
            self._made[binary] = encode(self.obj, binary)
        return self._made[binary]


class EdgeNode:
    def __init__(self, settings: Settings, state: SharedState, bus: RoomBus, config: EdgeConfig) -> None:
        self.settings, self.state, self.bus, self.config = settings, state, bus, config
        self.id = f"edge-{uuid.uuid4().hex[:10]}"
        self.tokens = TokenIssuer.from_settings(settings)
        self.admission = Admission.for_node(state, settings.api_url, self.tokens, self.id)
        self.metrics = Metrics()
        self.seats = Seats(state, config.presence_ttl_s)
        self.rooms: dict[str, Room] = {}
        self._hosting: dict[str, asyncio.Future] = {}
        self.conns: set[Conn] = set()
        self.draining = False
        self.ticks = 0  # every aoi_every-th tick carries far moves in crowded zones
        self._stopping = False
        self._tasks: list[asyncio.Task] = []
        self._joins = itertools.count(1)
        self._background: set[asyncio.Task] = set()
        self.blocks: dict[str, frozenset[str]] = {}  # member -> whom they blocked (blocks hide both ways)
        self.metrics.gauge("virtubar_edge_connections", lambda: len(self.conns), "open sockets")
        self.metrics.gauge("virtubar_edge_rooms", lambda: len(self.rooms), "rooms hosted here")

    # lifecycle -----------------------------------------------------------

    def start(self) -> None:
        if self._tasks:
            return
        self._tasks = [asyncio.create_task(c) for c in (
            self._read_loop(), self._tick_loop(), self._housekeeping(),
            heartbeat(Registry(self.state), self.describe),
        )]
        log("edge_started", node=self.id, url=self.url)

    def spawn(self, work) -> None:
        """Run ``work`` without awaiting it, keeping the task referenced."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @property
    def url(self) -> str:
        return self.settings.edge_url or self.settings.ws_base + "/ws"

    def describe(self) -> NodeInfo:
        return NodeInfo(id=self.id, kind="edge", url=self.url, region=self.settings.region,
                        capacity=self.settings.node_capacity, load=len(self.conns), draining=self.draining)

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

    # client events ---------------------------------------------------------

    def send(self, conn: Conn, payload: wire.Event) -> None:
        conn.push(encode(wire.envelope(payload), conn.binary))

    def refuse(self, conn: Conn, code: str, message: str, event: str | None) -> None:
        self.metrics.inc("virtubar_edge_rejected_total", code=code)
        self.send(conn, wire.Error(code=code, message=message, event=event))

    async def handle(self, conn: Conn, data: bytes | str) -> None:
        try:
            env = decode(data, isinstance(data, bytes))
        except BadMessage as e:
            self.metrics.inc("virtubar_edge_rejected_total", code=e.error.code)
            self.send(conn, e.error)
            return
        p = env.payload
        self.metrics.inc("virtubar_edge_messages_in_total", type=p.name)
        if isinstance(p, wire.JoinRoom):
            await self.join(conn, p)
        elif conn.room is None:
            self.refuse(conn, "not_joined", "send join_room first", p.name)
        elif p.roomId != conn.room.id:
            self.refuse(conn, "wrong_room", "roomId is not the room this socket joined", p.name)
        elif isinstance(p, wire.AvatarTransform):
            await self.move(conn, p)
        elif isinstance(p, wire.Heartbeat):
            self.send(conn, wire.HeartbeatAck(clientTimeMs=p.clientTimeMs, serverTimeMs=wire.now_ms()))
        elif isinstance(p, wire.LocalChat):
            await self.chat(conn, p)
        elif isinstance(p, wire.EmoteEvent):
            await self.publish(conn.room.id, wire.EmoteBroadcast(userId=conn.user_id, emoteId=p.emoteId))
        elif isinstance(p, wire.SetStatus):
            conn.member.status = p.status
            conn.room.dirty.add(conn.user_id)
            await self.publish(conn.room.id, wire.StatusChanged(userId=conn.user_id, status=p.status))

    async def join(self, conn: Conn, p: wire.JoinRoom) -> None:
        try:
            claims = self.tokens.verify(p.token, "realtime", room=p.roomId)
        except TokenError as e:
            self.metrics.inc("virtubar_edge_rejected_total", code=e.code)
            self.send(conn, wire.AuthError(code=e.code, message=e.message))
            return
        if conn.room is not None:
            self.refuse(conn, "already_joined", "this socket already joined a room", p.name)
            return
        user = claims.sub
        refusal, found = await self.admission.check(user, p.roomId)  # banned, kicked, or sanctions reloading
        if refusal is not None:
            self.metrics.inc("virtubar_edge_rejected_total", code=getattr(refusal, "code", "sanctions_reloading"))
            self.send(conn, refusal)
            return
        room = await self.host(p.roomId)
        self.blocks[user] = await shared.blocked_by(self.state, user)
        if (old := room.local.get(user)) is not None:
            old.replaced = True
            old.close(CLOSE_REPLACED, "joined again")
        world = room.world
        known = room.members.get(user)
        seats: set[str] = set()
        if known is not None:  # reconnecting: last-known transform, and the seat it sat on
            member = msgspec.structs.replace(known)
            seats = {o.id for o in exclusive_at(world, member.x, member.z)}
            if seats and not await self.seats.take(room.id, user, seats, room.members):
                seats = set()  # taken while it was away: it stands up at a spawn point
                (member.x, member.z), member.y = room.spawn_for(world), 0.0
        else:
            x, z = room.spawn_for(world)
            member = wire.Member(userId=user, displayName=claims.name or (p.user.displayName if p.user else user),
                                 avatarId=p.user.avatarId if p.user else "default", x=x, z=z)
        member.zoneId = zones.zone_id(world, member.x, member.z)
        now = time.monotonic()
        conn.member, conn.room, conn.platform, conn.seats = member, room, claims.platform or "desktop", seats
        conn.pose = Pose(member.x, member.y, member.z, now)
        conn.moves, conn.chats = transform_bucket(conn.platform, now), chat_bucket(now)
        conn.muted = shared.chat_muted(found)
        conn.joined_ts, conn.join_seq = wire.now_ms(), next(self._joins)
        room.members[user] = member
        room.local[user] = conn
        if p.lastMessageId:
            conn.held = []
        self.send(conn, wire.RoomState(roomId=room.id, serverTimeMs=wire.now_ms(),
                                       members=list(room.members.values()), zoneId=member.zoneId))
        await self.state.put(keys.room_members(room.id), user, msgspec.json.encode(member), self.config.presence_ttl_s)
        await self.publish(room.id, wire.MemberJoined(member=member), ts=conn.joined_ts)
        log("member_joined", node=self.id, room=room.id, user=user, platform=conn.platform)
        if p.lastMessageId:
            await self.recover(conn, p.lastMessageId)

    async def recover(self, conn: Conn, last: str) -> None:
        """Replay every chat message missed since ``last``, or say it cannot."""
        room = conn.room
        recovery = await self.bus.history(room.id, last)
        held, conn.held = conn.held or [], None
        if not recovery.whole:
            self.send(conn, wire.ChatGap(lastMessageId=last))
            self.metrics.inc("virtubar_edge_chat_recovery_total", result="gap")
        else:
            self.metrics.inc("virtubar_edge_chat_recovery_total", result="whole")
        replayed = set()
        for offset, data in recovery.entries:
            env = _DURABLE.decode(data)
            chat = env.payload
            if (isinstance(chat, wire.ChatBroadcast) and self._chat_replays_to(conn, chat)
                    and not self.hidden(chat.userId, conn.user_id)):
                env.payload.messageId = offset
                conn.push(encode(env, conn.binary))
            replayed.add(offset)
        for offset, frame in held:
            if offset not in replayed:
                conn.push(frame)

    def hidden(self, a: str, b: str) -> bool:
        """Did either block the other? Then neither sees the other's chat or emotes."""
        return b in self.blocks.get(a, ()) or a in self.blocks.get(b, ())

    def _forget(self, user: str) -> None:
        if not any(user in room.members for room in self.rooms.values()):
            self.blocks.pop(user, None)

    async def _load_blocks(self, user: str) -> None:
        self.blocks[user] = await shared.blocked_by(self.state, user)

    def _chat_replays_to(self, conn: Conn, chat: wire.ChatBroadcast) -> bool:
        return chat.mode == "room" or chat.zoneId == conn.member.zoneId

    async def move(self, conn: Conn, p: wire.AvatarTransform) -> None:
        now = time.monotonic()
        if not conn.moves.allow(now):
            self.metrics.inc("virtubar_edge_dropped_total", reason="rate_limit")
            return
        if p.seq <= conn.last_seq:
            self.metrics.inc("virtubar_edge_dropped_total", reason="stale_seq")
            return
        conn.last_seq = p.seq
        room, member = conn.room, conn.member
        fix = check_move(room.world, conn.pose, p.x, p.y, p.z, now, room.positions_except(member.userId))
        seats = conn.seats
        if fix is None:  # the seats it steps onto must also be free on every other node
            seats = {o.id for o in exclusive_at(room.world, p.x, p.z)}
            if seats - conn.seats and not await self.seats.take(room.id, member.userId, seats - conn.seats,
                                                                room.members):
                fix, seats = Correction("occupied", conn.pose.x, conn.pose.y, conn.pose.z), conn.seats
        if conn.seats - seats:
            self.spawn(self.seats.release(room.id, member.userId, conn.seats - seats))
        conn.seats = seats
        if fix is not None:
            self.metrics.inc("virtubar_edge_corrections_total", reason=fix.reason)
            self.send(conn, wire.PositionCorrection(seq=p.seq, x=fix.x, y=fix.y, z=fix.z, reason=fix.reason))
            return
        conn.pose = Pose(p.x, p.y, p.z, now)
        member.x, member.y, member.z, member.rotY = p.x, p.y, p.z, p.rotY
        member.anim, member.speaking = p.anim, p.speaking
        room.dirty.add(member.userId)
        if member.userId in room.pending:  # two moves in one tick: only the newer is relayed
            self.metrics.inc("virtubar_edge_coalesced_total")
        room.pending[member.userId] = wire.AvatarTransformBroadcast(
            userId=member.userId, seq=p.seq, x=p.x, y=p.y, z=p.z, rotY=p.rotY, anim=p.anim, speaking=p.speaking)
        zone = zones.zone_id(room.world, p.x, p.z)
        if zone != member.zoneId:
            self._enter_zone(conn, zone)

    def _enter_zone(self, conn: Conn, zone: str | None) -> None:
        """The member is in another zone now: its snapshot to the member, the change to the room."""
        room, member = conn.room, conn.member
        previous, member.zoneId = member.zoneId, zone
        self.send(conn, wire.RoomState(roomId=room.id, serverTimeMs=wire.now_ms(),
                                       members=room.zone_members(zone), zoneId=zone))
        self.spawn(self.publish(room.id, wire.ZoneChanged(
            userId=member.userId, zoneId=zone, previousZoneId=previous)))

    async def chat(self, conn: Conn, p: wire.LocalChat) -> None:
        if problem := text_problem(p.text):
            self.refuse(conn, *problem, p.name)
        elif conn.muted:
            self.refuse(conn, "muted", "a moderator muted you", p.name)
        elif not conn.chats.allow(time.monotonic()):
            self.refuse(conn, "chat_rate_limited", "slow down: at most 2 messages a second", p.name)
        else:
            text = mask_words(p.text, conn.room.chat_filter)
            await self.publish(conn.room.id, wire.ChatBroadcast(
                userId=conn.user_id, text=text, messageId="", mode=p.mode, zoneId=conn.member.zoneId))

    async def leave(self, conn: Conn) -> None:
        self.conns.discard(conn)
        room = conn.room
        if room is None:
            return
        user = conn.user_id
        if room.local.get(user) is conn:
            del room.local[user]
            room.pending.pop(user, None)
            room.dirty.discard(user)
            if not conn.replaced:
                self.spawn(self.seats.release(room.id, user, conn.seats))
                room.members.pop(user, None)
                await self.state.drop(keys.room_members(room.id), user)
                await self.publish(room.id, wire.MemberLeft(userId=user))
            log("member_left", node=self.id, room=room.id, user=user, replaced=conn.replaced)
        if not room.local and self.rooms.get(room.id) is room:
            del self.rooms[room.id]
            for uid in [user, *room.members]:
                self._forget(uid)
            await self.bus.unsubscribe(room.id)

    # rooms ---------------------------------------------------------------

    async def host(self, room_id: str) -> Room:
        """The room, subscribed to its streams and loaded from presence."""
        if room_id in self.rooms:
            return self.rooms[room_id]
        if room_id in self._hosting:
            return await asyncio.shield(self._hosting[room_id])
        future = asyncio.get_running_loop().create_future()
        self._hosting[room_id] = future
        try:
            world, words = await shared.room_setup(self.state, room_id)
            room = Room(room_id, world or default_world(self.config.default_template))
            room.chat_filter = words
            await self.bus.subscribe(room_id)
            for uid, data in (await self.state.members(keys.room_members(room_id))).items():
                if data:  # empty data: a seat reservation, not a member yet
                    with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                        room.members[uid] = _MEMBER.decode(data)
                        self.spawn(self._load_blocks(uid))
            self.rooms[room_id] = room
            future.set_result(room)
            return room
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: joins waiting on it re-raise
            raise
        finally:
            del self._hosting[room_id]

    async def publish(self, room_id: str, payload: wire.Event, ts: int | None = None) -> str:
        return await self.bus.publish(room_id, msgspec.json.encode(wire.envelope(payload, ts)))

    # fan-out ---------------------------------------------------------------

    async def _read_loop(self) -> None:
        while not self._stopping:
            try:
                deliveries = await self.bus.read(0.5)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log("bus_read_failed", node=self.id, error=repr(e))
                await asyncio.sleep(0.5)
                continue
            for d in deliveries:
                try:
                    self.deliver(d)
                except (msgspec.DecodeError, msgspec.ValidationError) as e:
                    log("bad_bus_entry", node=self.id, room=d.room, offset=d.offset, error=str(e))
                except Exception as e:  # one bad delivery must not stop every room's fan-out
                    log("deliver_failed", logging.ERROR, node=self.id, room=d.room, offset=d.offset, error=repr(e))
                self.metrics.observe_fanout_ms(wire.now_ms() - parse_offset(d.offset)[0])

    def deliver(self, d: Delivery) -> None:
        if d.room is None:
            self._control(decode_control(d.data))
            return
        room = self.rooms.get(d.room)
        if room is None:
            return
        if d.durable:
            self._durable(room, d.offset, _DURABLE.decode(d.data))
        elif d.data in room.sent:  # our own batch, delivered here when it was made
            room.sent.remove(d.data)
        else:
            self._moves(room, _BATCH.decode(d.data), d.data)

    def _moves(self, room: Room, batch: list, data: bytes) -> None:
        """One tick's moves of one node (``data``: the batch as published)."""
        world = room.world
        by_zone: dict[str | None, list] = {}
        for env in batch:
            p = env.payload
            zone = zones.zone_id(world, p.x, p.z)
            m = room.members.get(p.userId)
            if m is not None and p.userId not in room.local:
                m.x, m.y, m.z, m.rotY, m.anim, m.speaking, m.zoneId = p.x, p.y, p.z, p.rotY, p.anim, p.speaking, zone
            by_zone.setdefault(zone, []).append(env)
        with_far = self.ticks % self.config.aoi_every == 0
        for zone in room.held if with_far else ():
            by_zone.setdefault(zone, [])
        for zone, envs in by_zone.items():
            viewers = [c for c in room.local.values() if c.member.zoneId == zone]
            frames = Frames(envs)
            if len(by_zone) == 1 and data:
                frames._made[False] = data.decode()  # the batch as published is the frame
            if len(room.zone_members(zone)) > self.config.aoi_zone_size and not with_far:
                room.held.setdefault(zone, {}).update((e.payload.userId, e) for e in envs)
                pick = self._near(world, envs)
            elif zone in room.held:  # a far tick, or no longer crowded: what far viewers missed
                moved = {e.payload.userId for e in envs}
                missed = [e for uid, e in room.held.pop(zone).items() if uid not in moved]
                pick = self._far_missed(world, envs, missed) if missed else None
            else:
                pick = None
            self._push_moves(viewers, envs, frames, pick)

    @staticmethod
    def _near(world, envs: list):
        """A crowded zone between far ticks: each viewer gets only nearby moves."""
        box = zones.spread(envs)

        def pick(conn: Conn) -> list:
            if zones.all_near(world, conn.member.x, conn.member.z, box):
                return envs
            near, _ = zones.interest_split(world, conn.member.x, conn.member.z, envs)
            return envs if len(near) == len(envs) else near
        return pick

    @staticmethod
    def _far_missed(world, envs: list, missed: list):
        """A crowded zone's far tick: each viewer also gets the latest far
        moves it missed since the last one (of movers who stood still since)."""
        box = zones.spread(missed)

        def pick(conn: Conn) -> list:
            if zones.all_near(world, conn.member.x, conn.member.z, box):
                return envs
            _, far = zones.interest_split(world, conn.member.x, conn.member.z, missed)
            return envs + far if far else envs
        return pick

    def _push_moves(self, viewers: list[Conn], envs: list, whole: Frames, pick) -> None:
        """One frame per viewer. ``pick(conn)`` (None: every move) gives a
        viewer's moves: viewers given all of ``envs`` share its frame, the
        others get frames joined from moves encoded once each."""
        sent = 0
        pieces: dict[bool, dict[int, bytes]] = {}
        for conn in viewers:
            chosen = envs if pick is None else pick(conn)
            if not chosen:
                continue
            if chosen is envs:
                conn.push(whole.get(conn.binary))
            else:
                made = pieces.setdefault(conn.binary, {})
                for e in chosen:
                    if id(e) not in made:
                        made[id(e)] = _ENCODERS[conn.binary].encode(e)
                conn.push(array_frame([made[id(e)] for e in chosen], conn.binary))
            sent += len(chosen)
        self.metrics.inc("virtubar_edge_messages_out_total", sent, type="avatar_transform_broadcast")

    def _durable(self, room: Room, offset: str, env) -> None:
        p = env.payload
        recipients = list(room.local.values())
        if isinstance(p, wire.MemberJoined):
            uid = p.member.userId
            local = room.local.get(uid)
            if local is not None and env.ts > local.joined_ts:  # joined again on another node
                local.replaced = True
                local.close(CLOSE_REPLACED, "joined again elsewhere")
            elif local is None:
                room.members[uid] = p.member
                self.spawn(self._load_blocks(uid))
            # whoever joined at or after this was told in its room_state
            if local is not None and local.joined_ts == env.ts:  # joined here: this node's order decides
                recipients = [c for c in recipients if c.join_seq < local.join_seq]
            else:
                recipients = [c for c in recipients if c.user_id != uid and c.joined_ts < env.ts]
        elif isinstance(p, wire.MemberLeft):
            if p.userId in room.local:
                return  # a stale leave: the member is connected here
            room.members.pop(p.userId, None)
            self._forget(p.userId)
        elif isinstance(p, wire.ChatBroadcast):
            p.messageId = offset
            sender = room.members.get(p.userId)
            if sender is not None:
                recipients = [c for c in recipients if hears(room.world, p.mode, sender, c.member)]
            else:
                recipients = [c for c in recipients if p.mode == "room" or c.member.zoneId == p.zoneId]
            recipients = [c for c in recipients if not self.hidden(p.userId, c.user_id)]
        elif isinstance(p, wire.EmoteBroadcast):
            sender = room.members.get(p.userId)
            zone = sender.zoneId if sender else None
            recipients = [c for c in recipients if c.member.zoneId == zone and not self.hidden(p.userId, c.user_id)]
        elif isinstance(p, wire.ZoneChanged):
            if (m := room.members.get(p.userId)) is not None and p.userId not in room.local:
                m.zoneId = p.zoneId
        elif isinstance(p, wire.StatusChanged):
            if (m := room.members.get(p.userId)) is not None:
                m.status = p.status
        frames = Frames(env)
        for conn in recipients:
            frame = frames.get(conn.binary)
            if conn.held is not None:
                conn.held.append((offset, frame))
            else:
                conn.push(frame)
        self.metrics.inc("virtubar_edge_messages_out_total", len(recipients), type=p.name)

    def _control(self, event: wire.Event) -> None:
        """Moderation from the functions: tell and act on the members here."""
        if isinstance(event, BlocksChanged):
            if event.userId in self.blocks:
                self.spawn(self._load_blocks(event.userId))
            return
        if not event.userId:
            return
        for room in list(self.rooms.values()):
            if event.roomId and event.roomId != room.id:
                continue
            conn = room.local.get(event.userId)
            if conn is None:
                continue
            if isinstance(event, ModerationLifted):
                if event.type == "mute":
                    self.spawn(self._reload_mute(conn))
                continue
            log("moderation", node=self.id, room=room.id, user=event.userId, action=event.type)
            if event.type == "mutedByMod":
                self.spawn(self._reload_mute(conn, event))
            else:
                self.send(conn, wire.ModerationAction(type=event.type, reason=event.reason))
                conn.close(CLOSE_KICKED, event.type)

    async def _reload_mute(self, conn: Conn, told: wire.ModerationAction | None = None) -> None:
        """Mutes carry channels (chat, voice, all): the mirrored sanctions say
        whether this one silences chat. The member is told once it holds."""
        if conn.room is not None:
            conn.muted = shared.chat_muted(await shared.sanctions(self.state, conn.user_id, conn.room.id))
        if told is not None:
            self.send(conn, wire.ModerationAction(type=told.type, reason=told.reason))

    # timers ----------------------------------------------------------------

    async def _tick_loop(self) -> None:
        period = 1.0 / self.config.tick_hz
        next_at = time.monotonic()
        while not self._stopping:
            next_at += period
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if time.monotonic() - next_at > period:
                next_at = time.monotonic()  # fell behind: do not burst
            self.ticks += 1
            jobs = []
            for room in list(self.rooms.values()):
                if room.held and not room.pending and self.ticks % self.config.aoi_every == 0:
                    self._moves(room, [], b"")  # moves held back from far viewers, though nobody moved since
                if room.pending:
                    batch = [wire.envelope(p) for p in room.pending.values()]
                    room.pending.clear()
                    data = msgspec.json.encode(batch)
                    room.sent.append(data)
                    self._moves(room, batch, data)  # the members here need no trip through the bus
                    jobs.append(self.bus.publish(room.id, data, durable=False))
            if jobs:
                for result in await asyncio.gather(*jobs, return_exceptions=True):
                    if isinstance(result, Exception):
                        log("publish_failed", node=self.id, error=repr(result))

    async def _housekeeping(self) -> None:
        """Presence refresh, silent clients, ghost members."""
        last_full = 0.0
        while not self._stopping:
            await asyncio.sleep(self.config.presence_every_s)
            now = time.monotonic()
            for conn in list(self.conns):
                if now - conn.last_seen > self.config.idle_timeout_s:
                    log("idle_timeout", node=self.id, room=conn.room.id if conn.room else None, user=conn.user_id)
                    conn.close(CLOSE_IDLE, "no message within the idle timeout")
            full = now - last_full >= self.config.presence_ttl_s / 3
            if full:
                last_full = now
            for room in list(self.rooms.values()):
                try:
                    await self._refresh(room, full)
                except asyncio.CancelledError:
                    raise
                except Exception as e:
                    log("presence_failed", node=self.id, room=room.id, error=repr(e))

    def _rewrite(self, room: Room, world) -> None:
        """The room's world was republished: every member's zone follows at
        once; those here who changed zone get its snapshot (the others'
        nodes announce theirs)."""
        room.world = world
        log("world_changed", node=self.id, room=room.id)
        for uid, m in room.members.items():
            zone = zones.zone_id(world, m.x, m.z)
            if (conn := room.local.get(uid)) is not None and zone != m.zoneId:
                self._enter_zone(conn, zone)
            m.zoneId = zone

    async def _refresh(self, room: Room, full: bool) -> None:
        key, ttl = keys.room_members(room.id), self.config.presence_ttl_s
        users = list(room.local) if full else [u for u in room.dirty if u in room.local]
        room.dirty.clear()
        await asyncio.gather(*(self.state.put(key, u, msgspec.json.encode(room.members[u]), ttl)
                               for u in users if u in room.members),
                             *(self.seats.hold(room.id, u, c.seats) for u, c in room.local.items() if c.seats))
        if not full:
            return
        world, room.chat_filter = await shared.room_setup(self.state, room.id)  # an owner may change either
        if world is not None and world != room.world:
            self._rewrite(room, world)
        live = {u for u, data in (await self.state.members(key)).items() if data}
        for uid in [u for u in room.members if u not in live and u not in room.local]:
            del room.members[uid]  # its node died: its presence expired
            self._forget(uid)
            frames = Frames(wire.envelope(wire.MemberLeft(userId=uid)))
            for conn in room.local.values():
                conn.push(frames.get(conn.binary))
            log("ghost_removed", node=self.id, room=room.id, user=uid)
