"""The room event bus: what edge nodes publish about a room and read back.

Centrifugo's split between broker and history: each room has a *durable*
stream (chat, presence, emotes), kept for a bounded count and age so that a
rejoining client can recover what it missed, and a *volatile* stream (batched
movement) kept only briefly, so movement never pushes chat out of history.
Every entry gets an offset ``"<ms>-<seq>"`` (a Redis stream ID); offsets
order the entries of one stream (there is no order across the two) and the
durable ones double as chat ``messageId``.

Recovery is whole or not at all: ``history(room, after)`` says ``whole`` only
when nothing after ``after`` was trimmed and ``after`` belongs to the
stream's current epoch (the offset of its first entry ever; a stream lost and
recreated starts a new epoch with later offsets).

A node subscribes to the rooms it hosts and ``read``s only those, resuming
from the last offset it delivered (never "only new"), plus the control
stream where the functions publish moderation actions.

``LocalBus`` is the in-process default (several ``LocalBus`` views can share
one ``LocalStreams`` to act as several nodes); the embedded mode keeps its
durable room streams in the data folder (``LocalStreams.in_folder``, see
``virtubar.streamstore``) and the rest in memory; ``RedisStreamsBus`` bridges
nodes through per-room Redis streams carrying ``{room:ID}`` hash tags. On a
Redis Cluster one XREAD may only name keys of one hash slot, so a node keeps
one blocking XREAD in flight per slot it reads (rooms sharing a slot share
it); on a single Redis, one XREAD covers them all.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from pathlib import Path
from typing import Any, Protocol, cast

from msgspec import Struct

from virtubar import keys
from virtubar.state import redis_client
from virtubar.streamstore import Retention, StreamStore

DURABLE_MAXLEN = 1000
DURABLE_MAX_AGE_S = 600.0
VOLATILE_MAXLEN = 64
CONTROL_MAXLEN = 10_000


def parse_offset(offset: str) -> tuple[int, int]:
    """``"ms-seq"`` as a comparable pair; ``ValueError`` for anything else."""
    ms, _, seq = offset.partition("-")
    return int(ms), int(seq or 0)


def volatile_stream(room_id: str) -> str:
    """The room's short-lived movement stream (same hash slot as its events)."""
    return f"{keys.room_stream(room_id)}:volatile"


def _epoch_key(room_id: str) -> str:
    return f"{keys.room_stream(room_id)}:epoch"


class Delivery(Struct, frozen=True):
    """One entry read by a node: ``room`` is None for the control stream."""

    room: str | None
    offset: str
    data: bytes
    durable: bool = True


class Recovery(Struct, frozen=True):
    """Durable entries after an offset; ``whole`` is False when some of them
    were trimmed or the offset is from another epoch (then ``entries`` is empty)."""

    entries: list[tuple[str, bytes]]
    whole: bool


class RoomBus(Protocol):
    async def publish(self, room: str, data: bytes, *, durable: bool = True) -> str:
        """Append to the room's stream; return the entry's offset."""
        ...

    async def publish_control(self, data: bytes) -> str: ...

    async def history(self, room: str, after: str) -> Recovery: ...

    async def subscribe(self, room: str) -> None:
        """Deliver the room's entries published from now on to ``read``."""
        ...

    async def unsubscribe(self, room: str) -> None: ...

    async def read(self, timeout_s: float) -> list[Delivery]:
        """Entries of subscribed rooms and the control stream, oldest first;
        empty after ``timeout_s`` without any."""
        ...

    async def close(self) -> None: ...


def _whole(after: str, epoch: str | None, first: str | None, last: str | None, trimmed: bool) -> bool:
    """Can every entry after ``after`` be returned? ``first`` and ``last`` are
    the retained ends of the stream, ``trimmed`` whether any entry was ever
    trimmed. See the module docstring."""
    try:
        mark = parse_offset(after)
    except ValueError:
        return False
    if epoch is None or last is None:  # nothing was ever published in this epoch
        return mark == (0, 0)
    if mark < parse_offset(epoch) and mark != (0, 0):
        return False  # from an earlier epoch of the stream
    if mark > parse_offset(last):
        return False  # an offset this stream never gave
    if not trimmed:
        return True
    return mark == parse_offset(last) if first is None else mark >= parse_offset(first)


