"""Bans, mutes, kick cool-downs and blocks as the rest of the platform sees
them: the database holds the truth; what is active is mirrored into shared
state and every change is announced on the control stream (see
``virtubar.moderation``). Shared state is a copy that can be lost (a restart
of the embedded server, a Redis data loss): ``ensure_loaded`` writes it all
again from the database, at the API's start and when a node asks
(``POST /api/internal/sanctions/sync``, with a node token)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency

from functions.context import Services
from functions.problems import ApiError
from functions.security import bearer
from functions.tables import Block, Sanction
from virtubar import keys, wire
from virtubar.moderation import (
    PERMANENT_TTL_S,
    SYNC_PATH,
    BlocksChanged,
    SanctionInfo,
    encode_control,
    loaded,
    mark_loaded,
)
from virtubar.tokens import TokenError

_WRITES_AT_ONCE = 100


def _in_force():
    now = datetime.now(UTC)
    return Sanction.lifted_at.is_null() & (Sanction.expires_at.is_null() | (Sanction.expires_at > now))


def _active(kind: str, user_id: str):
    return (Sanction.kind == kind) & (Sanction.user == user_id) & _in_force()


async def bans_in_force(user_id: str) -> list[dict]:
    """Every ban and kick cool-down of ``user_id`` in force, in any room:
    read once, then asked of each room with ``ban_for`` (a quick-join tries
    several rooms)."""
    return await Sanction.select().where(
        Sanction.kind.is_in(["ban", "kick"]) & (Sanction.user == user_id) & _in_force()
    )


def ban_for(bans: list[dict], room_id: str | None) -> dict | None:
    """The one of ``bans`` that keeps its user out of ``room_id`` (a room's
    or a global ban; a ban before a cool-down); with ``room_id`` None, a
    global ban only."""
    found = [r for r in bans if r["room"] in (None, room_id)]
    return min(found, key=lambda r: r["kind"] != "ban", default=None)


async def active_ban(user_id: str, room_id: str | None) -> dict | None:
    """The ban or kick cool-down that keeps ``user_id`` out of ``room_id``."""
    return ban_for(await bans_in_force(user_id), room_id)


async def active_sanctions(user_id: str, kind: str, room_id: str | None) -> list[dict]:
    rows = await Sanction.select().where(_active(kind, user_id))
    return [r for r in rows if r["room"] == room_id]


def _info(row: dict) -> SanctionInfo:
    expires = row["expires_at"]
    return SanctionInfo(
        kind=row["kind"],
        reason=row["reason"],
        room=row["room"],
        channels=row["channels"],
        expiresAtMs=int(expires.timestamp() * 1000) if expires else None,
    )


async def mirror(services: Services, row: dict) -> None:
    """Make a new sanction visible to nodes that admit the player later."""
    expires = row["expires_at"]
    ttl = (expires - datetime.now(UTC)).total_seconds() if expires else PERMANENT_TTL_S
    if ttl > 0:
        await services.state.put(keys.user_sanctions(row["user"]), row["id"], msgspec.json.encode(_info(row)), ttl)


async def unmirror(services: Services, row: dict) -> None:
    await services.state.drop(keys.user_sanctions(row["user"]), row["id"])


async def announce(services: Services, event: wire.Event) -> None:
    await services.bus.publish_control(encode_control(event))


async def blocked_ids(user_id: str) -> set[str]:
    """Everyone ``user_id`` blocked or was blocked by: blocks hide both ways."""
    rows = await Block.select(Block.blocker, Block.blocked).where(
        (Block.blocker == user_id) | (Block.blocked == user_id)
    )
    return {r["blocked"] if r["blocker"] == user_id else r["blocker"] for r in rows}


async def mirror_blocks(services: Services, user_id: str) -> None:
    """Rewrite ``keys.user_blocks(user_id)`` from the database and tell the nodes."""
    key = keys.user_blocks(user_id)
    mine = {r["blocked"] for r in await Block.select(Block.blocked).where(Block.blocker == user_id)}
    for gone in set(await services.state.members(key)) - mine:
        await services.state.drop(key, gone)
    for blocked in mine:
        await services.state.put(key, blocked, b"", PERMANENT_TTL_S)
    await announce(services, BlocksChanged(userId=user_id))


async def _all(writes: list[Callable[[], Awaitable[None]]]) -> None:
    """Run the writes some at a time: one round trip for many, not one each in turn."""
    for start in range(0, len(writes), _WRITES_AT_ONCE):
        await asyncio.gather(*(w() for w in writes[start : start + _WRITES_AT_ONCE]))


async def _pairs() -> set[tuple[str, str]]:
    return {(r["blocker"], r["blocked"]) for r in await Block.select(Block.blocker, Block.blocked)}


async def rebuild(services: Services) -> tuple[int, int]:
    """Write every sanction in force and every block from the database into
    shared state, then the marker nodes look for; the counts written.

    A lift or unblock that lands while this copies could be written back by
    it: what is gone from the database by the end is dropped again."""
    sanctions = await Sanction.select().where(_in_force())
    pairs = await _pairs()
    await _all([lambda row=row: mirror(services, row) for row in sanctions])
    await _all([lambda b=b, d=d: services.state.put(keys.user_blocks(b), d, b"", PERMANENT_TTL_S) for b, d in pairs])
    still = {r["id"] for r in await Sanction.select(Sanction.id).where(_in_force())}
    await _all([lambda row=row: unmirror(services, row) for row in sanctions if row["id"] not in still])
    gone = pairs - await _pairs()
    await _all([lambda b=b, d=d: services.state.drop(keys.user_blocks(b), d) for b, d in gone])
    await mark_loaded(services.state, datetime.now(UTC).isoformat())
    return len(sanctions), len(pairs)


async def ensure_loaded(services: Services) -> bool:
    """Rebuild shared state's sanctions unless the marker says they are
    there; whether it rebuilt."""
    if await loaded(services.state):
        return False
    await rebuild(services)
    return True


class SyncOut(msgspec.Struct, kw_only=True):
    rebuilt: bool


@post(SYNC_PATH, status_code=200, tags=["internal"], summary="Nodes: write the sanctions back into shared state")
async def sync(request: Request, services: NamedDependency[Services]) -> SyncOut:
    """For edge and SFU nodes (a node token): shared state lost the
    sanctions, write them again. Idempotent; a no-op while the marker holds."""
    try:
        services.tokens.verify(bearer(request) or "", "node")
    except TokenError as e:
        raise ApiError(401, f"A node token is required: {e.message}") from e
    return SyncOut(rebuilt=await ensure_loaded(services))
