"""One member's connection to the SFU: its microphone (and camera or
screen) in, its outlets out, and the offer/answer exchanges that add outlets
as more feeds reach the member. Signals go out through ``post`` (the
session's outbox)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.codecs import CODECS as AIORTC_CODECS
from aiortc.codecs import HEADER_EXTENSIONS
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.sdp import SessionDescription as ParsedSdp
from aiortc.sdp import candidate_from_sdp

from sfu_node.forwarding import Outlet
from virtubar.signaling import IceCandidate, PublishedTrack, SessionDescription, Source, TrackOwner
from virtubar.wire import Event

ANSWER_TIMEOUT_S = 10.0
CODECS = {  # what outlets send: the payloads as the speakers sent them
    kind: [c for c in RTCRtpSender.getCapabilities(kind).codecs if c.mimeType.lower() == mime]
    for kind, mime in (("audio", "audio/opus"), ("video", "video/vp8"))
}


@contextmanager
def _numbering_kept(pc: RTCPeerConnection) -> Iterator[None]:
    """Around ``pc.createOffer()``: aiortc renumbers every transceiver's
    payload types and header extensions to its defaults in a re-offer, which
    browsers refuse ("RTP extension ID reassignment not supported"). Offer
    what was negotiated instead, and give new extensions ids unused in the
    bundle. createOffer does not await, so swapping aiortc's defaults for
    the call is seen by no other peer."""
    negotiated = [t for t in pc.getTransceivers() if t.mid is not None and t._codecs]
    ids: dict[str, int] = {}
    for transceiver in negotiated:
        for ext in transceiver._headerExtensions:
            ids.setdefault(ext.uri, ext.id)
    saved = {kind: (AIORTC_CODECS[kind][:], HEADER_EXTENSIONS[kind][:]) for kind in ("audio", "video")}
    for kind, (_, extensions) in saved.items():
        for ext in extensions:
            if ext.uri not in ids:
                ids[ext.uri] = min(set(range(1, 15)) - set(ids.values()))
        HEADER_EXTENSIONS[kind][:] = [RTCRtpHeaderExtensionParameters(id=ids[e.uri], uri=e.uri) for e in extensions]
        codecs = next((t._codecs for t in negotiated if t.kind == kind), None)
        if codecs:
            AIORTC_CODECS[kind][:] = codecs
    try:
        yield
    finally:
        for kind, (codecs, extensions) in saved.items():
            AIORTC_CODECS[kind][:], HEADER_EXTENSIONS[kind][:] = codecs, extensions


class SignalError(Exception):
    """A signal this peer cannot act on now; ``code`` is stable for clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Peer:
    def __init__(
        self,
        user_id: str,
        pc: RTCPeerConnection,
        post: Callable[[Event], None],
    ) -> None:
        self.user_id = user_id
        self.pc = pc
        self.post = post
        self.outlets: list[Outlet] = []
        self.waiting = True  # chosen feeds wait for outlets (or none were chosen yet)
        self.published: list = []  # receivers of this member's tracks
        self.sources: dict[str, Source] = {}  # sending mid → what the member said it carries
        self.sending: set[Source] = set()  # what its latest offer sends
        self.on_keyframe_request: Callable[[str], None] | None = None  # the room's, for video outlets
        self._lock = asyncio.Lock()
        self._answer: asyncio.Future[str] | None = None
        self._growing: asyncio.Task | None = None
        self._mids: dict[Outlet, str] = {}
        self._arrived: list = []  # tracks the member started sending
        pc.on("track", self._arrived.append)

    @property
    def negotiated(self) -> bool:
        return self.pc.remoteDescription is not None and self.pc.signalingState == "stable"

    def declare(self, tracks: list[PublishedTrack]) -> None:
        """The member's ``publish``: which of its sending mids carry what."""
        mids = [t.mid for t in tracks]
        if len(set(mids)) != len(mids):
            raise SignalError("bad_publish", "name each mid once")
        self.sources.update((t.mid, t.source) for t in tracks)

    def _sending(self, sdp: str) -> dict[str, Source]:
        """What each sending m-section of an offer carries (a video mid not
        named is the camera), checked before any of it is applied."""
        try:
            media = ParsedSdp.parse(sdp).media
        except ValueError as e:
            raise SignalError("bad_sdp", f"the offer could not be used: {e}") from e
        sending: dict[str, Source] = {}
        for m in media:
            mid = m.rtp.muxId
            if m.kind not in ("audio", "video") or m.direction not in ("sendrecv", "sendonly") or not mid:
                continue
            source = self.sources.get(mid) or ("mic" if m.kind == "audio" else "camera")
            if (source == "mic") != (m.kind == "audio"):
                raise SignalError("bad_publish", f"mid {mid} sends {m.kind}: it cannot be the {source}")
            sending[mid] = source
        video = [s for s in sending.values() if s != "mic"]
        if len(video) != len(set(video)):
            raise SignalError("bad_publish", "send at most one camera and one screen")
        return sending

    async def offer_received(self, sdp: str) -> list[tuple[object, Source]]:
        """Answer the member's offer; returns its new tracks (receiver, source)."""
        if self._answer is not None:
            raise SignalError("glare", "the SFU is waiting for your answer to its offer: answer first")
        sending = self._sending(sdp)
        async with self._lock:
            self._arrived.clear()
            try:
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            except ValueError as e:
                raise SignalError("bad_sdp", f"the offer could not be used: {e}") from e
            self.sending = set(sending.values())
            answer = await self.pc.createAnswer()
            await self.pc.setLocalDescription(answer)
            self.post(SessionDescription(type="answer", sdp=self.pc.localDescription.sdp))
            fresh = [
                (t.receiver, sending.get(t.mid) or ("mic" if t.kind == "audio" else "camera"))
                for t in self.pc.getTransceivers()
                if t.receiver.track in self._arrived
            ]
            self.published += [receiver for receiver, _ in fresh]
            return fresh

    def answer_received(self, sdp: str) -> None:
        if self._answer is None or self._answer.done():
            raise SignalError("unexpected_answer", "no offer from the SFU is waiting for an answer")
        self._answer.set_result(sdp)

    async def candidate_received(self, signal: IceCandidate) -> None:
        if not signal.candidate:
            return  # end of candidates: aiortc needs no marker
        try:
            candidate = candidate_from_sdp(signal.candidate.removeprefix("candidate:"))
        except (AssertionError, ValueError, IndexError) as e:  # aiortc asserts the field count
            raise SignalError("bad_candidate", f"the ICE candidate could not be read: {signal.candidate!r}") from e
        if self.pc.remoteDescription is None:
            raise SignalError("offer_first", "send your offer before your ICE candidates")
        candidate.sdpMid, candidate.sdpMLineIndex = signal.sdpMid, signal.sdpMLineIndex
        await self.pc.addIceCandidate(candidate)

    def show(self, audio: list[tuple[str, str]], video: list[tuple[str, str]]) -> list[Outlet]:
        """Feed the outlets of each kind from the chosen feeds (user,
        source), keeping the feeds an outlet already carries; post
        ``track_owner`` for every outlet that changed and return those
        outlets. Feeds without a free outlet wait for more to be negotiated."""
        changed: list[Outlet] = []
        missing: dict[str, int] = {}
        for kind, chosen in (("audio", audio), ("video", video)):
            outlets = [o for o in self.outlets if o.kind == kind]
            keep = set(chosen)
            changed += [o for o in outlets if o.carries not in keep and o.assign(None)]
            carried = {o.carries for o in outlets}
            free = [o for o in outlets if o.carries is None]
            waiting = [sid for sid in chosen if sid not in carried]
            for outlet, sid in zip(free, waiting, strict=False):  # more outlets than speakers, or fewer
                outlet.assign(sid)
                changed.append(outlet)
            if len(waiting) > len(free):
                missing[kind] = len(waiting) - len(free)
        self.waiting = bool(missing)
        changed = list(dict.fromkeys(changed))
        for outlet in changed:
            user, source = outlet.carries or (None, None)
            self.post(TrackOwner(mid=self._mids[outlet], kind=outlet.kind, userId=user, source=source))
        if missing and self.negotiated and (self._growing is None or self._growing.done()):
            self._growing = asyncio.ensure_future(self._add_outlets(missing))
        return changed

    async def _add_outlets(self, counts: dict[str, int]) -> None:
        """Add outlets (``{kind: count}``) and offer them to the member."""
        async with self._lock:
            added = []
            for kind, count in counts.items():
                for _ in range(count):
                    transceiver = self.pc.addTransceiver(kind, direction="sendonly")
                    transceiver.setCodecPreferences(CODECS[kind])
                    added.append((transceiver, Outlet(transceiver, self.on_keyframe_request)))
            with _numbering_kept(self.pc):
                offer = await self.pc.createOffer()
            await self.pc.setLocalDescription(offer)
            self._answer = asyncio.get_running_loop().create_future()
            self.post(SessionDescription(type="offer", sdp=self.pc.localDescription.sdp))
            try:
                sdp = await asyncio.wait_for(self._answer, ANSWER_TIMEOUT_S)
            finally:
                self._answer = None
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
            for transceiver, outlet in added:
                self._mids[outlet] = transceiver.mid
                self.outlets.append(outlet)

    async def close(self) -> None:
        if self._growing is not None:
            self._growing.cancel()
        await self.pc.close()
