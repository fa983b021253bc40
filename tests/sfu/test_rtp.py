"""RTP as bytes, without sockets: the header an outlet writes, VP8 key frame
starts, and RFC 8285 header extension blocks a receiver can read back
(checked against aiortc's own parser, the one a subscriber runs)."""

import pytest
from aiortc.rtp import RtpPacket, unpack_header_extensions

from sfu_node import rtp


def elements(block: bytes) -> list[tuple[int, bytes]]:
    profile, words = int.from_bytes(block[:2], "big"), int.from_bytes(block[2:4], "big")
    assert len(block) == 4 + 4 * words  # padded to 32-bit words
    return unpack_header_extensions(profile, block[4:])


def test_vp8_key_frame_starts_are_recognised():
    # X=1, S=1, PID=0 | I=1 (15-bit picture id) | picture id | VP8 header, P bit 0 (key) / 1 (delta)
    assert rtp.vp8_keyframe_start(bytes([0x90, 0x80, 0x81, 0x23, 0x10, 0x02]))
    assert not rtp.vp8_keyframe_start(bytes([0x90, 0x80, 0x81, 0x23, 0x11, 0x02]))
    assert rtp.vp8_keyframe_start(bytes([0x10, 0x9C, 0x01]))  # no extension
    assert not rtp.vp8_keyframe_start(bytes([0x00, 0x9C, 0x01]))  # not a partition start
    assert not rtp.vp8_keyframe_start(bytes([0x11, 0x9C, 0x01]))  # partition 1
    assert not rtp.vp8_keyframe_start(b"\x90")


def test_short_elements_use_the_one_byte_form():
    block = rtp.extension_block([(2, bytes([33])), (1, b"0")])
    assert block[:2] == b"\xbe\xde"
    assert elements(block) == [(2, bytes([33])), (1, b"0")]


def test_a_mid_longer_than_16_bytes_or_an_id_above_14_needs_the_two_byte_form():
    long_mid = b"a-browser-mid-of-20b"
    block = rtp.extension_block([(1, bytes([5])), (4, long_mid)])
    assert block[:2] == b"\x10\x00" and elements(block) == [(1, bytes([5])), (4, long_mid)]
    assert elements(rtp.extension_block([(15, b"0")])) == [(15, b"0")]
    with pytest.raises(ValueError, match="id of 1-255"):
        rtp.extension_block([(1, bytes(256))])


def test_an_outlet_has_one_block_per_audio_level_with_its_mid():
    blocks = rtp.level_blocks(4, b"3", 1)
    assert len(blocks) == rtp.LEVELS
    assert elements(blocks[33]) == [(1, bytes([33])), (4, b"3")]
    assert elements(rtp.level_blocks(None, b"3", None)[0]) == []  # nothing negotiated: an empty block
    assert elements(rtp.level_blocks(4, b"", 1)[127]) == [(1, bytes([127]))]  # no mid yet: the level alone


def test_a_header_written_as_the_outlet_writes_it_parses_as_sent():
    header = rtp.HEADER.pack(rtp.FIRST_BYTE, 111 | 0x80, 65535, 4_000_000_000, 0xCAFE)
    data = header + rtp.level_blocks(4, b"3", 1)[20] + b"opus"
    packet = RtpPacket.parse(data)
    assert (packet.payload_type, packet.marker, packet.sequence_number) == (111, 1, 65535)
    assert (packet.timestamp, packet.ssrc, packet.payload) == (4_000_000_000, 0xCAFE, b"opus")
    assert (rtp.sequence_number(data), rtp.timestamp(data)) == (65535, 4_000_000_000)
    assert rtp.is_rtp(data)
