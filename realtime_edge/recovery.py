"""Replaying what a rejoining member missed, without choking its socket.

A backlog (up to the whole history the bus keeps) goes out as array frames
of at most ``ENVELOPES_PER_FRAME`` envelopes, the frame format the client
already reads for move batches, and each frame waits for room in the
socket's queue (``Conn.push_paced``): the replay arrives whole at the pace
the client reads it, where pushing it at once overflowed the queue and
closed the socket as too slow. Durable events for the member that arrive
meanwhile are held (``Conn.held``) and sent after the replay, in order.
"""

from __future__ import annotations

from collections.abc import Iterable

from realtime_edge.connection import Conn
from realtime_edge.frames import array_frame

ENVELOPES_PER_FRAME = 64


def pack(pieces: list[bytes], binary: bool, most: int = ENVELOPES_PER_FRAME) -> list[bytes | str]:
    """Envelopes encoded one by one, as array frames of at most ``most``."""
    return [array_frame(pieces[i:i + most], binary) for i in range(0, len(pieces), most)]


async def send_paced(conn: Conn, pieces: list[bytes]) -> bool:
    """False once the socket closed (the rest is not sent)."""
    for frame in pack(pieces, conn.binary):
        if not await conn.push_paced(frame):
            return False
    return True


async def replay(conn: Conn, missed: list[bytes], replayed: Iterable[str]) -> None:
    """Send the missed envelopes, then what was held meanwhile (minus the
    offsets ``replayed`` covered), then stop holding."""
    skip = set(replayed)
    pending = missed
    while await send_paced(conn, pending) and conn.held:
        held, conn.held = conn.held, []
        pending = [_raw(frame) for offset, frame in held if offset not in skip]
    conn.held = None


def _raw(frame: bytes | str) -> bytes:
    """A held frame (one envelope, as encoded for this socket) as a piece of an array frame."""
    return frame.encode() if isinstance(frame, str) else frame
