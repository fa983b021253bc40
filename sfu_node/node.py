"""The SFU node: its rooms, its voice-token check, its ICE configuration, the
selection tick, its registry heartbeat and its drain."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection

from sfu_node import aiortc_hooks
from sfu_node.config import SfuConfig
from sfu_node.metrics import Metrics
from sfu_node.peer import Peer
from sfu_node.presence import Platform, room_world
from sfu_node.room import Room
from sfu_node.tasks import keep_running
from virtubar.bus import RoomBus
from virtubar.moderation import Admission
from virtubar.oslimits import SFU_PLAYER_BYTES, default_capacity
from virtubar.registry import NodeInfo, Registry, heartbeat
from virtubar.settings import Settings
from virtubar.state import SharedState
from virtubar.tokens import TokenIssuer
from virtubar.wire import Reconnect
from virtubar.world import World, default_world

TICK_S = 0.1  # loudness reselection; moves reselect at once
TICK_LOG_S = 10.0  # a room's tick failing on every pass is logged this often
DRAIN_RECONNECT_MS = 1000
log = logging.getLogger(__name__)


def turn_credentials(secret: str, user_id: str, ttl_s: int, now: float | None = None) -> tuple[str, str]:
    """coturn's REST-API credentials (``use-auth-secret``): expiry:user, HMAC-SHA1."""
    username = f"{int((now or time.time()) + ttl_s)}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


class SfuNode:
    def __init__(
        self,
        settings: Settings,
        state: SharedState | None = None,
        bus: RoomBus | None = None,
        world_of: Callable[[str], World] | None = None,
        max_speakers: int = 3,
        config: SfuConfig | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or SfuConfig()
        self.state = state
        self.id = f"sfu-{uuid.uuid4().hex[:12]}"
        self.url = settings.sfu_url or settings.ws_base + "/sfu"
        self.capacity = default_capacity(settings.node_capacity, SFU_PLAYER_BYTES)
        self.tokens = TokenIssuer.from_settings(settings)
        self.metrics = Metrics()
        self.rooms: dict[str, Room] = {}
        self.max_speakers = max_speakers
        self.draining = False
        # Without shared state (tests, a lone node) every room is the bar.
        self.world_of = world_of
        self.platform = Platform(state, bus, self.rooms) if state is not None else None
        self.admission = None if state is None else Admission.for_node(state, settings.api_url, self.tokens, self.id)
        self.sessions: dict[Peer, Callable[[], None]] = {}  # a peer's way to end its session
        if self.platform is not None:
            self.platform.on_removed = self._removed
        self._opened: set[str] = set()
        self._tasks: list[asyncio.Task] = []

    def room(self, room_id: str, world: World | None = None) -> Room:
        room = self.rooms.get(room_id)
        if room is None:
            world = world or (self.world_of or (lambda _: default_world("bar")))(room_id)
            room = self.rooms[room_id] = Room(room_id, world, self.metrics, self.max_speakers)
        return room

    async def open_room(self, room_id: str) -> Room:
        """The room for a joining member: with shared state, its published
        world, followed on the bus from now until its last member leaves."""
        if self.platform is None or room_id in self._opened:
            return self.room(room_id)
        world = None if self.world_of or room_id in self.rooms else await room_world(self.platform.state, room_id)
        room = self.room(room_id, world)
        if room_id not in self._opened:
            self._opened.add(room_id)
            await self.platform.opened(room)
        return room

    async def admitted(self, room: Room, user_id: str) -> None:
        if self.platform is not None:
            await self.platform.admitted(room, user_id)

    async def close_room(self, room: Room) -> None:
        """The last member left: forget the room and stop following it."""
        if room.peers or self.rooms.get(room.id) is not room:
            return
        del self.rooms[room.id]
        if room.id in self._opened and self.platform is not None:
            self._opened.discard(room.id)
            await self.platform.closed(room.id)

    def _removed(self, room: Room, user_id: str) -> None:
        peer = room.peers.get(user_id)
        end = self.sessions.get(peer) if peer is not None else None
        if end is not None:
            end()

    def peer(self, user_id: str, post) -> Peer:
        return Peer(user_id, RTCPeerConnection(self.ice_configuration()), post)

    def ice_configuration(self) -> RTCConfiguration:
        s = self.settings
        servers = [RTCIceServer(urls=s.stun_urls)] if s.stun_urls else []
        if s.turn_urls:
            username, credential = turn_credentials(s.turn_secret, self.id, s.turn_ttl_s)
            servers.append(RTCIceServer(urls=s.turn_urls, username=username, credential=credential))
        return RTCConfiguration(iceServers=servers or None)

    @property
    def load(self) -> int:
        return sum(len(r.peers) for r in self.rooms.values())

    def describe(self) -> NodeInfo:
        s = self.settings
        return NodeInfo(
            id=self.id,
            kind="sfu",
            url=self.url,
            region=s.region,
            capacity=self.capacity,
            load=self.load,
            draining=self.draining,
        )

    def metrics_text(self) -> str:
        rooms = self.rooms.values()
        return self.metrics.render(
            peers=self.load,
            rooms=len(self.rooms),
            tracks=sum(len(p.published) for r in rooms for p in r.peers.values()),
            outlets=sum(len(p.outlets) for r in rooms for p in r.peers.values()),
        )

    async def start(self) -> None:
        aiortc_hooks.gather_host_candidates_on(self.config.ice_addresses)
        loops = [(self._tick, "the selection tick")]
        if self.platform is not None:
            loops.append((self.platform.watch_worlds, "the world watch"))
            if self.platform.bus is not None:
                loops.append((self.platform.run, "the room bus feed"))
        if (state := self.state) is not None:
            loops.append((lambda: heartbeat(Registry(state), self.describe), "the registry heartbeat"))
        self._tasks += [asyncio.create_task(keep_running(run, what)) for run, what in loops]

    async def drain(self) -> None:
        """Announce the drain and tell every member to reconnect elsewhere."""
        if self.draining:
            return
        self.draining = True
        if self.state is not None:
            with contextlib.suppress(Exception):
                await Registry(self.state).announce(self.describe())
        for room in self.rooms.values():
            for peer in room.peers.values():
                peer.post(Reconnect(delayMs=DRAIN_RECONNECT_MS, reason="the voice node is draining"))
        await asyncio.sleep(0.1)  # let the outboxes flush

    async def stop(self) -> None:
        """Drain, then close every peer."""
        await self.drain()
        peers = [p for r in self.rooms.values() for p in r.peers.values()]
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)

    async def _tick(self) -> None:
        """Reselect every room on loudness; a room whose pass fails is
        logged (a failure that repeats, once per ``TICK_LOG_S``) and tried
        again at the next tick, the others go on."""
        logged: dict[str, float] = {}
        while True:
            await asyncio.sleep(TICK_S)
            for room in list(self.rooms.values()):
                try:
                    room.reselect()
                except Exception:
                    now = time.monotonic()
                    if now - logged.get(room.id, -TICK_LOG_S) >= TICK_LOG_S:
                        logged[room.id] = now
                        log.exception("the selection tick failed in room %s", room.id)
