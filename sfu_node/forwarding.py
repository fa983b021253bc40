"""Encoded media in and out of aiortc, never through a codec.

In: each publisher's receiver gets its ``_handle_rtp_packet`` replaced
(``tap``), so parsed RTP packets (with the RFC 6464 audio level) reach the
room before aiortc's jitter buffer; no decoder is ever built. Out: each
subscriber-side track is an ``Outlet`` that writes RTP itself (SRTP protect
and ``sendto`` on the ICE pair); aiortc's pre-encoded path
(``_next_encoded_frame``) cost about 110-180 µs of CPU per egress packet
here, this one about a tenth of that (see docs/benchmarks.md). Both rely on
private parts of aiortc 1.16.0 (see /work/shared/notes/aiortc-1.16-forwarding.md);
``tests/sfu/test_forwarding.py`` pins them.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections.abc import Callable

import aiortc
from aioice.ice import StunProtocol
from aiortc import clock
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpreceiver import RTCRtpReceiver, StreamStatistics
from aiortc.rtcrtpsender import random_sequence_number
from aiortc.rtp import RtpPacket

from sfu_node.selection import SILENCE
from virtubar.lifecycle import spawn

AIORTC_VERSION = "1.16.0"
log = logging.getLogger(__name__)

if aiortc.__version__ != AIORTC_VERSION:  # the hooks below are private: refuse to guess
    raise ImportError(f"sfu_node needs aiortc=={AIORTC_VERSION}, found {aiortc.__version__}")

PacketSink = Callable[[RtpPacket, float], None]


def tap(receiver: RTCRtpReceiver, sink: PacketSink, mime_type: str = "audio/opus") -> None:
    """Send every ``mime_type`` RTP packet ``receiver`` gets to
    ``sink(packet, arrival)`` (``arrival`` from ``time.perf_counter``)
    instead of its decoder; other codecs are dropped. Receiver statistics are
    kept so the publisher still gets receiver reports. After each packet the
    loop gets a turn: aiortc works a connection's queued packets off without
    yielding, and one packet fans out to every listener (200 x ~16 µs), so a
    backlog would otherwise hold up every other socket and timer."""
    codecs = receiver._RTCRtpReceiver__codecs  # filled by receive()
    streams = receiver._RTCRtpReceiver__remote_streams  # read by _run_rtcp for RRs

    async def handle_rtp_packet(packet: RtpPacket, arrival_time_ms: int = 0) -> None:
        stats = streams.get(packet.ssrc)
        if stats is None:
            codec = codecs.get(packet.payload_type)
            if codec is None or codec.mimeType.lower() != mime_type:
                return
            stats = streams[packet.ssrc] = StreamStatistics(codec.clockRate)
        stats.add(packet)
        try:
            sink(packet, time.perf_counter())
        except Exception:  # never let a fault end the publisher's receive loop
            log.exception("forwarding a packet of SSRC %d failed", packet.ssrc)
        await asyncio.sleep(0)

    receiver._handle_rtp_packet = handle_rtp_packet


class _Silent(MediaStreamTrack):
    """The placeholder an aiortc sender needs to run; never read."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    async def recv(self):  # pragma: no cover - the outlet replaces the read
        await asyncio.Future()


async def _never(codec) -> None:
    """The sender's own RTP loop idles here: the outlet sends instead."""
    await asyncio.Future()


RTP_HEADER = struct.Struct("!BBHII")
CLOCK_RATES = {"audio": 48_000, "video": 90_000}
HISTORY = 256  # video packets kept per outlet for NACK retransmission
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
SR_EVERY = 32  # packets between updates of the sender-report clock pair


