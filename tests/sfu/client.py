"""An aiortc member of a voice room, speaking the SFU's signaling."""

from __future__ import annotations

import asyncio
import contextlib
import time

import websockets
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from sfu_node.aiortc_hooks import tap
from sfu_node.forwarding import Outlet
from virtubar.signaling import (
    IceCandidate,
    Publish,
    PublishedTrack,
    SessionDescription,
    SfuJoin,
    SfuJoined,
    TrackOwner,
    signaling_client_codec,
)


class VoiceClient:
    """Joins with a voice token, publishes ``track`` (if any), answers the
    SFU's offers and counts the RTP packets of each incoming track (mid).

    Codec-free mode (for load and for proving the SFU runs no codec):
    ``opus`` publishes these pre-encoded packets in a loop at ``level``
    (-dBov) every 20 ms, and ``raw`` keeps incoming packets undecoded
    (``payloads`` per mid, ``levels`` seen)."""

    def __init__(
        self,
        url: str,
        room_id: str,
        token: str,
        track=None,
        *,
        opus: list[bytes] | None = None,
        level: int = 30,
        raw: bool = False,
        trickle: bool = False,
        config: RTCConfiguration | None = None,
        camera=None,
    ) -> None:
        self.url, self.room_id, self.token, self.track = url, room_id, token, track
        self.opus, self.level, self.raw, self.trickle = opus, level, raw, trickle
        self.camera = camera
        self.unanswered = 0  # SFU offers to leave unanswered, as a client that lost them would
        self.payloads: dict[str, list[bytes]] = {}
        self.levels: set[int] = set()
        self._speaker: asyncio.Task | None = None
        self.spoke_at: float | None = None  # time.monotonic() of the first packet sent
        self.on_packet = None  # raw mode: called (mid, packet) instead of keeping payloads
        self.codec = signaling_client_codec()
        self.pc = RTCPeerConnection(config)
        self.owners: dict[str, str | None] = {}  # mid → userId
        self.sources: dict[str, str | None] = {}  # mid → mic | camera | screen
        self.packets: dict[str, int] = {}  # mid → RTP packets received
        self.last_packet_at: dict[str, float] = {}
        self.tracks: dict[str, object] = {}
        self.signals: list = []
        self.joined = asyncio.Event()
        self._ws = None
        self._reader: asyncio.Task | None = None
        self.pc.on("track", self._on_track)

    async def connect(self) -> None:
        self._ws = await websockets.connect(self.url)
        await self.send(SfuJoin(roomId=self.room_id, token=self.token))
        self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.joined.wait(), 5)
        if self.track is not None:
            self.pc.addTrack(self.track)
        elif self.opus:
            outlet = Outlet(self.pc.addTransceiver("audio", direction="sendonly"))
            self._speaker = asyncio.create_task(self._speak(outlet))
        else:
            self.pc.addTransceiver("audio", direction="recvonly")
        if self.camera is not None:
            self.pc.addTrack(self.camera)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp = self.pc.localDescription.sdp
        if not self.trickle:
            return await self.send(SessionDescription(type="offer", sdp=sdp))
        # as browsers do: the offer without candidates, then each candidate alone
        lines = sdp.split("\r\n")
        candidates = dict.fromkeys(line[2:] for line in lines if line.startswith("a=candidate:"))
        bare = "\r\n".join(line for line in lines if not line.startswith(("a=candidate:", "a=end-of-candidates")))
        await self.send(SessionDescription(type="offer", sdp=bare))
        for candidate in candidates:
            await self.send(IceCandidate(candidate=candidate, sdpMid="0", sdpMLineIndex=0))
        await self.send(IceCandidate(candidate="", sdpMid="0", sdpMLineIndex=0))

    async def share_screen(self, track) -> None:
        """Start sharing ``track`` mid-session: say its mid is the screen, then offer it."""
        transceiver = self.pc.addTransceiver(track, direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self.send(Publish(tracks=[PublishedTrack(mid=transceiver.mid, source="screen")]))
        await self.send(SessionDescription(type="offer", sdp=self.pc.localDescription.sdp))

    async def _speak(self, outlet: Outlet) -> None:
        start, i = time.monotonic(), 0
        self.spoke_at = start
        while True:
            outlet.feed(self.opus[i % len(self.opus)], i * 960, self.level, time.perf_counter())
            i += 1
            await asyncio.sleep(max(0.0, start + i * 0.02 - time.monotonic()))

    async def send(self, event) -> None:
        await self._ws.send(self.codec.encode(event).decode())

    async def _read(self) -> None:
        async for raw in self._ws:
            signal = self.codec.decode(raw).payload
            self.signals.append(signal)
            if isinstance(signal, SfuJoined):
                self.joined.set()
            elif isinstance(signal, SessionDescription) and signal.type == "answer":
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=signal.sdp, type="answer"))
            elif isinstance(signal, SessionDescription) and self.unanswered:
                self.unanswered -= 1
            elif isinstance(signal, SessionDescription):
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=signal.sdp, type="offer"))
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                await self.send(SessionDescription(type="answer", sdp=self.pc.localDescription.sdp))
            elif isinstance(signal, TrackOwner):
                self.owners[signal.mid] = signal.userId
                self.sources[signal.mid] = signal.source

    def _on_track(self, track) -> None:
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        mid = transceiver.mid
        self.tracks[mid] = track
        self.packets[mid] = 0
        receiver = transceiver.receiver
        if self.raw:
            self.payloads[mid] = []

            def keep(packet, arrival: float) -> None:
                self.packets[mid] += 1
                self.last_packet_at[mid] = time.monotonic()
                if self.on_packet is not None:
                    return self.on_packet(mid, packet)
                self.payloads[mid].append(packet.payload)
                if packet.extensions.audio_level is not None:
                    self.levels.add(packet.extensions.audio_level[1])

            return tap(receiver, keep, mime_type="audio/opus" if track.kind == "audio" else "video/vp8")
        original = receiver._handle_rtp_packet

        async def counting(packet, arrival_time_ms):
            self.packets[mid] += 1
            self.last_packet_at[mid] = time.monotonic()
            await original(packet, arrival_time_ms=arrival_time_ms)

        receiver._handle_rtp_packet = counting

    def mids_of(self, user_id: str) -> list[str]:
        return [mid for mid, owner in self.owners.items() if owner == user_id]

    def received_from(self, user_id: str) -> int:
        return sum(self.packets.get(mid, 0) for mid in self.mids_of(user_id))

    async def close(self) -> None:
        if self._speaker is not None:
            self._speaker.cancel()
        with contextlib.suppress(Exception):
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        await self.pc.close()