class _LocalStream:
    def __init__(self, maxlen: int, max_age_s: float | None) -> None:
        self.entries: deque[tuple[str, bytes]] = deque()
        self.maxlen, self.max_age_s = maxlen, max_age_s
        self.epoch: str | None = None
        self.last: str | None = None
        self.trimmed = False

    def trim(self) -> None:
        oldest = None if self.max_age_s is None else time.time_ns() // 1_000_000 - int(self.max_age_s * 1000)
        while self.entries and (
            len(self.entries) > self.maxlen or (oldest is not None and parse_offset(self.entries[0][0])[0] < oldest)
        ):
            self.entries.popleft()
            self.trimmed = True


class LocalStreams:
    """The in-process streams that ``LocalBus`` views share; with a ``store``,
    durable room streams live there instead of in memory."""

    def __init__(self, maxlen: int = DURABLE_MAXLEN, max_age_s: float = DURABLE_MAX_AGE_S,
                 store: StreamStore | None = None) -> None:
        self.maxlen, self.max_age_s = maxlen, max_age_s
        self.streams: dict[str, _LocalStream] = {}
        self.views: set[LocalBus] = set()
        self.store = store
        self._last = store.last_offset() if store else (0, 0)

    @classmethod
    def in_folder(cls, data: Path) -> LocalStreams:
        """Streams whose chat history and offsets survive a restart
        (``DATA/streams.sqlite3``); movement, control and presence stay in memory."""
        return cls(store=StreamStore(data / "streams.sqlite3"))

    def next_offset(self) -> str:
        ms = time.time_ns() // 1_000_000
        self._last = (ms, 0) if ms > self._last[0] else (self._last[0], self._last[1] + 1)
        return f"{self._last[0]}-{self._last[1]}"

    def oldest_ms(self) -> int:
        """Durable entries older than this are dropped."""
        return time.time_ns() // 1_000_000 - int(self.max_age_s * 1000)

    def stream(self, name: str, durable: bool) -> _LocalStream:
        if name not in self.streams:
            self.streams[name] = (
                _LocalStream(self.maxlen, self.max_age_s) if durable else _LocalStream(VOLATILE_MAXLEN, None)
            )
        return self.streams[name]

    def append(self, name: str, room: str | None, data: bytes, durable: bool) -> str:
        stream = self.stream(name, durable)
        offset = self.next_offset()
        stream.epoch = stream.epoch or offset
        stream.entries.append((offset, data))
        stream.last = offset
        stream.trim()
        self._deliver(Delivery(room, offset, data, durable))
        return offset

    async def append_durable(self, room: str, data: bytes) -> str:
        """Append to the room's durable stream: stored first when there is a
        store, and delivered once stored (so no node shows what a crash loses)."""
        if self.store is None:
            return self.append(keys.room_stream(room), room, data, True)
        offset = self.next_offset()
        ms, seq = parse_offset(offset)
        await self.store.append(keys.room_stream(room), ms, seq, data, Retention(self.maxlen, self.oldest_ms()),
                                lambda: self._deliver(Delivery(room, offset, data, True)))
        return offset

    def _deliver(self, delivery: Delivery) -> None:
        for view in self.views:
            if (delivery.room is None and view.reading) or delivery.room in view.rooms:
                view.inbox.put_nowait(delivery)

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()


