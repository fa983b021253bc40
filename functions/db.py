"""The database: one engine per process, bound to every table, and
migrations that run the same on SQLite and PostgreSQL.

Migrations are numbered, additive, and recorded in ``virtubar_migrations``;
running ``virtubar migrate`` twice, or while the old version serves, is safe.
On PostgreSQL an advisory lock keeps two migrators from racing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from piccolo.columns import JSON, Boolean, Timestamptz, Varchar
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import TransactionType

from functions.sqlite_shared import SharedSQLiteEngine
from functions.tables import (
    BOARD_TABLES,
    FOCUS_TABLES,
    IDENTITY_TABLES,
    INITIAL_TABLES,
    MODERATION_TABLES,
    MUSIC_TABLES,
    PEOPLE_TABLES,
    SCHEDULE_TABLES,
    TABLES,
    EvidenceUpload,
    Room,
    RoomBuilder,
    Slide,
    User,
    WorldVersion,
)
from functions.users import friendly_name
from virtubar.datafiles import private_file
from virtubar.names import DISPLAY_NAME_MAX, ROOM_NAME_MAX, BadName, normalise_name

_MIGRATION_LOCK = 7_361_002


def engine_for(url: str) -> Engine:
    """``sqlite:///path`` or ``postgres://user:pass@host:port/db``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(unquote(parsed.path))
        private_file(path)  # before SQLite creates it world-readable (its journals copy its mode)
        return SharedSQLiteEngine(path=str(path), timeout=30)
    if parsed.scheme in ("postgres", "postgresql"):
        return PostgresEngine(
            config={
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 5432,
                "user": unquote(parsed.username or "postgres"),
                "password": unquote(parsed.password or ""),
                "database": parsed.path.lstrip("/") or "virtubar",
            }
        )
    raise ValueError(f"unsupported database URL scheme {parsed.scheme!r} (use sqlite:// or postgres://)")


def is_unique_violation(error: Exception) -> bool:
    """A unique constraint refused a write (SQLite or PostgreSQL)."""
    from asyncpg.exceptions import UniqueViolationError

    return isinstance(error, UniqueViolationError) or (
        isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)
    )


