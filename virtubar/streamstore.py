"""The embedded mode's durable room streams, kept in a SQLite file of the
data folder (``streams.sqlite3``, apart from the API's database) so that a
restart keeps chat recovery whole, as Redis does in the cloud mode.

Only I/O lives here; ``virtubar.bus`` decides offsets and what a replay may
return. One thread owns the connection: appends wait there in a queue and
are committed together (group commit, WAL with ``synchronous=NORMAL``: a
commit survives the process being killed), so the event loop never waits on
the disk and an entry is delivered only once it is stored.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from msgspec import Struct

from virtubar.datafiles import private_file

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stream (
    name TEXT PRIMARY KEY,
    epoch TEXT NOT NULL,
    last_ms INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    trimmed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS entry (
    name TEXT NOT NULL,
    ms INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (name, ms, seq)
) WITHOUT ROWID;
"""

_TRIM = """
DELETE FROM entry WHERE name = ?1 AND (ms < ?2 OR (ms, seq) < (
    SELECT ms, seq FROM entry WHERE name = ?1 ORDER BY ms DESC, seq DESC LIMIT 1 OFFSET ?3 - 1))
"""

_SQLITE_MAX = 2**63 - 1


class Retention(Struct, frozen=True):
    """How much of a stream is kept: ``maxlen`` newest entries, none older than ``oldest_ms``."""

    maxlen: int
    oldest_ms: int


class Stored(Struct, frozen=True):
    """One stream as a replay needs it: its epoch, retained ends, whether it
    was ever trimmed, and the entries after the asked offset."""

    epoch: str | None
    first: str | None
    last: str | None
    trimmed: bool
    entries: list[tuple[str, bytes]]


class _Append(Struct):
    name: str
    ms: int
    seq: int
    data: bytes
    retention: Retention
    committed: Callable[[], None]
    done: asyncio.Future


def _offset(ms: int, seq: int) -> str:
    return f"{ms}-{seq}"


class StreamStore:
    def __init__(self, path: Path) -> None:
        private_file(path)  # like the rest of the data folder (SQLite gives -wal/-shm the same mode)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="streamstore")
        self._queue: list[_Append] = []
        self._flusher: asyncio.Task | None = None

    def last_offset(self) -> tuple[int, int]:
        """The newest offset ever given (``(0, 0)`` for a new file): new
        offsets must sort after it even if the clock stepped back."""
        row = self._db.execute("SELECT last_ms, last_seq FROM stream ORDER BY last_ms DESC, last_seq DESC LIMIT 1")
        ms, seq = row.fetchone() or (0, 0)
        return ms, seq

    async def append(self, name: str, ms: int, seq: int, data: bytes, retention: Retention,
                     committed: Callable[[], None]) -> None:
        """Store one entry; ``committed`` runs on the loop once it is stored,
        in the order of the appends (the bus delivers it then)."""
        done = asyncio.get_running_loop().create_future()
        self._queue.append(_Append(name, ms, seq, data, retention, committed, done))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        """Commit what queued up while the previous commit ran, until none is left."""
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    await loop.run_in_executor(self._thread, self._write, batch)
                except Exception as e:
                    log.error("storing %d room stream entries failed: %r", len(batch), e)
                    for item in batch:
                        if not item.done.done():  # done: its publisher was cancelled
                            item.done.set_exception(e)
                    continue
                for item in batch:
                    try:
                        item.committed()
                    except Exception as e:  # one failed delivery must not leave other publishers waiting
                        log.error("delivering stored entry %s failed: %r", _offset(item.ms, item.seq), e)
                    if not item.done.done():
                        item.done.set_result(None)
        finally:
            self._flusher = None

    def _write(self, batch: list[_Append]) -> None:
        db, newest = self._db, {}
        db.execute("BEGIN IMMEDIATE")
        try:
            for item in batch:
                db.execute("INSERT INTO entry VALUES (?, ?, ?, ?)", (item.name, item.ms, item.seq, item.data))
                db.execute(
                    "INSERT INTO stream (name, epoch, last_ms, last_seq) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET last_ms = excluded.last_ms, last_seq = excluded.last_seq",
                    (item.name, _offset(item.ms, item.seq), item.ms, item.seq),
                )
                newest[item.name] = item.retention
            for name, retention in newest.items():
                if db.execute(_TRIM, (name, retention.oldest_ms, max(retention.maxlen, 1))).rowcount:
                    db.execute("UPDATE stream SET trimmed = 1 WHERE name = ?", (name,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def read(self, name: str, after: tuple[int, int], oldest_ms: int) -> Stored:
        """The stream's ends and its entries after ``after``, dropping those
        older than ``oldest_ms`` first. Queued behind earlier appends."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._read, name, after, oldest_ms)

    def _read(self, name: str, after: tuple[int, int], oldest_ms: int) -> Stored:
        db = self._db
        after = (min(after[0], _SQLITE_MAX), min(after[1], _SQLITE_MAX))  # beyond SQLite's integers: after every entry
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("DELETE FROM entry WHERE name = ? AND ms < ?", (name, oldest_ms)).rowcount:
                db.execute("UPDATE stream SET trimmed = 1 WHERE name = ?", (name,))
            meta = db.execute("SELECT epoch, last_ms, last_seq, trimmed FROM stream WHERE name = ?", (name,)).fetchone()
            first = db.execute("SELECT ms, seq FROM entry WHERE name = ? ORDER BY ms, seq LIMIT 1", (name,)).fetchone()
            rows = db.execute("SELECT ms, seq, data FROM entry WHERE name = ? AND (ms, seq) > (?, ?) ORDER BY ms, seq",
                              (name, *after)).fetchall()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if meta is None:
            return Stored(None, None, None, False, [])
        return Stored(meta[0], _offset(*first) if first else None, _offset(meta[1], meta[2]), bool(meta[3]),
                      [(_offset(ms, seq), data) for ms, seq, data in rows])

    async def close(self) -> None:
        """Wait for queued appends, then close the file."""
        if self._flusher is not None:
            await asyncio.shield(self._flusher)
        await asyncio.get_running_loop().run_in_executor(self._thread, self._db.close)
        self._thread.shutdown()
