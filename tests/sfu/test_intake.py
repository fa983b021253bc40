"""The node's receive path: a STUN consent answer queued behind a backlog
of RTP is read at the next wake-up, RTP that fell more than ``MAX_BEHIND``
behind its stream is shed (never a key frame's burst, STUN, DTLS or RTCP),
and publishers' backlogs are forwarded a packet each in turn."""

import asyncio
import socket
from collections import deque
from types import SimpleNamespace

from aioice import stun
from aioice.ice import Connection
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

from sfu_node.aiortc_hooks import tap
from sfu_node.intake import MAX_BEHIND, drain, shed_stale
from sfu_node.metrics import Metrics
from sfu_node.rtp import is_rtp

DTLS = bytes([22, 254, 253]) + b"\0" * 10
RTCP_RR = bytes([0x81, 201, 0, 7]) + b"\0" * 28
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)


def rtp(seq: int, ssrc: int = 1, marker: int = 0) -> bytes:
    """An Opus packet every 20 ms (960 ticks at 48 kHz)."""
    header = bytes([0x80, (marker << 7) | 111]) + seq.to_bytes(2, "big")
    return header + (seq * 960).to_bytes(4, "big") + ssrc.to_bytes(4, "big") + b"opus"


def test_rtp_is_told_from_rtcp_dtls_and_stun():
    assert is_rtp(rtp(1)) and is_rtp(rtp(2, marker=1))
    binding = bytes(stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST))
    assert not any(is_rtp(d) for d in (RTCP_RR, DTLS, binding))


def test_only_rtp_too_far_behind_its_own_stream_is_shed():
    behind = MAX_BEHIND // 960 + 1  # packets of 20 ms
    pending = deque([(DTLS, 1), (RTCP_RR, 1), (rtp(0, ssrc=2), 1), (rtp(0), 1), (rtp(1), 1), None])
    assert not shed_stale(pending, rtp(behind - 1))
    assert shed_stale(pending, rtp(behind))
    assert list(pending) == [(DTLS, 1), (RTCP_RR, 1), (rtp(0, ssrc=2), 1), (rtp(1), 1), None]
    assert not shed_stale(deque([(DTLS, 1), None]), rtp(behind))
    key_frame = deque((rtp(7, ssrc=3)[:4] + rtp(0, ssrc=3)[4:], 1) for _ in range(60))  # one timestamp
    assert not shed_stale(key_frame, key_frame[-1][0])


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
        sent = [rtp(i) for i in range(40)]  # 0.8 s of audio
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
        kept = MAX_BEHIND // 960 + 1  # what spans at most MAX_BEHIND: the newest
        assert [data for data, _ in connection._queue._queue] == sent[-kept:]
        assert metrics.shed == len(sent) - kept
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