class LocalBus:
    """One node's view of in-process streams (the embedded default)."""

    def __init__(self, streams: LocalStreams | None = None) -> None:
        self.streams = streams or LocalStreams()
        self.rooms: set[str] = set()
        self.inbox: asyncio.Queue[Delivery] = asyncio.Queue()
        self.reading = False  # control entries wait only for views that read (the API's only publishes)
        self.streams.views.add(self)

    async def publish(self, room: str, data: bytes, *, durable: bool = True) -> str:
        if durable:
            return await self.streams.append_durable(room, data)
        return self.streams.append(volatile_stream(room), room, data, False)

    async def publish_control(self, data: bytes) -> str:
        return self.streams.append(keys.CONTROL_STREAM, None, data, True)

    async def history(self, room: str, after: str) -> Recovery:
        if self.streams.store is not None:
            return await self._stored_history(self.streams.store, room, after)
        stream = self.streams.stream(keys.room_stream(room), True)
        stream.trim()
        first = stream.entries[0][0] if stream.entries else None
        if not _whole(after, stream.epoch, first, stream.last, stream.trimmed):
            return Recovery([], False)
        mark = parse_offset(after)
        return Recovery([e for e in stream.entries if parse_offset(e[0]) > mark], True)

    async def _stored_history(self, store: StreamStore, room: str, after: str) -> Recovery:
        try:
            mark = parse_offset(after)
        except ValueError:
            return Recovery([], False)
        stored = await store.read(keys.room_stream(room), mark, self.streams.oldest_ms())
        if not _whole(after, stored.epoch, stored.first, stored.last, stored.trimmed):
            return Recovery([], False)
        return Recovery(stored.entries, True)

    async def subscribe(self, room: str) -> None:
        self.rooms.add(room)

    async def unsubscribe(self, room: str) -> None:
        self.rooms.discard(room)

    async def read(self, timeout_s: float) -> list[Delivery]:
        self.reading = True
        if self.inbox.empty():
            try:
                first = await asyncio.wait_for(self.inbox.get(), timeout_s)
            except TimeoutError:
                return []
            out = [first]
        else:
            out = []
        while not self.inbox.empty():
            out.append(self.inbox.get_nowait())
        return [d for d in out if d.room is None or d.room in self.rooms]

    async def close(self) -> None:
        self.streams.views.discard(self)


