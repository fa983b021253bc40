"""The node's receive path: a STUN consent answer queued behind a backlog
of RTP is read at the next wake-up, a backlog beyond ``BACKLOG`` sheds the
oldest RTP, never STUN, DTLS or RTCP, and publishers' backlogs are
forwarded a packet each in turn."""

import asyncio
import socket
from collections import deque
from types import SimpleNamespace

from aioice import stun
from aioice.ice import Connection
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

from sfu_node.forwarding import tap
from sfu_node.intake import BACKLOG, drain, is_rtp, shed_oldest_rtp
from sfu_node.metrics import Metrics

DTLS = bytes([22, 254, 253]) + b"\0" * 10
RTCP_RR = bytes([0x81, 201, 0, 7]) + b"\0" * 28
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)


def rtp(seq: int, marker: int = 0) -> bytes:
    return bytes([0x80, (marker << 7) | 111]) + seq.to_bytes(2, "big") + b"\0" * 8 + b"opus"


def test_rtp_is_told_from_rtcp_dtls_and_stun():
    assert is_rtp(rtp(1)) and is_rtp(rtp(2, marker=1))
    binding = bytes(stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST))
    assert not any(is_rtp(d) for d in (RTCP_RR, DTLS, binding))


def test_shedding_drops_the_oldest_rtp_only():
    pending = deque([(DTLS, 1), (RTCP_RR, 1), (rtp(1), 1), (rtp(2), 1), None])
    assert shed_oldest_rtp(pending)
    assert list(pending) == [(DTLS, 1), (RTCP_RR, 1), (rtp(2), 1), None]
    assert not shed_oldest_rtp(deque([(DTLS, 1), None]))


async def test_a_consent_answer_behind_a_backlog_of_rtp_is_read_at_the_next_wake_up():
    connection = Connection(ice_controlling=True)
    await connection.gather_candidates()
    protocol = next(p for p in connection._protocols if ":" not in p.local_candidate.host)
    here = protocol.transport.get_extra_info("sockname")
    metrics = Metrics()
    drain(connection, metrics)
    publisher = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    publisher.bind((here[0], 0))
    publisher.settimeout(5)
    try:
        protocol.transport.pause_reading()  # a long loop turn: datagrams pile up in the socket
        request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
        asking = asyncio.ensure_future(protocol.request(request, publisher.getsockname(), retransmissions=0))
        await asyncio.sleep(0)
        asked, _ = publisher.recvfrom(2048)
        assert stun.parse_message(asked).transaction_id == request.transaction_id
        sent = [rtp(i) for i in range(BACKLOG + 15)]
        for packet in sent:
            publisher.sendto(packet, here)
        answer = stun.Message(
            message_method=stun.Method.BINDING,
            message_class=stun.Class.RESPONSE,
            transaction_id=request.transaction_id,
        )
        publisher.sendto(bytes(answer), here)
        protocol.transport.resume_reading()
        for _ in range(4):  # a few loop turns; asyncio alone reads one datagram per turn
            await asyncio.sleep(0)
        assert asking.done() and asking.result()[0].transaction_id == request.transaction_id
        assert [data for data, _ in connection._queue._queue] == sent[-BACKLOG:]  # the newest kept
        assert metrics.shed == 15
    finally:
        publisher.close()
        await connection.close()


async def test_two_publishers_backlogs_are_forwarded_a_packet_each_in_turn():
    forwarded = []
    receivers = [SimpleNamespace(_RTCRtpReceiver__codecs={111: OPUS}, _RTCRtpReceiver__remote_streams={}) for _ in "ab"]
    for name, receiver in zip("ab", receivers, strict=True):
        tap(receiver, lambda packet, arrival, name=name: forwarded.append((name, packet.sequence_number)))

    async def work_off(receiver, ssrc: int) -> None:  # as aiortc does a connection's queue: no pause between packets
        for seq in range(3):
            await receiver._handle_rtp_packet(RtpPacket(payload_type=111, sequence_number=seq, ssrc=ssrc))

    await asyncio.gather(work_off(receivers[0], 1), work_off(receivers[1], 2))
    assert forwarded == [("a", 0), ("b", 0), ("a", 1), ("b", 1), ("a", 2), ("b", 2)]