class Outlet:
    """One subscriber-side track, fed with the encoded packets of whichever
    feed (``(user, mic | camera | screen)``) is assigned to it, sent at once: RTP header with the
    subscriber's SSRC, payload type, sequence and extension ids, one SRTP
    protect and one ``sendto`` on the ICE pair; no coroutine per packet.

    aiortc's own RTP loop for the sender idles (``_next_encoded_frame``
    never returns); its RTCP loop keeps sending sender reports from the
    counters updated here. Switching speakers rebases the RTP timestamp so
    the subscriber's jitter buffer sees one continuous stream. Packets fed
    before the transport connects are dropped.
    """

    def __init__(self, transceiver, on_keyframe_request: Callable[[tuple[str, str]], None] | None = None) -> None:
        self.transceiver = transceiver
        self.kind = transceiver.kind
        self.carries: tuple[str, str] | None = None
        self._clock_rate = CLOCK_RATES[self.kind]
        self._video = self.kind == "video"
        self._need_keyframe = self._video  # a switched video stream starts at a keyframe
        self._history: dict[int, bytes] = {}
        self._offset: int | None = None  # speaker timestamp → outgoing timestamp
        self._last_out = 0
        self._last_at = 0.0
        self._seq = random_sequence_number()
        self._wire = None  # (srtp, ice connection, payload type, extensions by level, sender, SSRC)
        sender = transceiver.sender
        sender.replaceTrack(_Silent(self.kind))
        sender._next_encoded_frame = _never
        if self._video:
            sender._retransmit = self._retransmit
            sender._send_keyframe = self._ask_keyframe
        self._on_keyframe_request = on_keyframe_request

    def assign(self, feed: tuple[str, str] | None) -> bool:
        """Feed this outlet from ``feed`` (None: idle). True if it changed."""
        if feed == self.carries:
            return False
        self.carries = feed
        self._offset = None
        self._need_keyframe = self._video
        return True

    def feed(self, payload: bytes, timestamp: int, level: int | None, arrival: float, marker: int = 0) -> bool:
        """Send one packet of the assigned feed; True if it went out (the
        room counts them for the metrics once per incoming packet)."""
        wire = self._wire or self._connect()
        if wire is None:
            return False
        srtp, ice, pt, extensions, sender, ssrc = wire
        if self._need_keyframe:
            if not vp8_keyframe_start(payload):
                self._ask_keyframe()  # the first ask can miss (no SSRC seen yet, not yet connected)
                return False
            self._need_keyframe = False
        if self._offset is None:  # a new speaker: continue the stream's timeline
            gap = int((arrival - self._last_at) * self._clock_rate) if self._last_at else 0
            self._offset = (self._last_out + max(gap, 1) - timestamp) & 0xFFFFFFFF
            marker |= not self._video  # audio: a talkspurt starts
        out = (timestamp + self._offset) & 0xFFFFFFFF
        seq = self._seq
        plain = (
            RTP_HEADER.pack(0x90, pt | (marker << 7), seq, out, ssrc)
            + extensions[SILENCE if level is None else level]
            + payload
        )
        if self._video:
            self._history[seq % HISTORY] = plain
        if not self._send(srtp.protect(plain), ice):
            return False
        self._seq = (seq + 1) & 0xFFFF
        self._last_out, self._last_at = out, arrival
        sender._RTCRtpSender__packet_count += 1
        sender._RTCRtpSender__octet_count += len(payload)
        if seq % SR_EVERY == 0:
            sender._RTCRtpSender__ntp_timestamp = clock.current_ntp_time()
            sender._RTCRtpSender__rtp_timestamp = out
        return True

    @staticmethod
    def _send(data: bytes, ice) -> bool:
        pair = ice._nominated.get(1)
        if pair is None:
            return False
        protocol = pair.protocol
        if type(protocol) is StunProtocol:
            protocol.transport.sendto(data, pair.remote_addr)
        else:  # relayed (TURN): its framing is asynchronous
            spawn(protocol.send_data(data, pair.remote_addr))
        return True

    def _ask_keyframe(self) -> None:
        """Ask the publisher of this outlet's feed for a key frame (the room
        rate-limits): a viewer's PLI, or this outlet waiting for one."""
        if self.carries and self._on_keyframe_request:
            self._on_keyframe_request(self.carries)

    async def _retransmit(self, seq: int) -> None:
        """A subscriber's NACK: send the packet again if still kept."""
        plain = self._history.get(seq % HISTORY)
        if plain is not None and self._wire is not None and int.from_bytes(plain[2:4], "big") == seq:
            self._send(self._wire[0].protect(plain), self._wire[1])

    def _connect(self):
        """Once the subscriber's transport is up: keys, ICE pair, payload
        type and the header extensions (one per audio level)."""
        dtls = self.transceiver.sender.transport
        if dtls is None or dtls.state != "connected" or not self.transceiver._codecs:
            return None
        ids = {ext.uri: ext.id for ext in self.transceiver._headerExtensions}
        mid = (self.transceiver.mid or "").encode()
        self._wire = (
            dtls._tx_srtp,
            dtls.transport._connection,
            self.transceiver._codecs[0].payloadType,
            [_extensions(ids.get(MID_URI), mid, ids.get(LEVEL_URI), level) for level in range(SILENCE + 1)],
            self.transceiver.sender,
            self.transceiver.sender._ssrc,
        )
        return self._wire


def vp8_keyframe_start(payload: bytes) -> bool:
    """Whether an RTP VP8 payload (RFC 7741) starts a key frame."""
    if len(payload) < 2:
        return False
    first, at = payload[0], 1
    if not first & 0x10 or first & 0x07:  # S: start of a partition, PID: partition 0
        return False
    if first & 0x80:  # X: extension byte
        ext, at = payload[1], 2
        if ext & 0x80:  # I: picture id, 7 or 15 bits
            at += 2 if len(payload) > at and payload[at] & 0x80 else 1
        at += bool(ext & 0x40) + bool(ext & 0x30)  # L: TL0PICIDX; T/K: TID/KEYIDX
    return len(payload) > at and not payload[at] & 0x01  # P bit 0: key frame


def _extensions(mid_id: int | None, mid: bytes, level_id: int | None, level: int) -> bytes:
    """An RFC 8285 one-byte header extension block: mid and audio level."""
    body = b""
    if level_id is not None:
        body += bytes((level_id << 4, level))
    if mid_id is not None and mid:
        body += bytes(((mid_id << 4) | (len(mid) - 1),)) + mid
    body += b"\0" * (-len(body) % 4)
    return struct.pack("!HH", 0xBEDE, len(body) // 4) + body
