"""Small real audio files, built here without an encoder: a WAV of a tone,
an MP3 of silent MPEG-1 Layer III frames and an Ogg Opus stream of silent
CELT frames. Each is valid for a decoder, not only for a tag reader."""

from __future__ import annotations

import io
import math
import struct
import wave


def wav(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        n = int(seconds * rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n)))
    return out.getvalue()


MP3_FRAME_S = 1152 / 44100


def mp3(seconds: float) -> bytes:
    """MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono: header, empty side
    information and no main data is a silent frame of 417 bytes."""
    frame = b"\xff\xfb\x90\xc0" + b"\x00" * (417 - 4)
    return frame * round(seconds / MP3_FRAME_S)


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def _ogg_page(packets: list[bytes], granule: int, sequence: int, flags: int) -> bytes:
    lacing = b""
    for p in packets:
        lacing += b"\xff" * (len(p) // 255) + bytes([len(p) % 255])
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, 0x5EED, sequence, 0, len(lacing)) + lacing
    page = header + b"".join(packets)
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def ogg_opus(seconds: float) -> bytes:
    """OpusHead, OpusTags, then 20 ms silent CELT packets (TOC 0xF8), fifty a page."""
    pre_skip = 312
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 8) + b"virtubar" + struct.pack("<I", 0)
    pages = [_ogg_page([head], 0, 0, 0x02), _ogg_page([tags], 0, 1, 0)]
    count = round(seconds * 50)
    for first in range(0, count, 50):
        n = min(50, count - first)
        last = first + n >= count
        granule = pre_skip + (first + n) * 960
        pages.append(_ogg_page([b"\xf8\xff\xfe"] * n, granule, len(pages), 0x04 if last else 0))
    return b"".join(pages)
