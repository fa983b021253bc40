"""The node's UDP reads, so ICE consent never waits behind media.

asyncio reads one datagram per socket per loop turn. When a turn takes
longer than a publisher's packet interval (3 speakers x 200 outlets on a
busy machine), the publisher's socket falls behind, the STUN answers to the
node's consent checks queue behind its RTP, and aioice drops the publisher
after six answers later than 0.5 s. ``drain`` makes each wake-up read what
the socket holds (up to ``BATCH``): STUN goes to aioice at once (it answers
and matches STUN inline), the rest to the connection's queue for aiortc;
when more than ``BACKLOG`` datagrams already wait there, the oldest RTP is
shed (never STUN, DTLS or RTCP), which bounds both the latency a backlog
adds and how long aiortc works one off without yielding.

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
BACKLOG = 25  # datagrams waiting for aiortc per connection (0.5 s of one speaker's audio)
log = logging.getLogger(__name__)


def is_rtp(data: bytes) -> bool:
    """RTP, not RTCP (RFC 7983 first byte 128-191; RFC 5761 RTCP types 192-223)."""
    return 127 < data[0] < 192 and len(data) > 1 and not 191 < data[1] < 224


def shed_oldest_rtp(pending: deque) -> bool:
    """Drop the oldest RTP datagram of a connection's queue of ``(data,
    component)`` (``None`` marks its end); False if none waits."""
    for i, item in enumerate(pending):
        if item is not None and is_rtp(item[0]):
            del pending[i]
            return True
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
            if len(pending) >= BACKLOG and is_rtp(data) and shed_oldest_rtp(pending):
                metrics.shed += 1
            parse(data, addr)
            try:
                data, addr = sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                protocol.error_received(exc)
                return

    protocol.datagram_received = datagram_received
