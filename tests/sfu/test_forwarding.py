"""Forwarding without transcoding: payloads pass byte for byte, no codec is
ever built, only the loudest N reach a listener (the aiortc hooks it stands
on are pinned in ``test_aiortc_hooks.py``)."""

import asyncio
from types import SimpleNamespace

import pytest
from aiortc.codecs.base import Decoder, Encoder

from tests.sfu.client import VoiceClient
from tests.sfu.media import encode_opus
from tests.sfu.test_voice import until
from virtubar.world import default_world

LEVELS = {"s1": 60, "s2": 10, "s3": 90, "s4": 25, "s5": 40, "s6": 5}  # -dBov, 0 loudest


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


@pytest.fixture
def codec_instances(monkeypatch):
    """Every aiortc encoder and decoder built in this process (clients too)."""
    built: list[str] = []
    for cls in {*subclasses(Encoder), *subclasses(Decoder)}:
        original = cls.__init__

        def counting(self, *args, _original=original, **kwargs):
            built.append(type(self).__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    return built


@pytest.fixture(scope="module")
def opus():
    return encode_opus(440, 50)


async def test_six_speakers_listener_gets_the_three_loudest_verbatim_with_no_codec(sfu, opus, codec_instances):
    room = sfu.node.room("room-1")
    room.move("lis", 10, 7)
    speakers = [
        VoiceClient(sfu.url, "room-1", sfu.voice_token(sid), opus=opus, level=level, raw=True)
        for sid, level in LEVELS.items()
    ]
    for i, sid in enumerate(LEVELS):
        room.move(sid, 8 + i * 0.5, 8)
    listener = VoiceClient(sfu.url, "room-1", sfu.voice_token("lis"), raw=True)
    try:
        await asyncio.gather(*(s.connect() for s in speakers))
        await listener.connect()
        loudest = {"s6", "s2", "s4"}
        await until(
            lambda: (
                {o for o in listener.owners.values() if o} == loudest
                and all(listener.received_from(s) > 20 for s in loudest)
            ),
            timeout=15,
        )
        assert len(listener.owners) == 3  # N = 3 outlets, no more
        assert listener.levels <= {LEVELS[s] for s in loudest}  # audio level forwarded as sent
        known = set(opus)
        for sid in loudest:
            for mid in listener.mids_of(sid):
                assert set(listener.payloads[mid]) <= known  # byte for byte, never re-encoded
        # s6 falls silent (e.g. a muted mic): s5, the next loudest, takes its place
        speakers[5].level = 127
        await until(lambda: {o for o in listener.owners.values() if o} == {"s2", "s4", "s5"}, timeout=5)
    finally:
        await asyncio.gather(listener.close(), *(s.close() for s in speakers))
    assert codec_instances == []
    for peer in room.peers.values():
        for receiver in peer.published:
            assert receiver._RTCRtpReceiver__decoder_queue.empty()


async def test_moderator_mute_stops_forwarding_at_once(sfu, opus):
    room = sfu.node.room("room-1")
    room.move("ann", 3, 3)
    room.move("bob", 4, 3)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=opus)
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: bob.received_from("ann") > 10)
        room.mute("ann")
        assert not any(o.carries for o in room.peers["bob"].outlets)  # no outlet carries ann any more
        await until(lambda: not bob.mids_of("ann"), timeout=2)
        room.mute("ann", False)
        room.block("bob", "ann")
        assert not any(o.carries for o in room.peers["bob"].outlets)
    finally:
        await asyncio.gather(ann.close(), bob.close())


def test_the_codec_count_sees_codecs_when_they_are_built(codec_instances):
    from aiortc.codecs import get_decoder, get_encoder
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    opus_codec = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=96)
    get_encoder(opus_codec), get_decoder(opus_codec)
    assert codec_instances == ["OpusEncoder", "OpusDecoder"]


def test_a_video_outlet_waiting_for_a_key_frame_asks_for_one_at_each_packet():
    from sfu_node.forwarding import Outlet

    asked = []
    sender = SimpleNamespace(replaceTrack=lambda track: None)
    outlet = Outlet(SimpleNamespace(kind="video", sender=sender), asked.append)
    outlet._wire = (None, 96, 1, [])  # connected (no packet goes out in this test)
    outlet.assign(("ann", "camera"))
    delta = bytes([0x10, 0x9D, 0x01])  # a partition start, P bit 1: not a key frame
    assert not outlet.feed(delta, 0, None, 0.0) and not outlet.feed(delta, 3000, None, 0.03)
    assert asked == [("ann", "camera")] * 2  # the room rate-limits the PLIs


async def test_a_listener_outside_a_meeting_room_receives_nothing_from_inside(sfu, opus):
    sfu.node.world_of = lambda room_id: default_world("office")
    room = sfu.node.room("room-1")
    room.move("ann", 5, 5)  # in meeting room A
    room.move("cat", 6, 5)  # with ann
    room.move("bob", 10.5, 5)  # on the open floor, 1.5 m from ann through the wall
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=opus, raw=True)
    cat = VoiceClient(sfu.url, "room-1", sfu.voice_token("cat"), raw=True)
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    try:
        await asyncio.gather(ann.connect(), cat.connect(), bob.connect())
        await until(lambda: cat.received_from("ann") > 50)  # a second of ann's voice inside the room
        assert sum(bob.packets.values()) == 0 and not bob.owners
        room.move("bob", 8, 5)  # bob walks in
        await until(lambda: bob.received_from("ann") > 10, timeout=5)
    finally:
        await asyncio.gather(ann.close(), cat.close(), bob.close())
