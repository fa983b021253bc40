"""A room as one edge node sees it: every member (wherever connected), the
members connected here, the moves waiting for the next tick, and what each
room feature keeps for it."""

from __future__ import annotations

from collections import deque

from realtime_edge.connection import Conn
from virtubar import wire
from virtubar.world import World


class Room:
    __slots__ = ("blocks", "data", "dirty", "held", "id", "local", "members", "pending", "sent", "world")

    def __init__(self, room_id: str, world: World) -> None:
        self.id = room_id
        self.world = world
        self.members: dict[str, wire.Member] = {}
        self.local: dict[str, Conn] = {}
        self.pending: dict[str, wire.AvatarTransformBroadcast] = {}
        self.dirty: set[str] = set()  # local members whose presence needs writing
        self.held: dict[str | None, dict[str, object]] = {}  # per crowded zone: moves held back from far viewers
        self.sent: deque[bytes] = deque(maxlen=32)  # own move batches not yet read back from the bus
        self.blocks: dict[str, frozenset[str]] = {}  # member -> whom they blocked (blocks hide both ways)
        self.data: dict[str, object] = {}  # feature name -> what it read from shared state for the room

    def zone_members(self, zone: str | None) -> list[wire.Member]:
        return [m for m in self.members.values() if m.zoneId == zone]

    def positions_except(self, user_id: str):
        return ((m.x, m.z) for uid, m in self.members.items() if uid != user_id)

    def spawn_for(self, world: World) -> tuple[float, float]:
        point = world.spawns[len(self.members) % len(world.spawns)]
        return point.x, point.z

    def hidden(self, a: str, b: str) -> bool:
        """Did either block the other? Then neither sees the other's chat or emotes."""
        return b in self.blocks.get(a, ()) or a in self.blocks.get(b, ())

    def forget(self, user: str) -> None:
        """``user`` is no longer a member: drop what the room kept for it."""
        self.members.pop(user, None)
        self.blocks.pop(user, None)
