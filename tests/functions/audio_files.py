"""Small real audio files, built here without an encoder: a WAV of a tone,
an MP3 of silent MPEG-1 Layer III frames, an Ogg Opus stream of silent CELT
frames, an Ogg Vorbis stream of silent packets, a FLAC of constant subframes
and an M4A of silent AAC-LC frames. Each is valid for a decoder, not only for
a tag reader."""

from __future__ import annotations

import hashlib
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


class _Bits:
    """Bits packed as Vorbis packs them: least significant first."""

    def __init__(self) -> None:
        self.bits: list[int] = []

    def put(self, value: int, width: int) -> _Bits:
        self.bits += [(value >> i) & 1 for i in range(width)]
        return self

    def bytes(self) -> bytes:
        padded = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(sum(b << i for i, b in enumerate(padded[n:n + 8])) for n in range(0, len(padded), 8))


def _vorbis_setup() -> bytes:
    """The least a decoder accepts: one two-entry codebook, a floor 1 with no
    partitions, a residue 0 of one class, one mapping and one short-block mode."""
    b = _Bits().put(0, 8)  # one codebook
    b.put(0x564342, 24).put(1, 16).put(2, 24).put(0, 1).put(0, 1).put(0, 5).put(0, 5).put(0, 4)
    b.put(0, 6).put(0, 16)  # one time transform, a placeholder
    b.put(0, 6).put(1, 16).put(0, 5).put(0, 2).put(8, 4)  # floor 1: no partitions, range 256
    b.put(0, 6).put(0, 16).put(0, 24).put(0, 24).put(0, 24).put(0, 6).put(0, 8).put(0, 3).put(0, 1)  # residue 0
    b.put(0, 6).put(0, 16).put(0, 1).put(0, 1).put(0, 2).put(0, 8).put(0, 8).put(0, 8)  # mapping 0
    b.put(0, 6).put(0, 1).put(0, 16).put(0, 16).put(0, 8)  # mode 0: short blocks
    b.put(1, 1)  # framing
    return b"\x05vorbis" + b.bytes()


def ogg_vorbis(seconds: float, rate: int = 8000) -> bytes:
    """Identification, comment and setup headers, then silent audio packets
    (floor unused) of 128 samples each from 256-sample short blocks (long
    blocks of 2048 declared, unused: FFmpeg, as in Chromium, wants them longer)."""
    ident = b"\x01vorbis" + struct.pack("<IBIiiiBB", 0, 1, rate, 0, 32000, 0, 0xB8, 1)
    comment = b"\x03vorbis" + struct.pack("<I", 8) + b"virtubar" + struct.pack("<I", 0) + b"\x01"
    pages = [_ogg_page([ident], 0, 0, 0x02), _ogg_page([comment, _vorbis_setup()], 0, 1, 0)]
    count = round(seconds * rate / 128) + 1  # the first packet only primes the overlap
    for first in range(0, count, 64):
        n = min(64, count - first)
        last = first + n >= count
        granule = round(seconds * rate) if last else (first + n - 1) * 128  # the end trimmed to the length
        pages.append(_ogg_page([b"\x00"] * n, granule, len(pages), 0x04 if last else 0))
    return b"".join(pages)


def _crc(data: bytes, width: int, poly: int) -> int:
    crc, top, mask = 0, 1 << (width - 1), (1 << width) - 1
    for byte in data:
        crc ^= byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & mask if crc & top else (crc << 1) & mask
    return crc


def flac(seconds: float, rate: int = 8000, block: int = 4000) -> bytes:
    """STREAMINFO, then frames of one constant (silent) 16-bit mono subframe."""
    total = round(seconds * rate)
    frames = []
    for number, first in enumerate(range(0, total, block)):
        size = min(block, total - first)
        head = bytes([0xFF, 0xF8, 0x74, 0x08, number]) + struct.pack(">H", size - 1)  # 8 kHz, mono, 16 bit
        head += bytes([_crc(head, 8, 0x07)])
        body = head + b"\x00" + b"\x00\x00"  # constant subframe of sample 0
        frames.append(body + struct.pack(">H", _crc(body, 16, 0x8005)))
    sizes = [len(f) for f in frames]
    info = struct.pack(">HH", block, block) + min(sizes).to_bytes(3, "big") + max(sizes).to_bytes(3, "big")
    info += ((rate << 44) | (0 << 41) | (15 << 36) | total).to_bytes(8, "big")
    info += hashlib.md5(b"\x00\x00" * total).digest()
    return b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info + b"".join(frames)


def _box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full(kind: bytes, *parts: bytes, flags: int = 0) -> bytes:
    return _box(kind, struct.pack(">I", flags), *parts)


def _descriptor(tag: int, body: bytes) -> bytes:
    return bytes([tag, len(body)]) + body


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def m4a(seconds: float, rate: int = 16000) -> bytes:
    """An MP4 with one AAC-LC track of silent 1024-sample frames (a single
    channel element with no scale factor bands, then END)."""
    frame = b"\x00\x00\x00\x07"
    n = round(seconds * rate / 1024)
    config = _descriptor(5, bytes([0x14, 0x08]))  # AAC-LC, 16 kHz, mono
    decoder = _descriptor(4, bytes([0x40, 0x15]) + (0).to_bytes(3, "big") + struct.pack(">II", 0, 0) + config)
    esds = _full(b"esds", _descriptor(3, struct.pack(">HB", 1, 0) + decoder + _descriptor(6, b"\x02")))
    mp4a = _box(b"mp4a", b"\x00" * 6, struct.pack(">HQHHHHI", 1, 0, 1, 16, 0, 0, rate << 16), esds)
    ftyp = _box(b"ftyp", b"M4A ", struct.pack(">I", 0), b"M4A mp42isom")

    def moov(offset: int) -> bytes:
        stbl = _box(
            b"stbl",
            _full(b"stsd", struct.pack(">I", 1), mp4a),
            _full(b"stts", struct.pack(">III", 1, n, 1024)),
            _full(b"stsc", struct.pack(">IIII", 1, 1, n, 1)),
            _full(b"stsz", struct.pack(">II", len(frame), n)),
            _full(b"stco", struct.pack(">II", 1, offset)),
        )
        dinf = _box(b"dinf", _full(b"dref", struct.pack(">I", 1), _full(b"url ", flags=1)))
        minf = _box(b"minf", _full(b"smhd", struct.pack(">I", 0)), dinf, stbl)
        mdhd = _full(b"mdhd", struct.pack(">IIIIHH", 0, 0, rate, n * 1024, 0x55C4, 0))
        hdlr = _full(b"hdlr", struct.pack(">I", 0), b"soun", b"\x00" * 12, b"VirtuBar\x00")
        tkhd = _full(b"tkhd", struct.pack(">IIIII", 0, 0, 1, 0, n * 1024), b"\x00" * 8,
                     struct.pack(">HHHH", 0, 0, 0x100, 0), _MATRIX, struct.pack(">II", 0, 0), flags=3)
        mvhd = _full(b"mvhd", struct.pack(">IIIIIH", 0, 0, rate, n * 1024, 0x10000, 0x100), b"\x00" * 10,
                     _MATRIX, b"\x00" * 24, struct.pack(">I", 2))
        return _box(b"moov", mvhd, _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf)))

    head = len(ftyp) + len(moov(0)) + 8
    return ftyp + moov(head) + _box(b"mdat", frame * n)
