"""Ephemeral shared state: expiring sets and sticky values.

Presence, seat reservations, the node registry and room→SFU assignments all
expire on their own, so a crashed process leaves no ghosts. Two
implementations with one interface: ``LocalState`` (in-process, the embedded
default) and ``RedisState`` (the cloud mode, on one Redis or a Redis Cluster).
"""

from __future__ import annotations

import time
from typing import Protocol, cast


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class SharedState(Protocol):
    async def put(self, key: str, member: str, data: bytes, ttl_s: float) -> None:
        """Add or refresh ``member`` of the set ``key`` until ``ttl_s`` from now."""
        ...

    async def drop(self, key: str, member: str) -> None: ...

    async def members(self, key: str) -> dict[str, bytes]:
        """Live members with their data."""
        ...

    async def counts(self, keys: list[str]) -> list[int]:
        """Live member count of each set."""
        ...

    async def claim(self, key: str, value: str, ttl_s: float) -> str:
        """Set ``key`` to ``value`` unless it holds a live value; return the
        value that holds, its expiry pushed to ``ttl_s`` from now."""
        ...

    async def swap(self, key: str, expected: str, value: str, ttl_s: float) -> str:
        """Set ``key`` to ``value`` for ``ttl_s`` if it holds ``expected`` or
        nothing live; return the value that holds (a compare-and-set: of two
        nodes taking over one dead holder's key, one wins)."""
        ...

    async def get(self, key: str) -> str | None:
        """The live value of ``key`` (None: none): what a ``swap`` expects."""
        ...

    async def release(self, key: str, value: str) -> None:
        """Delete ``key`` if it holds ``value`` (a late release must not free
        what someone else took over since)."""
        ...

    async def hit(self, key: str, window_s: float) -> tuple[int, float]:
        """Count one hit in the fixed window ``key`` (created with the first
        hit, gone after ``window_s``): the count so far and the seconds left."""
        ...

    async def close(self) -> None: ...


class LocalState:
    """In-process state for the embedded mode (one process, no Redis)."""

    def __init__(self) -> None:
        self._sets: dict[str, dict[str, tuple[int, bytes]]] = {}
        self._values: dict[str, tuple[int, str]] = {}

    def _live(self, key: str) -> dict[str, tuple[int, bytes]]:
        entries = self._sets.get(key, {})
        now = _now_ms()
        for member in [m for m, (exp, _) in entries.items() if exp <= now]:
            del entries[member]
        return entries

    async def put(self, key: str, member: str, data: bytes, ttl_s: float) -> None:
        self._sets.setdefault(key, {})[member] = (_now_ms() + int(ttl_s * 1000), data)

    async def drop(self, key: str, member: str) -> None:
        self._sets.get(key, {}).pop(member, None)

    async def members(self, key: str) -> dict[str, bytes]:
        return {m: data for m, (_, data) in self._live(key).items()}

    async def counts(self, keys: list[str]) -> list[int]:
        return [len(self._live(k)) for k in keys]

    async def claim(self, key: str, value: str, ttl_s: float) -> str:
        now = _now_ms()
        held = self._values.get(key)
        if held is not None and held[0] > now:
            value = held[1]
        self._values[key] = (now + int(ttl_s * 1000), value)
        return value

    async def swap(self, key: str, expected: str, value: str, ttl_s: float) -> str:
        now = _now_ms()
        held = self._values.get(key)
        if held is not None and held[0] > now and held[1] != expected:
            return held[1]
        self._values[key] = (now + int(ttl_s * 1000), value)
        return value

    async def get(self, key: str) -> str | None:
        held = self._values.get(key)
        return held[1] if held is not None and held[0] > _now_ms() else None

    async def release(self, key: str, value: str) -> None:
        held = self._values.get(key)
        if held is not None and held[1] == value:
            del self._values[key]

    async def hit(self, key: str, window_s: float) -> tuple[int, float]:
        now = _now_ms()
        expires, count = self._values.get(key, (0, "0"))
        if expires <= now:
            expires, count = now + int(window_s * 1000), "0"
        self._values[key] = (expires, str(int(count) + 1))
        return int(count) + 1, (expires - now) / 1000

    async def close(self) -> None:
        pass


