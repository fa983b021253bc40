"""A test client that speaks only the realtime protocol's JSON (`docs/protocol.md`) over a real WebSocket
(the ``websockets`` library; no project code on this side)."""

from __future__ import annotations

import asyncio
import json
import time

import websockets


class Client:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.seen: list[dict] = []  # every event received, batches flattened
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self.closed_with: int | None = None

    @classmethod
    async def connect(cls, url: str, **kwargs) -> Client:
        return cls(await websockets.connect(url, **kwargs))

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                data = json.loads(frame)
                for env in data if isinstance(data, list) else [data]:
                    assert set(env) == {"v", "t", "ts", "payload"} and env["v"] == 1, env
                    self.seen.append(env)
                self._new.set()
        except websockets.ConnectionClosed:
            pass
        self.closed_with = self.ws.close_code
        self._new.set()

    async def send(self, t: str, **payload) -> None:
        await self.ws.send(json.dumps({"v": 1, "t": t, "ts": int(time.time() * 1000), "payload": payload}))

    async def join(self, room: str, token: str, **extra) -> dict:
        await self.send("join_room", roomId=room, token=token, **extra)
        return await self.wait("room_state")

    def events(self, t: str, **match) -> list[dict]:
        return [
            e["payload"] for e in self.seen
            if e["t"] == t and all(e["payload"].get(k) == v for k, v in match.items())
        ]

    async def wait(self, t: str, timeout: float = 5.0, **match) -> dict:
        """The first ``t`` event matching ``match``; waits for it if needed."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.events(t, **match)
            if found:
                return found[0]
            if self.closed_with is not None:
                raise AssertionError(f"closed ({self.closed_with}) before {t} {match}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {t} {match} within {timeout}s; saw {[e['t'] for e in self.seen][-20:]}")
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), left)
            except TimeoutError:
                pass

    async def wait_closed(self, timeout: float = 5.0) -> int:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.closed_with

    async def close(self) -> None:
        await self.ws.close()
        await self._reader
