"""SQLite on one connection kept open: piccolo's ``SQLiteEngine`` opens a
new connection (and with aiosqlite a new thread) for every query outside a
transaction and for every transaction, then closes it, and concurrent
writers wait for each other in SQLite's busy handler, which sleeps in steps
of up to 100 ms. On the embedded server a guest's sign-in and join are a
dozen queries, so a crowd arriving at once spent its time starting threads
and sleeping. Here the API's one process holds one connection (WAL,
``synchronous=NORMAL``: a commit survives a crash of the process, the last
ones may not survive a power cut), and its queries and transactions take
turns on it through an asyncio lock: a query waits for an open transaction
to end instead of polling for it, and never runs inside another's.

This is the one module that uses piccolo's private parts: the engine's
``_run_in_new_connection`` and the transaction's ``_parent``,
``_committed``, ``_rolled_back`` and ``context``; ``PICCOLO_VERSION`` is
the version they were read from, and ``tests/functions/test_sqlite_shared.py``
fails if piccolo is another version or they are gone.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

PICCOLO_VERSION = "1.38.0"


class SharedConnection:
    """The connection and the turn to use it. The lock is made again for a
    new event loop (tests run one loop per test; a server has one)."""

    def __init__(self, connection_kwargs: dict[str, Any]) -> None:
        self._kwargs = connection_kwargs
        self._connection: aiosqlite.Connection | None = None
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def acquire(self) -> aiosqlite.Connection:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        await self._lock.acquire()
        try:
            if self._connection is None:
                self._connection = await self._open()
        except BaseException:
            self._lock.release()
            raise
        return self._connection

    async def release(self, connection: aiosqlite.Connection) -> None:
        """The turn passes on. A connection left inside a transaction (its
        commit or rollback failed) is closed; the next turn opens another."""
        try:
            if connection.in_transaction:
                self._connection = None
                await connection.close()
        finally:
            assert self._lock is not None
            self._lock.release()

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self._kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()


class SharedTransaction(SQLiteTransaction):
    """piccolo's transaction on the shared connection, whose turn it holds
    from ``BEGIN`` to the end, given back instead of closed."""

    engine: SharedSQLiteEngine

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.engine.shared.acquire()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            await self.engine.shared.release(self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class SharedSQLiteEngine(SQLiteEngine):
    """``SQLiteEngine`` whose queries and transactions take turns on one
    connection (autocommit outside a transaction, as piccolo's own)."""

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self.shared = SharedConnection(self.connection_kwargs)

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None, query_type: str = "generic",
                                     table: Any = None) -> list[Any]:
        connection = await self.shared.acquire()
        try:
            async with connection.execute(query, args or []) as cursor:
                return list(await cursor.fetchall())  # INSERT ... RETURNING (SQLite >= 3.35) gives the new key
        finally:
            await self.shared.release(connection)

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SharedTransaction:
        return SharedTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)