_PUT = """
local now, exp = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], exp, ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #gone > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  redis.call('HDEL', KEYS[2], unpack(gone))
end
if redis.call('PTTL', KEYS[1]) < exp - now then
  redis.call('PEXPIRE', KEYS[1], exp - now)
  redis.call('PEXPIRE', KEYS[2], exp - now)
end
"""

_CLAIM = """
local v = redis.call('GET', KEYS[1])
if not v then v = ARGV[1] end
redis.call('SET', KEYS[1], v, 'PX', ARGV[2])
return v
"""

_SWAP = """
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return v end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return ARGV[2]
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
"""


def redis_client(url: str, cluster: bool = False):
    """A client for ``url`` (``rediss://`` for TLS); with ``cluster`` a
    cluster-aware one that discovers the other nodes from this one.

    Replies are bytes (``decode_responses`` stays off); redis-py types them
    as ``str | bytes | ...``, so callers ``cast`` what they read."""
    import redis.asyncio as redis

    if cluster:
        return redis.RedisCluster.from_url(url)
    return redis.Redis.from_url(url)


def _tagged(key: str) -> str:
    """``key`` if it has a ``{hash tag}``: its companion keys must share its
    Redis Cluster slot, and a tag is what guarantees that."""
    opened = key.find("{")
    if opened < 0 or key.find("}", opened + 1) <= opened + 1:
        raise ValueError(f"shared-state key {key!r} needs a {{hash tag}} (see virtubar/keys.py)")
    return key


class RedisState:
    """Redis implementation: per set, a sorted set of expiries and a hash of
    data (``KEY`` and ``KEY:data``, one hash slot since every key carries a
    hash tag). Expired members are swept on write and ignored on read; the
    keys themselves expire with their last member."""

    def __init__(self, url: str, cluster: bool = False) -> None:
        self._redis = redis_client(url, cluster)
        self._put = self._redis.register_script(_PUT)
        self._claim = self._redis.register_script(_CLAIM)
        self._swap = self._redis.register_script(_SWAP)
        self._release = self._redis.register_script(_RELEASE)

    async def put(self, key: str, member: str, data: bytes, ttl_s: float) -> None:
        now = _now_ms()
        await self._put(keys=[_tagged(key), f"{key}:data"], args=[now, now + int(ttl_s * 1000), member, data])

    async def drop(self, key: str, member: str) -> None:
        async with self._redis.pipeline(transaction=True) as p:
            p.zrem(_tagged(key), member)
            p.hdel(f"{key}:data", member)
            await p.execute()

    async def members(self, key: str) -> dict[str, bytes]:
        names = cast("list[bytes]", await self._redis.zrangebyscore(key, _now_ms(), "+inf"))
        if not names:
            return {}
        data = cast("list[bytes | None]", await self._redis.hmget(f"{key}:data", names))
        return {n.decode(): d or b"" for n, d in zip(names, data, strict=False)}

    async def counts(self, keys: list[str]) -> list[int]:
        now = _now_ms()
        async with self._redis.pipeline(transaction=False) as p:
            for key in keys:
                p.zcount(key, now, "+inf")
            return [int(n) for n in await p.execute()]

    async def claim(self, key: str, value: str, ttl_s: float) -> str:
        held = await self._claim(keys=[key], args=[value, int(ttl_s * 1000)])
        return held.decode()

    async def swap(self, key: str, expected: str, value: str, ttl_s: float) -> str:
        held = await self._swap(keys=[key], args=[expected, value, int(ttl_s * 1000)])
        return held.decode()

    async def get(self, key: str) -> str | None:
        held = cast("bytes | None", await self._redis.get(key))
        return None if held is None else held.decode()

    async def release(self, key: str, value: str) -> None:
        await self._release(keys=[key], args=[value])

    async def hit(self, key: str, window_s: float) -> tuple[int, float]:
        async with self._redis.pipeline(transaction=True) as p:
            p.incr(key)
            p.pexpire(key, int(window_s * 1000), nx=True)
            p.pttl(key)
            count, _, ttl_ms = await p.execute()
        return int(count), max(ttl_ms, 0) / 1000

    async def close(self) -> None:
        await self._redis.aclose()


def open_state(redis_url: str, cluster: bool = False) -> SharedState:
    return RedisState(redis_url, cluster) if redis_url else LocalState()
