"""RTP as bytes (RFC 3550, RFC 7741 VP8, RFC 8285 header extensions): what
the forwarding path reads and writes without building packet objects. Pure:
no sockets, no aiortc."""

from __future__ import annotations

import struct

HEADER = struct.Struct("!BBHII")  # V=2, X=1 | M, PT | sequence | timestamp | SSRC
FIRST_BYTE = 0x90  # version 2, a header extension follows, no padding, no CSRC
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
LEVELS = 128  # RFC 6464 audio levels, -dBov 0 (loudest) to 127 (silence)


def is_rtp(data: bytes) -> bool:
    """RTP, not RTCP (RFC 7983 first byte 128-191; RFC 5761 RTCP types 192-223)."""
    return 127 < data[0] < 192 and len(data) > 1 and not 191 < data[1] < 224


def sequence_number(data: bytes) -> int:
    return int.from_bytes(data[2:4], "big")


def timestamp(data: bytes) -> int:
    return int.from_bytes(data[4:8], "big")


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


def extension_block(elements: list[tuple[int, bytes]]) -> bytes:
    """The header extension block (RFC 8285) holding ``elements`` (id,
    value): the one-byte form when every id is 1-14 and every value 1-16
    bytes long, else the two-byte form (a long mid, a high id). Padded to
    32-bit words. Empty values are left out: the one-byte form cannot carry
    them and nothing here needs one."""
    elements = [(i, v) for i, v in elements if v]
    if all(0 < i < 15 and len(v) <= 16 for i, v in elements):
        profile, body = 0xBEDE, b"".join(bytes(((i << 4) | (len(v) - 1),)) + v for i, v in elements)
    else:
        if any(not 0 < i < 256 or len(v) > 255 for i, v in elements):
            raise ValueError("a header extension needs an id of 1-255 and at most 255 bytes")
        profile, body = 0x1000, b"".join(bytes((i, len(v))) + v for i, v in elements)
    body += b"\0" * (-len(body) % 4)
    return struct.pack("!HH", profile, len(body) // 4) + body


def level_blocks(mid_id: int | None, mid: bytes, level_id: int | None) -> list[bytes]:
    """One extension block per audio level (index = -dBov): the outlet's mid
    and the level, built once per outlet so sending a packet only picks one."""
    blocks = []
    for level in range(LEVELS):
        elements = [(level_id, bytes((level,)))] if level_id is not None else []
        if mid_id is not None:
            elements.append((mid_id, mid))
        blocks.append(extension_block(elements))
    return blocks
