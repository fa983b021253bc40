"""The embedded database keeps its connections open (``functions/sqlite_shared.py``):
what a player relies on (a failed write leaves nothing, concurrent writes all
land, a connection is reused rather than opened per query), and the piccolo
internals the adapter overrides."""

import asyncio
import contextvars
import inspect

import piccolo
import pytest
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction

from functions.db import Database
from functions.sqlite_shared import PICCOLO_VERSION


@pytest.fixture
async def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    await database.migrate()
    await database.rows("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    yield database
    await database.close()


def test_the_piccolo_internals_it_overrides_are_still_there():
    assert piccolo.__VERSION__ == PICCOLO_VERSION
    assert list(inspect.signature(SQLiteEngine._run_in_new_connection).parameters) == [
        "self", "query", "args", "query_type", "table"]
    transaction = SQLiteTransaction.__init__.__code__.co_names
    assert {"_parent", "_committed", "_rolled_back"} <= set(SQLiteTransaction.__slots__)
    assert "current_transaction" in transaction
    assert "context" in SQLiteTransaction.__aenter__.__code__.co_names


async def test_queries_reuse_open_connections(db, monkeypatch):
    import aiosqlite

    opened = []
    connect = aiosqlite.connect
    monkeypatch.setattr(aiosqlite, "connect", lambda **kw: opened.append(1) or connect(**kw))
    for n in range(20):
        await db.rows(f"INSERT INTO notes (body) VALUES ('n{n}')")
        async with db.transaction():
            await db.rows("SELECT count(*) AS n FROM notes")
    assert len(opened) == 0  # forty queries, one after another, on the connection the migration opened
    assert (await db.rows("SELECT count(*) AS n FROM notes"))[0]["n"] == 20


async def test_a_failed_transaction_leaves_nothing_and_the_connection_serves_on(db):
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.rows("INSERT INTO notes (body) VALUES ('half')")
            raise RuntimeError("the second write failed")
    assert await db.rows("SELECT body FROM notes") == []
    await db.rows("INSERT INTO notes (body) VALUES ('whole')")
    assert await db.rows("SELECT body FROM notes") == [{"body": "whole"}]


async def test_concurrent_writers_all_land(db):
    async def write(n: int) -> None:
        async with db.transaction():
            await db.rows(f"INSERT INTO notes (body) VALUES ('w{n}')")
            await asyncio.sleep(0)

    await asyncio.gather(*(write(n) for n in range(50)))
    assert (await db.rows("SELECT count(*) AS n FROM notes"))[0]["n"] == 50


async def test_another_request_never_reads_inside_an_open_transaction(db):
    """Two requests share the connection: the second's query waits for the
    first's transaction to end, so it never sees (or joins) half of it."""
    seen = []

    async def other_request() -> None:
        seen.append((await db.rows("SELECT count(*) AS n FROM notes"))[0]["n"])

    async with db.transaction():
        await db.rows("INSERT INTO notes (body) VALUES ('one')")
        other = asyncio.create_task(other_request(), context=contextvars.Context())  # as a separate request
        await asyncio.sleep(0.05)
        assert seen == []  # still waiting for its turn
        await db.rows("INSERT INTO notes (body) VALUES ('two')")
    await other
    assert seen == [2]
