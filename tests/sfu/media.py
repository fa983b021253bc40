"""Test media: a tone track, pre-encoded Opus, and a frequency estimate."""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from array import array
from itertools import pairwise

import av
from aiortc.mediastreams import MediaStreamTrack, VideoStreamTrack

RATE = 48_000
FRAME = 960  # 20 ms


def tone_samples(freq: float, seconds: float = 1.0, amplitude: int = 12_000) -> array:
    return array("h", (int(amplitude * math.sin(2 * math.pi * freq * i / RATE)) for i in range(int(RATE * seconds))))


class ToneTrack(MediaStreamTrack):
    """A microphone playing a steady tone, paced in real time."""

    kind = "audio"

    def __init__(self, freq: float = 440.0) -> None:
        super().__init__()
        self._samples = tone_samples(freq)  # a whole number of periods for 1 Hz multiples
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._pts / RATE - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        offset = self._pts % len(self._samples)
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(self._samples[offset : offset + FRAME].tobytes())
        frame.sample_rate, frame.pts, frame.time_base = RATE, self._pts, fractions.Fraction(1, RATE)
        self._pts += FRAME
        return frame


def encode_opus(freq: float, frames: int) -> list[bytes]:
    """``frames`` 20 ms Opus packets of a tone (encoded once, before a test)."""
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = RATE, "mono", "s16"
    codec.bit_rate = 32_000
    samples = tone_samples(freq, seconds=frames * FRAME / RATE + 0.1)
    packets: list[bytes] = []
    pts = 0
    while len(packets) < frames:
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(samples[pts : pts + FRAME].tobytes())
        frame.sample_rate, frame.pts, frame.time_base = RATE, pts, fractions.Fraction(1, RATE)
        pts += FRAME
        packets += [bytes(p) for p in codec.encode(frame)]
    return packets[:frames]


def frequency(samples: array, rate: int = RATE) -> float:
    """A tone's frequency from its zero crossings (rising edges per second)."""
    rising = sum(1 for a, b in pairwise(samples) if a < 0 <= b)
    return rising * rate / len(samples)


def first_channel(frame: av.AudioFrame) -> array:
    """Frame samples (s16) of its first channel."""
    assert frame.format.name == "s16", frame.format.name
    channels = len(frame.layout.channels)
    data = array("h", bytes(frame.planes[0]))[: frame.samples * channels]  # planes are padded
    return data[::channels]


class CameraTrack(VideoStreamTrack):
    """A camera showing a fixed 320x240 picture at 30 frames/s."""

    def __init__(self) -> None:
        super().__init__()
        self._planes = (bytes(range(256)) * 300)[: 320 * 240], b"\x80" * (160 * 120), b"\x40" * (160 * 120)

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(320, 240, "yuv420p")
        for plane, data in zip(frame.planes, self._planes, strict=True):
            width = plane.line_size
            rows = plane.height
            row_bytes = len(data) // rows
            plane.update(b"".join(data[r * row_bytes : (r + 1) * row_bytes].ljust(width, b"\0") for r in range(rows)))
        frame.pts, frame.time_base = pts, time_base
        return frame
