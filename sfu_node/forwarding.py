"""Encoded media in and out of aiortc, never through a codec.

In: each publisher's receiver gets its ``_handle_rtp_packet`` replaced
(``tap``), so parsed RTP packets (with the RFC 6464 audio level) reach the
room before aiortc's jitter buffer; no decoder is ever built. Out: each
subscriber-side sender gets its ``_next_encoded_frame`` replaced (``Outlet``),
so payloads go out verbatim while aiortc keeps SSRC, sequence numbers, NACK
history and sender reports. Both are private hooks of aiortc 1.16.0 (see
/work/shared/notes/aiortc-1.16-forwarding.md); ``tests/sfu/test_forwarding.py``
pins them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

import aiortc
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpreceiver import RTCRtpReceiver, StreamStatistics
from aiortc.rtcrtpsender import RTCEncodedFrame
from aiortc.rtp import RtpPacket

AIORTC_VERSION = "1.16.0"
QUEUE_FRAMES = 32  # ~640 ms of audio; older frames are dropped when a sender lags

if aiortc.__version__ != AIORTC_VERSION:  # the hooks below are private: refuse to guess
    raise ImportError(f"sfu_node needs aiortc=={AIORTC_VERSION}, found {aiortc.__version__}")

PacketSink = Callable[[RtpPacket, float], None]


def tap(receiver: RTCRtpReceiver, sink: PacketSink, mime_type: str = "audio/opus") -> None:
    """Send every ``mime_type`` RTP packet ``receiver`` gets to
    ``sink(packet, arrival)`` (``arrival`` from ``time.perf_counter``)
    instead of its decoder; other codecs are dropped. Receiver statistics are
    kept so the publisher still gets receiver reports."""
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
        sink(packet, time.perf_counter())

    receiver._handle_rtp_packet = handle_rtp_packet


class _Silent(MediaStreamTrack):
    """The placeholder an aiortc sender needs to run; never read."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    async def recv(self):  # pragma: no cover - the outlet replaces the read
        await asyncio.Future()


class Outlet:
    """One subscriber-side sender, fed with the encoded frames of whichever
    speaker is assigned to it. Switching speakers rebases the RTP timestamp
    so the subscriber's jitter buffer sees one continuous stream."""

    def __init__(self, sender, kind: str = "audio", clock_rate: int = 48_000,
                 on_sent: Callable[[int, float], None] | None = None) -> None:
        self.sender = sender
        self.kind = kind
        self.speaker: str | None = None
        self._clock_rate = clock_rate
        self._on_sent = on_sent
        self._frames: deque[tuple[RTCEncodedFrame, float, int]] = deque(maxlen=QUEUE_FRAMES)
        self._ready = asyncio.Event()
        self._offset: int | None = None  # speaker timestamp → outgoing timestamp
        self._last_out = 0
        self._last_at = 0.0
        sender.replaceTrack(_Silent(kind))
        sender._next_encoded_frame = self._next_encoded_frame

    def assign(self, speaker: str | None) -> bool:
        """Feed this outlet from ``speaker`` (None: idle). True if it changed."""
        if speaker == self.speaker:
            return False
        self.speaker = speaker
        self._frames.clear()
        self._offset = None
        return True

    def feed(self, payload: bytes, timestamp: int, level: int | None, arrival: float) -> None:
        if self._offset is None:
            gap = int((arrival - self._last_at) * self._clock_rate) if self._last_at else 0
            self._offset = (self._last_out + max(gap, 1) - timestamp) & 0xFFFFFFFF
        out = (timestamp + self._offset) & 0xFFFFFFFF
        self._last_out, self._last_at = out, arrival
        frame = RTCEncodedFrame([payload], out, -level if level is not None else None)
        self._frames.append((frame, arrival, len(payload)))
        self._ready.set()

    async def _next_encoded_frame(self, codec) -> RTCEncodedFrame:
        while not self._frames:
            self._ready.clear()
            await self._ready.wait()
        frame, arrival, size = self._frames.popleft()
        if self._on_sent is not None:
            self._on_sent(size, time.perf_counter() - arrival)
        return frame
