"""The node registry: edge and SFU nodes announce themselves with a
heartbeat that expires, and the join flow picks from the live ones.

Picking is pure (``least_loaded``) and apart from the I/O (``Registry``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Literal

import msgspec
from msgspec import Struct

from virtubar import keys
from virtubar.state import SharedState

NodeKind = Literal["edge", "sfu"]
HEARTBEAT_S = 5.0
EXPIRY_S = 15.0
ROOM_SFU_TTL_S = 3600.0


class NodeInfo(Struct, kw_only=True):
    id: str
    kind: NodeKind
    url: str
    region: str
    capacity: int
    load: int = 0
    draining: bool = False

    @property
    def utilisation(self) -> float:
        return self.load / max(self.capacity, 1)


def least_loaded(nodes: list[NodeInfo], region: str | None = None) -> NodeInfo | None:
    """The live node with the lowest utilisation that still has room; nodes
    of ``region`` first, any region when none there can take a player."""
    open_nodes = [n for n in nodes if not n.draining and n.load < n.capacity]
    local = [n for n in open_nodes if region is None or n.region == region]
    pool = local or open_nodes
    return min(pool, key=lambda n: (n.utilisation, n.load, n.id), default=None)


class Registry:
    def __init__(self, state: SharedState) -> None:
        self._state = state

    async def announce(self, node: NodeInfo, ttl_s: float = EXPIRY_S) -> None:
        await self._state.put(keys.nodes(node.kind), node.id, msgspec.json.encode(node), ttl_s)

    async def withdraw(self, node: NodeInfo) -> None:
        await self._state.drop(keys.nodes(node.kind), node.id)

    async def live(self, kind: NodeKind) -> list[NodeInfo]:
        found = await self._state.members(keys.nodes(kind))
        return [msgspec.json.decode(data, type=NodeInfo) for data in found.values()]

    async def pick_edge(self, region: str) -> NodeInfo | None:
        return least_loaded(await self.live("edge"), region)

    async def sfu_for_room(self, room_id: str, region: str) -> NodeInfo | None:
        """Every member of a room in one region meets on the same SFU node:
        the first join claims the least-loaded node; later joins get it while
        it lives."""
        nodes = {n.id: n for n in await self.live("sfu")}
        key = keys.room_sfu(room_id, region)
        candidate = least_loaded(list(nodes.values()), region)
        if candidate is None:
            return None
        held = await self._state.claim(key, candidate.id, ROOM_SFU_TTL_S)
        if held in nodes and not nodes[held].draining:
            return nodes[held]
        held = await self._state.swap(key, held, candidate.id, ROOM_SFU_TTL_S)  # the held node died or drains
        return nodes.get(held, candidate)


async def heartbeat(registry: Registry, describe: Callable[[], NodeInfo], every_s: float = HEARTBEAT_S) -> None:
    """Announce ``describe()`` every ``every_s`` until cancelled, then withdraw."""
    node = describe()
    try:
        while True:
            node = describe()
            await registry.announce(node)
            await asyncio.sleep(every_s)
    finally:
        with contextlib.suppress(Exception):
            await registry.withdraw(node)
