"""One player's socket: what the edge knows about it and how frames leave.

Frames go through a bounded queue drained by a writer task (started when
frames wait, gone when none do), so a slow client never holds up the
fan-out to everyone else; a client that falls too far behind is
disconnected. A long replay (chat recovery) waits for the queue to drain
between frames instead, so it arrives whole at the pace the client reads.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from realtime_edge.movement import Pose
from realtime_edge.ratelimit import Meter
from virtubar import wire

if TYPE_CHECKING:
    from realtime_edge.room import Room

_ids = itertools.count(1)
_CLOSE = object()
NO_SEATS: frozenset[str] = frozenset()  # shared: most sockets hold no seat


class Conn:
    __slots__ = (
        "_drained",
        "_limit",
        "_out",
        "_reader",
        "_send",
        "_writer",
        "binary",
        "closed",
        "held",
        "id",
        "join_seq",
        "joined_ts",
        "last_seen",
        "last_seq",
        "member",
        "meter",
        "muted",
        "platform",
        "pose",
        "replaced",
        "role",
        "room",
        "seats",
    )

    def __init__(self, binary: bool, queue_size: int) -> None:
        self.id = next(_ids)
        self.binary = binary
        self.room: Room | None = None  # once joined
        self.member: wire.Member | None = None
        self.pose: Pose | None = None
        self.platform = "desktop"
        self.role = "player"  # from the token: moderators may do what a room's owner does
        self.meter: Meter | None = None  # budgets per message type, made at the first message
        self.last_seq = -1
        self.last_seen = time.monotonic()
        self.muted = False
        self.joined_ts = 0
        self.join_seq = 0  # this node's join order (wall clocks may step; this never does)
        self.replaced = False
        self.held: list[tuple[str, bytes | str]] | None = None  # durable frames held while recovering chat
        self.closed = False
        self.seats: AbstractSet[str] = NO_SEATS  # exclusive seats and doors this member holds
        self._out: deque | None = None  # made at the first frame, dropped when drained: an idle socket has none
        self._limit = queue_size
        self._send: Callable[[dict], Awaitable[None]] | None = None
        self._writer: asyncio.Task | None = None  # runs only while frames wait: idle sockets cost no task
        self._reader: asyncio.Task | None = None
        self._drained: asyncio.Event | None = None  # set when a paced sender may go on

    @property
    def user_id(self) -> str:
        return self.member.userId if self.member else ""

    def joined(self) -> tuple[Room, wire.Member]:
        """The room and member of a socket that joined (every handler but
        ``join_room``'s runs only on one)."""
        assert self.room is not None and self.member is not None
        return self.room, self.member

    def start(self, send: Callable[[dict], Awaitable[None]], reader: asyncio.Task) -> None:
        """``reader`` is the task receiving from the socket: a close cancels it
        (an ASGI server may not send our close while a receive is pending)."""
        self._send = send
        self._reader = reader

    def push(self, frame: bytes | str) -> bool:
        """Queue a frame; False (and the socket is closing) if the client is too slow."""
        if self.closed:
            return False
        out = self._out
        if out is None:
            out = self._out = deque()
        elif len(out) >= self._limit:
            self.close(1008, "too slow")
            return False
        out.append(frame)
        self._wake()
        return True

    async def push_paced(self, frame: bytes | str) -> bool:
        """Queue a frame once at most half the queue is taken; False if the socket closed meanwhile."""
        while not self.closed and self._queued() > self._limit // 2:
            if self._drained is None:
                self._drained = asyncio.Event()
            await self._drained.wait()
        return self.push(frame)

    def _release_paced(self) -> None:
        if self._drained is not None and (self.closed or self._queued() <= self._limit // 2):
            self._drained.set()
            self._drained = None

    def close(self, code: int, reason: str = "") -> None:
        if not self.closed:
            self.closed = True
            if self._out is None:
                self._out = deque()
            self._out.append((_CLOSE, code, reason))
            self._wake()
            self._release_paced()

    def _queued(self) -> int:
        return len(self._out) if self._out is not None else 0

    def _wake(self) -> None:
        if self._writer is None and self._send is not None:
            self._writer = asyncio.create_task(self._write())

    async def finish(self) -> None:
        """Stop writing once the reader has ended: let a close in flight go
        out, drop whatever else is queued."""
        writer = self._writer
        if not self.closed:
            self.closed = True
            if self._out is not None:
                self._out.clear()  # the writer holds it too: it stops at the next frame
            self._release_paced()
            if writer is not None:
                writer.cancel()
        if writer is not None:
            await asyncio.wait({writer}, timeout=2.0)
            writer.cancel()

    async def _write(self) -> None:
        send, out, reader = self._send, self._out, self._reader
        if send is None or reader is None or out is None:  # ``start`` attaches both before any write
            self._writer = None
            return
        try:
            while out:
                frame = out.popleft()
                if isinstance(frame, tuple):
                    reader.cancel()
                    await asyncio.wait({reader})
                    await send({"type": "websocket.close", "code": frame[1], "reason": frame[2]})
                    out.clear()
                    return
                if isinstance(frame, str):
                    await send({"type": "websocket.send", "text": frame})
                else:
                    await send({"type": "websocket.send", "bytes": frame})
                self._release_paced()
        except asyncio.CancelledError:
            pass
        except Exception:
            self.closed = True
            out.clear()
        finally:
            self._writer = None
            self._release_paced()
            if out and not self.closed:
                self._wake()
            elif self._out is out and not out:
                self._out = None
