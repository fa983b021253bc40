"""The node's link to the platform: each hosted room's world, positions and
moderation from shared state at open and join, then the room bus (the
rooms' streams and the control stream) applied as it arrives. A world the
functions republish (a room re-worlded while people are in it) is picked up
within ``WORLD_POLL_S``: nothing on the bus announces it; so is an event
room's stage (the setting, and the DJ playing now: ``virtubar/stage.py``).

A room is subscribed from its first member's join until its last leaves;
its positions are seeded from presence right after subscribing, so nothing
published in between is missed. Decoding is ``feed``'s; this applies it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sfu_node import feed
from sfu_node.room import Room
from virtubar import keys, stage, wire
from virtubar.bus import RoomBus
from virtubar.state import SharedState
from virtubar.world import World, WorldError, default_world, parse_world

READ_S = 0.1
WORLD_POLL_S = 2.0
log = logging.getLogger(__name__)


async def room_world(state: SharedState, room_id: str, fallback: str = "bar") -> World:
    """The world the functions published for the room; the default world
    of ``fallback`` only when there is none (or it does not parse)."""
    return _parsed(room_id, await _world_data(state, room_id)) or default_world(fallback)


async def _world_data(state: SharedState, room_id: str) -> bytes | None:
    return (await state.members(keys.room_setup(room_id))).get("world")


def _parsed(room_id: str, data: bytes | None) -> World | None:
    if data:
        try:
            return parse_world(data)
        except WorldError as e:
            log.warning("room %s has an unusable world: %s", room_id, e)
    return None


class Platform:
    """Shared state and bus for one node; ``rooms`` is the node's own dict."""

    def __init__(self, state: SharedState, bus: RoomBus | None, rooms: dict[str, Room]) -> None:
        self.state, self.bus, self.rooms = state, bus, rooms
        self.on_removed: Callable[[Room, str], None] = lambda room, user: None
        self._worlds: dict[str, bytes | None] = {}  # each room's world document as last read

    async def opened(self, room: Room) -> None:
        """A room got its first member here: follow its streams, seed positions."""
        if self.bus is not None:
            await self.bus.subscribe(room.id)
        for fact in feed.positions(await self.state.members(keys.room_members(room.id))):
            _place(room, fact)
        await self._follow_stage(room)

    async def watch_worlds(self) -> None:
        """Re-read each room's published world; apply it when it changed
        (one that does not parse, or none at all, keeps the room's world)."""
        while True:
            await asyncio.sleep(WORLD_POLL_S)
            for room in list(self.rooms.values()):
                try:
                    await self._follow_world(room)
                    await self._follow_stage(room)
                except Exception:
                    log.exception("following the world of room %s failed", room.id)

    async def _follow_world(self, room: Room) -> None:
        data = await _world_data(self.state, room.id)
        if data == self._worlds.get(room.id, b""):
            return
        world = _parsed(room.id, data)
        if world is not None and world != room.scape.world and self.rooms.get(room.id) is room:
            room.rewrite(world)
        self._worlds[room.id] = data  # once applied: a failed rewrite is tried again at the next poll

    async def _follow_stage(self, room: Room) -> None:
        event = stage.is_event((await self.state.members(keys.room_setup(room.id))).get("event"))
        dj = stage.current_dj(await self.state.get(keys.room_jukebox(room.id))) if event else None
        if self.rooms.get(room.id) is room:
            room.stage(event, dj)

    async def closed(self, room_id: str) -> None:
        self._worlds.pop(room_id, None)
        if self.bus is not None:
            await self.bus.unsubscribe(room_id)

    async def admitted(self, room: Room, user: str) -> None:
        """A member's voice joined: its mutes and its blocks (the blocks others
        here hold on it were loaded when they joined)."""
        await asyncio.gather(self.reload_mute(room, user), self.reload_blocks(room, user))

    async def reload_mute(self, room: Room, user: str) -> None:
        sanctions = (await self.state.members(keys.user_sanctions(user))).values()
        muted = feed.voice_muted(sanctions, room.id, wire.now_ms())
        if muted != (user in room.scape.muted):
            room.mute(user, muted)

    async def reload_blocks(self, room: Room, user: str) -> None:
        wanted = set(await self.state.members(keys.user_blocks(user))) - {user}
        held = set(room.scape.blocks.get(user, ()))
        for target in wanted - held:
            room.block(user, target)
        for target in held - wanted:
            room.block(user, target, False)

    async def run(self) -> None:
        """Apply the bus as it arrives (a failed entry is logged, not fatal)."""
        while self.bus is not None:
            try:
                deliveries = await self.bus.read(READ_S)
            except Exception:
                log.exception("reading the room bus failed")
                await asyncio.sleep(READ_S)
                continue
            for d in deliveries:
                try:
                    await self.apply(d.room, d.data, d.durable)
                except Exception:
                    log.exception("applying a bus entry of room %s failed", d.room)

    async def apply(self, room_id: str | None, data: bytes, durable: bool) -> None:
        if room_id is None:
            fact = feed.control_fact(data)
            if fact is not None:
                await self._control(fact)
            return
        room = self.rooms.get(room_id)
        if room is None:
            return
        for fact in feed.room_facts(data, durable):
            if isinstance(fact, feed.Left):
                room.forget(fact.user)
                continue
            _place(room, fact)
            if isinstance(fact, feed.Joined) and fact.user in room.peers:
                await self.admitted(room, fact.user)  # leaving dropped its moderation

    async def _control(self, fact: feed.Fact) -> None:
        rooms = [
            r for r in list(self.rooms.values()) if fact.user in r.peers and getattr(fact, "room", None) in (None, r.id)
        ]
        for room in rooms:
            if isinstance(fact, feed.Sanctioned):
                await self.reload_mute(room, fact.user)
            elif isinstance(fact, feed.Removed):
                self.on_removed(room, fact.user)
            elif isinstance(fact, feed.BlocksReload):
                await self.reload_blocks(room, fact.user)


def _place(room: Room, fact: feed.Moved | feed.Joined) -> None:
    with contextlib.suppress(ValueError):  # outside this world: the edge would not have sent it
        room.move(fact.user, fact.x, fact.z)
