"""The node's UDP reads, so ICE consent never waits behind media.

asyncio reads one datagram per socket per loop turn. When a turn takes
longer than a publisher's packet interval (3 speakers x 200 outlets on a
busy machine), the publisher's socket falls behind, the STUN answers to the
node's consent checks queue behind its RTP, and aioice drops the publisher
after six answers later than 0.5 s. ``drain`` makes each wake-up read what
the socket holds (up to ``BATCH``): STUN goes to aioice at once (it answers
and matches STUN inline), the rest to the connection's queue for aiortc.
A packet still waiting there when a packet of its stream (SSRC) arrives
more than ``MAX_BEHIND`` later in media time (the RTP timestamp) is shed:
the node is not keeping up, and late audio is worse than lost. A burst (a
video key frame: one timestamp) is not shed; STUN, DTLS and RTCP never.

The socket reads themselves are hooked in ``aiortc_hooks.read_in_batches``;
this module decides what is shed.
"""

from __future__ import annotations

from collections import deque

from aioice.ice import Connection

from sfu_node import aiortc_hooks
from sfu_node.metrics import Metrics
from sfu_node.rtp import is_rtp, timestamp

BATCH = 64  # datagrams read per wake-up of one socket
MAX_BEHIND = 14_400  # RTP ticks: 0.3 s of audio (48 kHz), 0.16 s of video (90 kHz)


def shed_stale(pending: deque, newest: bytes) -> bool:
    """Drop the oldest RTP packet of ``newest``'s SSRC from a connection's
    queue of ``(data, component)`` (``None`` marks its end) if ``newest``
    is more than ``MAX_BEHIND`` ticks later; True if one was dropped."""
    ssrc, now = newest[8:12], timestamp(newest)
    for i, item in enumerate(pending):
        if item is not None and is_rtp(data := item[0]) and data[8:12] == ssrc:
            if MAX_BEHIND < (now - timestamp(data)) & 0xFFFFFFFF < 1 << 31:
                del pending[i]
                return True
            return False
    return False


def drain(connection: Connection, metrics: Metrics) -> None:
    """Read every host socket of ``connection`` in batches from now on
    (again: no change); what is shed is counted in ``metrics.shed``."""

    def shed(pending: deque, data: bytes) -> None:
        if is_rtp(data) and shed_stale(pending, data):
            metrics.shed += 1

    aiortc_hooks.read_in_batches(connection, BATCH, shed)
