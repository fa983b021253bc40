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

Private parts used (pinned in ``tests/sfu/test_forwarding.py``): aioice's
``Connection._protocols`` and ``_queue``, asyncio's datagram transport
``_sock`` and ``asyncio.Queue._queue``.
"""

from __future__ import annotations

import logging
from collections import deque

from aioice.ice import Connection, StunProtocol

from sfu_node.metrics import Metrics

BATCH = 64  # datagrams read per wake-up of one socket
MAX_BEHIND = 14_400  # RTP ticks: 0.3 s of audio (48 kHz), 0.16 s of video (90 kHz)
log = logging.getLogger(__name__)


def is_rtp(data: bytes) -> bool:
    """RTP, not RTCP (RFC 7983 first byte 128-191; RFC 5761 RTCP types 192-223)."""
    return 127 < data[0] < 192 and len(data) > 1 and not 191 < data[1] < 224


def shed_stale(pending: deque, newest: bytes) -> bool:
    """Drop the oldest RTP packet of ``newest``'s SSRC from a connection's
    queue of ``(data, component)`` (``None`` marks its end) if ``newest``
    is more than ``MAX_BEHIND`` ticks later; True if one was dropped."""
    ssrc, now = newest[8:12], int.from_bytes(newest[4:8], "big")
    for i, item in enumerate(pending):
        if item is not None and is_rtp(data := item[0]) and data[8:12] == ssrc:
            if MAX_BEHIND < (now - int.from_bytes(data[4:8], "big")) & 0xFFFFFFFF < 1 << 31:
                del pending[i]
                return True
            return False
    return False


def drain(connection: Connection, metrics: Metrics) -> None:
    """Read every host socket of ``connection`` in batches from now on
    (again: no change); what is shed is counted in ``metrics.shed``."""
    pending = connection._queue._queue
    for protocol in connection._protocols:
        if type(protocol) is StunProtocol and "datagram_received" not in vars(protocol):
            _batch_reads(protocol, pending, metrics)


def _batch_reads(protocol: StunProtocol, pending: deque, metrics: Metrics) -> None:
    sock = getattr(protocol.transport, "_sock", None)
    if sock is None:  # another event loop's transport: keep its own reads
        log.warning("cannot batch reads on %r", protocol.transport)
        return
    parse = protocol.datagram_received

    def datagram_received(data: bytes, addr) -> None:
        for _ in range(BATCH):
            if pending and is_rtp(data) and shed_stale(pending, data):
                metrics.shed += 1
            parse(data, addr)
            try:
                data, addr = sock.recvfrom(2048)  # WebRTC datagrams stay under the path MTU
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                protocol.error_received(exc)
                return

    protocol.datagram_received = datagram_received
