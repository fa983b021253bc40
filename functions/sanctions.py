"""Bans, mutes and blocks as the rest of the platform sees them: the
database holds the truth; what is active is mirrored into shared state and
every change is announced on the control stream (see ``virtubar.moderation``)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from functions.context import Services
from functions.tables import Block, Sanction
from virtubar import keys, wire
from virtubar.moderation import PERMANENT_TTL_S, BlocksChanged, SanctionInfo, encode_control


def _active(kind: str, user_id: str):
    now = datetime.now(UTC)
    return (
        (Sanction.kind == kind)
        & (Sanction.user == user_id)
        & Sanction.lifted_at.is_null()
        & (Sanction.expires_at.is_null() | (Sanction.expires_at > now))
    )


async def active_ban(user_id: str, room_id: str | None) -> dict | None:
    """The ban that keeps ``user_id`` out of ``room_id`` (a room ban or a
    global one); with ``room_id`` None, a global ban only."""
    rows = await Sanction.select().where(_active("ban", user_id))
    return next((r for r in rows if r["room"] in (None, room_id)), None)


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