_XADD = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'd', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('XTRIM', KEYS[1], 'MINID', ARGV[3])
end
redis.call('SET', KEYS[2], id, 'NX')
return id
"""


class RedisStreamsBus:
    """Per-room Redis streams; one node reads its hosted rooms with XREAD."""

    def __init__(self, url: str, maxlen: int = DURABLE_MAXLEN, max_age_s: float = DURABLE_MAX_AGE_S,
                 block_ms: int = 100, cluster: bool = False) -> None:
        self._redis = redis_client(url, cluster)
        self._reader = redis_client(url, cluster)
        self._xadd = self._redis.register_script(_XADD)
        self.maxlen, self.max_age_s, self.block_ms = maxlen, max_age_s, block_ms
        self.cluster = cluster
        self._cursors: dict[str, str] = {}  # stream name -> last delivered offset
        self._rooms: dict[str, str] = {}  # stream name -> room id (None for control)
        self._control_started = False
        self._pending: dict[int, asyncio.Task] = {}  # hash slot (0 on a single Redis) -> XREAD in flight

    async def publish(self, room: str, data: bytes, *, durable: bool = True) -> str:
        if durable:
            oldest = time.time_ns() // 1_000_000 - int(self.max_age_s * 1000)
            offset = await self._xadd(keys=[keys.room_stream(room), _epoch_key(room)],
                                      args=[self.maxlen, data, f"{max(oldest, 0)}-0"])
        else:
            offset = await self._redis.xadd(volatile_stream(room), {"d": data}, maxlen=VOLATILE_MAXLEN,
                                            approximate=True)
        return cast(bytes, offset).decode()

    async def publish_control(self, data: bytes) -> str:
        offset = await self._redis.xadd(keys.CONTROL_STREAM, {"d": data}, maxlen=CONTROL_MAXLEN, approximate=True)
        return cast(bytes, offset).decode()

    async def history(self, room: str, after: str) -> Recovery:
        name = keys.room_stream(room)
        import redis.exceptions

        epoch = cast("bytes | None", await self._redis.get(_epoch_key(room)))
        try:
            info = await self._redis.xinfo_stream(name)
        except redis.exceptions.ResponseError:  # no such stream
            return Recovery([], _whole(after, None, None, None, False))
        return await self._replay(name, after, epoch.decode() if epoch else None, info)

    async def _replay(self, name: str, after: str, epoch: str | None, info: dict) -> Recovery:
        def ends(info: dict) -> tuple[str | None, str | None, bool]:
            first = info.get("first-entry")
            last = info.get("last-generated-id")
            return (first[0].decode() if first else None, last.decode() if last else None,
                    int(info.get("entries-added", 0)) > int(info.get("length", 0)))

        if not _whole(after, epoch, *ends(info)):
            return Recovery([], False)
        async with self._redis.pipeline(transaction=True) as p:
            p.xrange(name, min=f"({after}", max="+")
            p.xinfo_stream(name)
            entries, again = await p.execute()
        if not _whole(after, epoch, *ends(again)):
            return Recovery([], False)  # trimmed while we read: the replay would be partial
        return Recovery([(i.decode(), f[b"d"]) for i, f in entries], True)

    async def _tail(self, name: str) -> str:
        last = cast("list[tuple[bytes, dict]]", await self._redis.xrevrange(name, count=1))
        return last[0][0].decode() if last else "0-0"

    async def subscribe(self, room: str) -> None:
        for name in (keys.room_stream(room), volatile_stream(room)):
            if name not in self._cursors:
                self._cursors[name] = await self._tail(name)
                self._rooms[name] = room

    async def unsubscribe(self, room: str) -> None:
        for name in (keys.room_stream(room), volatile_stream(room)):
            self._cursors.pop(name, None)
            self._rooms.pop(name, None)

    async def read(self, timeout_s: float) -> list[Delivery]:
        if not self._control_started:
            self._cursors[keys.CONTROL_STREAM] = await self._tail(keys.CONTROL_STREAM)
            self._control_started = True
        block = max(1, int(min(timeout_s * 1000, self.block_ms)))
        for slot, streams in self._by_slot().items():
            if slot not in self._pending:
                self._pending[slot] = asyncio.create_task(self._xread(streams, block))
        done, _ = await asyncio.wait(self._pending.values(), timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        found = []
        for slot, task in list(self._pending.items()):
            if task in done:
                del self._pending[slot]
                found += task.result() or []
        out: list[Delivery] = []
        for raw_name, entries in found:
            name = raw_name.decode()
            if name not in self._cursors:
                continue  # unsubscribed while reading
            room = self._rooms.get(name)
            durable = name != volatile_stream(room) if room else True
            for offset, fields in entries:
                if parse_offset(offset.decode()) <= parse_offset(self._cursors[name]):
                    continue  # read from an older cursor (the room was left and rejoined meanwhile)
                out.append(Delivery(room, offset.decode(), fields[b"d"], durable))
                self._cursors[name] = offset.decode()
        out.sort(key=lambda d: parse_offset(d.offset))
        return out

    async def _xread(self, streams: dict[str, str], block_ms: int) -> list[tuple[bytes, list[tuple[bytes, dict]]]]:
        """One blocking XREAD: ``[(stream, [(offset, fields)])]`` (RESP2 replies; redis-py types the
        stream mapping invariantly over bytes, str and memoryview)."""
        found = await self._reader.xread(cast("dict[Any, Any]", streams), block=block_ms)
        return cast("list[tuple[bytes, list[tuple[bytes, dict]]]]", found)

    def _by_slot(self) -> dict[int, dict[str, str]]:
        """The streams to read with their cursors, grouped by the hash slot
        one XREAD may span (all in one group on a single Redis)."""
        if not self.cluster:
            return {0: dict(self._cursors)}
        from redis.crc import key_slot

        groups: dict[int, dict[str, str]] = {}
        for name, cursor in self._cursors.items():
            groups.setdefault(key_slot(name.encode()), {})[name] = cursor
        return groups

    async def close(self) -> None:
        for task in self._pending.values():
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
        await self._redis.aclose()
        await self._reader.aclose()


def open_bus(redis_url: str, cluster: bool = False) -> RoomBus:
    return RedisStreamsBus(redis_url, cluster=cluster) if redis_url else LocalBus()