class Database:
    """Binds the tables to one engine; a pool on long-running servers only
    (on Lambda each invocation would otherwise own a pool)."""

    def __init__(self, url: str) -> None:
        self.engine = engine_for(url)
        for table in TABLES:
            table._meta.db = self.engine

    @property
    def is_postgres(self) -> bool:
        return isinstance(self.engine, PostgresEngine)

    def transaction(self):
        """A write transaction; on SQLite taken ``IMMEDIATE`` so a
        read-then-write cannot fail half-way with "database is locked"."""
        if self.is_postgres:
            return self.engine.transaction()
        return self.engine.transaction(transaction_type=TransactionType.immediate)

    async def start_pool(self) -> None:
        if isinstance(self.engine, PostgresEngine):
            await self.engine.start_connection_pool(min_size=1, max_size=10)

    async def close(self) -> None:
        if isinstance(self.engine, PostgresEngine):
            await self.engine.close_connection_pool()
        elif isinstance(self.engine, SharedSQLiteEngine):
            await self.engine.shared.close()

    async def rows(self, sql: str) -> list[dict]:
        """The rows a statement returns (piccolo types ``run_ddl``'s answer as optional)."""
        return await self.engine.run_ddl(sql) or []

    async def migrate(self) -> list[str]:
        """Apply pending migrations; return the names applied."""
        run = self.engine.run_ddl
        if self.is_postgres:
            await run(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})")
        else:
            await run("PRAGMA journal_mode=WAL")
        try:
            await run(
                "CREATE TABLE IF NOT EXISTS virtubar_migrations "
                "(version INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)"
            )
            done = {row["version"] for row in await self.rows("SELECT version FROM virtubar_migrations")}
            applied = []
            for version, name, step in MIGRATIONS:
                if version in done:
                    continue
                await step(self)
                await run(f"INSERT INTO virtubar_migrations (version, name) VALUES ({version}, '{name}')")
                applied.append(name)
            return applied
        finally:
            if self.is_postgres:
                await run(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")


def _create(*tables):
    async def step(db: Database) -> None:
        for table in tables:
            await table.create_table(if_not_exists=True)

    return step


async def _has_column(db: Database, table: str, column: str) -> bool:
    if db.is_postgres:
        sql = f"SELECT 1 FROM information_schema.columns WHERE table_name='{table}' AND column_name='{column}'"
        return bool(await db.engine.run_ddl(sql))
    return any(c["name"] == column for c in await db.rows(f"PRAGMA table_info({table})"))


async def _room_chat_filter(db: Database) -> None:
    """Additive: rooms made by migration 1 on an older release lack it."""
    if not await _has_column(db, "rooms", "chat_filter"):
        await Room.alter().add_column("chat_filter", JSON(default="[]"))


def _renamed(name: str, max_length: int, fallback: str) -> str | None:
    """The name a row must carry under the name rule, or None if unchanged."""
    try:
        fixed = normalise_name(name or "", max_length)
    except BadName:
        fixed = fallback
    return fixed if fixed != name else None


async def _names_under_the_rule(db: Database) -> None:
    """Names stored before ``virtubar.names`` existed (empty, with controls,
    direction overrides or invisible characters) are replaced: players by a
    generated name, rooms by a plain one; others are normalised."""
    for row in await User.select(User.id, User.display_name):
        if (name := _renamed(row["display_name"], DISPLAY_NAME_MAX, friendly_name())) is not None:
            await User.update({User.display_name: name}).where(User.id == row["id"])
    for row in await Room.select(Room.id, Room.name):
        if (name := _renamed(row["name"], ROOM_NAME_MAX, "Room")) is not None:
            await Room.update({Room.name: name}).where(Room.id == row["id"])


async def _focus(db: Database) -> None:
    """Focus sessions and preferences, and the work style rooms advertise."""
    await _create(*FOCUS_TABLES)(db)
    if not await _has_column(db, "rooms", "work_style"):
        await Room.alter().add_column("work_style", Varchar(length=16, null=True, default=None))


async def _focus_schedule(db: Database) -> None:
    """Scheduled focus sessions and their RSVPs; rooms get the timer setting."""
    if not await _has_column(db, "rooms", "timer_hosts_only"):
        await Room.alter().add_column("timer_hosts_only", Boolean(default=False))
    await _create(*SCHEDULE_TABLES)(db)


async def _music(db: Database) -> None:
    """Tracks and playlists; rooms get the setting that lets any member add music."""
    if not await _has_column(db, "rooms", "members_add_tracks"):
        await Room.alter().add_column("members_add_tracks", Boolean(default=False))
    await _create(*MUSIC_TABLES)(db)


async def _world_versions(db: Database) -> None:
    """Saved worlds become versions; each room's current world is its first."""
    await _create(WorldVersion)(db)
    for row in await Room.select(Room.id, Room.world, Room.owner):
        if not await WorldVersion.exists().where(WorldVersion.id == row["world"]):
            await WorldVersion.insert(WorldVersion(id=row["world"], room=row["id"], created_by=row["owner"],
                                                   source="migrated"))


async def _identity(db: Database) -> None:
    """OpenID Connect links and sign-in tickets; players can be erased."""
    if not await _has_column(db, "users", "deleted_at"):
        await User.alter().add_column("deleted_at", Timestamptz(null=True, default=None))
    await _create(*IDENTITY_TABLES)(db)


async def _people(db: Database) -> None:
    """Friends, cosmetics owned, and the look each player wears."""
    if not await _has_column(db, "users", "avatar_config"):
        await User.alter().add_column("avatar_config", JSON(null=True, default=None))
    await _create(*PEOPLE_TABLES)(db)


async def _events_and_slides(db: Database) -> None:
    """Rooms get the event setting (the DJ and the stage heard room-wide);
    screens get slide decks."""
    if not await _has_column(db, "rooms", "event_room"):
        await Room.alter().add_column("event_room", Boolean(default=False))
    await _create(Slide)(db)


MIGRATIONS: list[tuple[int, str, Callable[[Database], Awaitable[None]]]] = [
    (1, "initial: users, credentials, refresh tokens, worlds, rooms", _create(*INITIAL_TABLES)),
    (2, "moderation: blocks, sanctions, reports, audit log", _create(*MODERATION_TABLES)),
    (3, "rooms: per-room chat word filter", _room_chat_filter),
    (4, "names: player and room names under the name rule", _names_under_the_rule),
    (5, "evidence: upload tickets are single use", _create(EvidenceUpload)),
    (6, "focus: sessions with goals, preferences, a work style for rooms", _focus),
    (7, "focus: scheduled sessions, RSVPs, the timer setting of rooms", _focus_schedule),
    (8, "music: tracks, playlists, the members-add-music setting of rooms", _music),
    (9, "boards: room objects, whiteboard updates and snapshots", _create(*BOARD_TABLES)),
    (10, "worlds: immutable world versions of rooms", _world_versions),
    (11, "identity: OpenID Connect links, sign-in tickets, erased players", _identity),
    (12, "people: friendships, cosmetics owned, the look each player wears", _people),
    (13, "rooms: the event room setting; screens: slide decks", _events_and_slides),
    (14, "rooms: the players an owner lets build", _create(RoomBuilder)),
]
