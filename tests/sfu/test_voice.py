"""The must-show: two aiortc members in a room; B hears A's tone while near,
stops within a second of walking out of range, and hears it again on return."""

import asyncio
import time
from array import array

from tests.sfu.client import VoiceClient
from tests.sfu.media import CameraTrack, ToneTrack, first_channel, frequency
from virtubar.world import default_world


async def until(predicate, timeout: float = 10.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(step)


async def test_b_hears_a_tone_near_stops_out_of_range_and_resumes(sfu):
    room = sfu.node.room("room-1")
    room.move("ann", 3, 3)
    room.move("bob", 5, 3)  # 2 m apart; the bar hears 6 m
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), track=ToneTrack(440))
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"))
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: bob.mids_of("ann") and bob.received_from("ann") > 25)
        track = bob.tracks[bob.mids_of("ann")[0]]
        samples = array("h")
        while len(samples) < 2 * 48_000:  # two seconds of B's decoded audio
            samples += first_channel(await asyncio.wait_for(track.recv(), 5))
        halves = sorted(frequency(samples[i : i + 24_000]) for i in range(9_600, len(samples) - 23_999, 24_000))
        assert abs(halves[len(halves) // 2] - 440) < 5  # median of half seconds: a lost packet's glitch is outvoted

        room.move("bob", 16, 11)  # 15.6 m away
        moved = time.monotonic()
        await asyncio.sleep(1.0)
        stopped = bob.received_from("ann") if bob.mids_of("ann") else sum(bob.packets.values())
        await asyncio.sleep(0.5)
        assert sum(bob.packets.values()) == stopped or not bob.mids_of("ann")
        assert max(bob.last_packet_at.values()) < moved + 1.0
        assert not bob.mids_of("ann")  # the SFU said the track is idle now

        room.move("bob", 4, 4)
        back = sum(bob.packets.values())
        await until(lambda: sum(bob.packets.values()) > back + 10, timeout=3)
        assert bob.mids_of("ann")
        assert not ann.mids_of("bob")  # bob publishes nothing
    finally:
        await asyncio.gather(ann.close(), bob.close())


async def test_b_sees_the_camera_of_a_colleague_nearby_from_a_relayed_key_frame(sfu):
    sfu.node.world_of = lambda room_id: default_world("office")  # open floor: cameras within the 4 m radius
    room = sfu.node.room("room-1")
    room.move("ann", 15, 12)
    room.move("bob", 17, 12)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), track=ToneTrack(440), camera=CameraTrack())
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"))
    try:
        await ann.connect()
        await until(lambda: ("ann", "camera") in room.videos and room.videos["ann", "camera"][1] is not None)
        await asyncio.sleep(1.0)  # ann's first key frame has gone by, unseen
        await bob.connect()
        await until(lambda: any(bob.tracks[m].kind == "video" for m in bob.mids_of("ann") if m in bob.tracks))
        video_mid = next(m for m in bob.mids_of("ann") if bob.tracks[m].kind == "video")
        video = bob.tracks[video_mid]
        frame = await asyncio.wait_for(video.recv(), 10)
        assert (frame.width, frame.height) == (320, 240)  # decoded on bob's side
        assert bob.sources[video_mid] == "camera"
        assert ("ann", "camera") in room._keyframe_asked  # bob's picture started from a key frame the SFU asked ann for
        for receiver in room.peers["ann"].published:  # the SFU took ann's packets before any decoder
            assert receiver._RTCRtpReceiver__decoder_queue.empty()

        room.move("bob", 28, 12)  # out of range: no voice, no picture
        await until(lambda: not bob.mids_of("ann"), timeout=2)
    finally:
        await asyncio.gather(ann.close(), bob.close())
