"""Video by the world's rules, over the network with aiortc members: a
screen share reaches the sharer's meeting room and nobody outside it; a
focus room is a grid, where a member at the far end still gets a camera;
``track_owner`` names the source; a viewer's NACK is answered and its PLI
reaches the publisher."""

import asyncio

import pylibsrtp

from tests.sfu.client import VoiceClient
from tests.sfu.media import CameraTrack, encode_opus
from tests.sfu.test_voice import until
from virtubar.signaling import Publish, PublishedTrack, SessionDescription
from virtubar.wire import Error
from virtubar.world import default_world


class Losing:
    """A viewer's SRTP in, losing one packet of ``ssrc`` on the way (before
    decryption, so its resending is not a replay)."""

    def __init__(self, srtp, ssrc: int) -> None:
        self.srtp, self.ssrc, self.lost = srtp, ssrc, None

    def unprotect_rtcp(self, data: bytes) -> bytes:
        return self.srtp.unprotect_rtcp(data)

    def unprotect(self, data: bytes) -> bytes:
        if self.lost is None and int.from_bytes(data[8:12], "big") == self.ssrc:
            self.lost = int.from_bytes(data[2:4], "big")
            raise pylibsrtp.Error("lost on the way")
        return self.srtp.unprotect(data)


def video_mids(client: VoiceClient, user: str, source: str) -> list[str]:
    return [m for m in client.mids_of(user) if client.sources.get(m) == source]


def focus_room(sfu, x: float, z: float) -> tuple[VoiceClient, VoiceClient]:
    """Ann, talking with her camera on at (1, 1), and Dan listening at (x, z),
    in a focus room: audio "none", a grid of cameras."""
    sfu.node.world_of = lambda room_id: default_world("focus")
    room = sfu.node.room("room-1")
    room.move("ann", 1, 1)
    room.move("dan", x, z)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10), camera=CameraTrack())
    return ann, VoiceClient(sfu.url, "room-1", sfu.voice_token("dan"), raw=True)


async def test_a_screen_share_reaches_the_meeting_room_and_not_the_colleague_outside(sfu):
    sfu.node.world_of = lambda room_id: default_world("office")
    room = sfu.node.room("room-1")
    room.move("ann", 9.5, 5)  # meeting room A, by its east wall
    room.move("cat", 2, 2)  # across the meeting room: 8 m away, twice the hearing radius
    room.move("bob", 10.5, 5)  # the open floor, 1 m from ann through the wall
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10))
    cat = VoiceClient(sfu.url, "room-1", sfu.voice_token("cat"), raw=True)
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    try:
        await asyncio.gather(ann.connect(), cat.connect(), bob.connect())
        await until(lambda: cat.received_from("ann") > 10)  # talking first, then sharing
        await ann.share_screen(CameraTrack())
        await until(lambda: video_mids(cat, "ann", "screen") and cat.received_from("ann") > 100, timeout=15)
        (mid,) = video_mids(cat, "ann", "screen")
        assert cat.packets[mid] > 0  # the screen's packets, not only its announcement
        assert [cat.sources[m] for m in cat.mids_of("ann") if m != mid] == ["mic"]
        assert sum(bob.packets.values()) == 0 and not bob.mids_of("ann")
        assert not [s for s in ann.signals if isinstance(s, Error)]
    finally:
        await asyncio.gather(ann.close(), cat.close(), bob.close())


async def test_in_a_focus_room_the_far_end_gets_the_camera_and_no_voice(sfu):
    ann, dan = focus_room(sfu, 15, 11)  # dan 18.6 m away; the focus room's hearing radius is 3 m
    try:
        await asyncio.gather(ann.connect(), dan.connect())
        await until(lambda: video_mids(dan, "ann", "camera") and dan.received_from("ann") > 30, timeout=15)
        assert dan.mids_of("ann") == video_mids(dan, "ann", "camera")  # the picture, not the voice
        assert all(dan.sources[m] != "mic" for m in dan.owners)
    finally:
        await asyncio.gather(ann.close(), dan.close())


async def test_a_publish_that_contradicts_the_offer_is_refused_and_changes_nothing(sfu):
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10))
    try:
        await ann.connect()
        await until(lambda: ann.pc.remoteDescription is not None)
        await ann.send(
            Publish(tracks=[PublishedTrack(mid="v", source="screen"), PublishedTrack(mid="v", source="camera")])
        )
        await until(lambda: any(isinstance(s, Error) for s in ann.signals))
        (error,) = [s for s in ann.signals if isinstance(s, Error)]
        assert error.code == "bad_publish"
        assert sfu.node.room("room-1").peers["ann"].sources == {}
        # the mic's mid named as a screen: the next offer is refused before it is applied
        (audio,) = ann.pc.getTransceivers()
        await ann.send(Publish(tracks=[PublishedTrack(mid=audio.mid, source="screen")]))
        await ann.send(SessionDescription(type="offer", sdp=ann.pc.localDescription.sdp))
        await until(lambda: len([s for s in ann.signals if isinstance(s, Error)]) == 2)
        assert ann.signals[-1].code == "bad_publish" and "audio" in ann.signals[-1].message
        assert len(sfu.node.room("room-1").peers["ann"].published) == 1
    finally:
        await ann.close()


async def test_a_viewers_nack_is_answered_from_the_buffer_and_its_pli_reaches_the_camera(sfu):
    ann, dan = focus_room(sfu, 3, 3)
    seen: list[tuple[int, int]] = []
    try:
        await asyncio.gather(ann.connect(), dan.connect())
        await until(lambda: video_mids(dan, "ann", "camera"))
        (mid,) = video_mids(dan, "ann", "camera")
        dan.on_packet = lambda m, packet: m == mid and seen.append((packet.ssrc, packet.sequence_number))
        await until(lambda: len(seen) > 5)
        ssrc = seen[0][0]
        receiver = next(t.receiver for t in dan.pc.getTransceivers() if t.mid == mid)
        losing = receiver.transport._rx_srtp = Losing(receiver.transport._rx_srtp, ssrc)
        await until(lambda: losing.lost is not None and len(seen) > 10)
        assert (ssrc, losing.lost) not in seen
        await receiver._send_rtcp_nack(ssrc, [losing.lost])
        await until(lambda: (ssrc, losing.lost) in seen, timeout=3)  # sent again from the SFU's buffer

        keyframes = []
        (sender,) = [t.sender for t in ann.pc.getTransceivers() if t.sender.track is ann.camera]
        sender._send_keyframe = lambda: keyframes.append(1)
        await asyncio.sleep(0.4)  # past the SFU's gap between key frame requests
        await receiver._send_rtcp_pli(ssrc)
        await until(lambda: keyframes, timeout=3)
    finally:
        await asyncio.gather(ann.close(), dan.close())


async def test_a_camera_switched_off_frees_the_viewers_tile_at_once(sfu):
    ann, dan = focus_room(sfu, 15, 11)
    try:
        await asyncio.gather(ann.connect(), dan.connect())
        await until(lambda: video_mids(dan, "ann", "camera"), timeout=15)
        (mid,) = video_mids(dan, "ann", "camera")
        (camera,) = [t for t in ann.pc.getTransceivers() if t.kind == "video"]
        camera.direction = "inactive"  # as a browser offers a camera it stopped
        await ann.pc.setLocalDescription(await ann.pc.createOffer())
        await ann.send(SessionDescription(type="offer", sdp=ann.pc.localDescription.sdp))
        await until(lambda: dan.owners.get(mid) is None, timeout=5)
        assert not [s for s in ann.signals if isinstance(s, Error)]
    finally:
        await asyncio.gather(ann.close(), dan.close())
