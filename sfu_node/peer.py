"""One member's connection to the SFU: its microphone (and camera or
screen) in, its outlets out, and the offer/answer exchanges that add outlets
as more feeds reach the member. Signals go out through ``post`` (the
session's outbox)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.sdp import SessionDescription as ParsedSdp
from aiortc.sdp import candidate_from_sdp

from sfu_node import aiortc_hooks
from sfu_node.forwarding import Outlet
from sfu_node.selection import Feed
from sfu_node.tasks import spawn
from virtubar.signaling import (
    ANSWER_TIMEOUT,
    OUTLETS_FAILED,
    IceCandidate,
    PublishedTrack,
    SessionDescription,
    Source,
    TrackOwner,
)
from virtubar.wire import Error, Event

ANSWER_TIMEOUT_S = 10.0
ANSWER_TRIES = 3  # offers of the same new outlets before the SFU gives up
RETRY_PAUSE_S = 1.0  # before the second offer; doubles before each further one
CODECS = {  # what outlets send: the payloads as the speakers sent them
    kind: [c for c in RTCRtpSender.getCapabilities(kind).codecs if c.mimeType.lower() == mime]
    for kind, mime in (("audio", "audio/opus"), ("video", "video/vp8"))
}
log = logging.getLogger(__name__)


def _default_source(kind: str) -> Source:
    """What a sending track the member did not name carries."""
    return "mic" if kind == "audio" else "camera"


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
        self.room_id: str | None = None  # set when a room admits it (for the log)
        self.pc = pc
        self.post = post
        self.outlets: list[Outlet] = []
        self.waiting = True  # chosen feeds wait for outlets (or none were chosen yet)
        self.published: list = []  # receivers of this member's tracks
        self.sources: dict[str, Source] = {}  # sending mid → what the member said it carries
        self.sending: set[Source] = set()  # what its latest offer sends
        self.on_keyframe_request: Callable[[Feed], object] | None = None  # the room's, for video outlets
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
            source = self.sources.get(mid) or _default_source(m.kind)
            if (source == "mic") != (m.kind == "audio"):
                raise SignalError("bad_publish", f"mid {mid} sends {m.kind}: it cannot be the {source}")
            sending[mid] = source
        video = [s for s in sending.values() if s != "mic"]
        if len(video) != len(set(video)):
            raise SignalError("bad_publish", "send at most one camera and one screen")
        return sending

    async def offer_received(self, sdp: str) -> list[tuple[RTCRtpReceiver, Source]]:
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
            fresh: list[tuple[RTCRtpReceiver, Source]] = [
                (t.receiver, (sending.get(t.mid) if t.mid else None) or _default_source(t.kind))
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

    def show(self, audio: list[Feed], video: list[Feed]) -> list[Outlet]:
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
            self._growing = spawn(self._add_outlets(missing), "adding outlets", room=self.room_id, member=self.user_id)
        return changed

    async def _add_outlets(self, counts: dict[str, int]) -> None:
        """Add outlets (``{kind: count}``) and offer them to the member; the
        member is told if they could not be added."""
        async with self._lock:
            added = []
            for kind, count in counts.items():
                for _ in range(count):
                    transceiver = self.pc.addTransceiver(kind, direction="sendonly")
                    transceiver.setCodecPreferences(CODECS[kind])
                    added.append((transceiver, Outlet(transceiver, self.on_keyframe_request, self.user_id)))
            try:
                await self.pc.setLocalDescription(await aiortc_hooks.offer_as_negotiated(self.pc))
                sdp = await self._answered(self.pc.localDescription.sdp)
                if sdp is None:
                    return
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
            except Exception:
                self.post(Error(code=OUTLETS_FAILED, message="the SFU could not add tracks for more speakers"))
                raise
            for transceiver, outlet in added:
                self._mids[outlet] = transceiver.mid
                self.outlets.append(outlet)

    async def _answered(self, offer: str) -> str | None:
        """Send the SFU's ``offer`` and wait for the member's answer; when
        none comes in ``ANSWER_TIMEOUT_S``, tell the member and offer the same
        again after a pause that doubles (an answer that comes late, even in
        the pause, still counts). None after ``ANSWER_TRIES`` offers."""
        answer = self._answer = asyncio.get_running_loop().create_future()
        try:
            for attempt in range(1, ANSWER_TRIES + 1):
                if attempt > 1:
                    await asyncio.wait({answer}, timeout=RETRY_PAUSE_S * 2 ** (attempt - 2))
                if not answer.done():
                    self.post(SessionDescription(type="offer", sdp=offer))
                    await asyncio.wait({answer}, timeout=ANSWER_TIMEOUT_S)
                if answer.done():
                    return answer.result()
                log.warning("room %s: %s left offer %d unanswered", self.room_id, self.user_id, attempt)
                if attempt < ANSWER_TRIES:
                    message = f"no answer to the SFU's offer in {ANSWER_TIMEOUT_S:g} s: offering it again"
                    self.post(Error(code=ANSWER_TIMEOUT, message=message))
            self.post(
                Error(
                    code=OUTLETS_FAILED,
                    message=f"no answer to the SFU's offer after {ANSWER_TRIES} tries: rejoin to hear more speakers",
                )
            )
            return None
        finally:
            self._answer = None

    async def close(self) -> None:
        if self._growing is not None:
            self._growing.cancel()
        await self.pc.close()
