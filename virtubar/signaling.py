"""The SFU's signaling contract (``docs/protocol.md``), in the realtime envelope
(``{"v": 1, "t": name, "ts": ms, "payload": {...}}``) on its own socket.

Client: ``sfu_join`` first (room and voice token), then ``sdp`` (its offer,
or its answer to the SFU's offers) and ``ice_candidate`` (trickle). SFU:
``sfu_joined``, ``sdp`` (answers, and offers when the listener's set of
incoming tracks grows), ``track_owner`` (which user an incoming track carries
now, and whether it is their mic, camera or screen; ``userId`` null when
idle), and wire's ``auth_error`` / ``error`` / ``reconnect``. After its first
offer a client answers the SFU's offers, and offers again only to send more
(a screen share): while an SFU offer awaits its answer that gets ``error``
``glare``. A client that sends video says first, in ``publish``, which of its
sending mids is the camera and which the screen (a sending video mid it does
not name is its camera).

When the client does not answer an SFU offer in time the SFU sends
``error`` ``answer_timeout`` and offers the same again (a few times, with a
growing pause); ``error`` ``outlets_failed`` means it gave up adding those
tracks (speakers beyond the tracks the client has stay unheard until it
rejoins).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from msgspec import Meta, Struct

from virtubar.wire import (
    PROTOCOL_VERSION,
    AuthError,
    Codec,
    Error,
    Event,
    Id,
    Reconnect,
    envelope_type,
    now_ms,
)

MAX_SIGNAL_BYTES = 64 * 1024
ANSWER_TIMEOUT = "answer_timeout"  # error code: the SFU's offer went unanswered; it offers again
OUTLETS_FAILED = "outlets_failed"  # error code: the SFU gave up adding incoming tracks
Sdp = Annotated[str, Meta(min_length=1, max_length=MAX_SIGNAL_BYTES)]


class SfuJoin(Event):
    name = "sfu_join"
    roomId: Id
    token: Annotated[str, Meta(min_length=1, max_length=4096)]


class SessionDescription(Event):
    """An offer or an answer, in either direction."""

    name = "sdp"
    type: Literal["offer", "answer"]
    sdp: Sdp


class IceCandidate(Event):
    """A trickled candidate (``candidate:...`` line); empty means end of candidates."""

    name = "ice_candidate"
    candidate: Annotated[str, Meta(max_length=1024)]
    sdpMid: Annotated[str, Meta(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Meta(ge=0, le=1024)] | None = None


Source = Literal["mic", "camera", "screen"]


class PublishedTrack(Struct, frozen=True):
    mid: Annotated[str, Meta(min_length=1, max_length=64)]
    source: Source


class Publish(Event):
    """What the client's sending tracks carry; sent before the ``sdp`` that adds them."""

    name = "publish"
    tracks: Annotated[list[PublishedTrack], Meta(max_length=8)]


class SfuJoined(Event):
    name = "sfu_joined"
    roomId: str
    userId: str
    maxSpeakers: int


class TrackOwner(Event):
    """Incoming track ``mid`` now carries ``userId``'s ``source`` (None: idle, unassigned)."""

    name = "track_owner"
    mid: str
    kind: Literal["audio", "video"]
    userId: str | None
    source: Source | None = None


CLIENT_SIGNALS: tuple[type[Event], ...] = (SfuJoin, SessionDescription, IceCandidate, Publish)
SFU_SIGNALS: tuple[type[Event], ...] = (SfuJoined, SessionDescription, TrackOwner, AuthError, Error, Reconnect)
ENVELOPES: dict[type[Event], type[Struct]] = {e: envelope_type(e) for e in CLIENT_SIGNALS + SFU_SIGNALS}
ClientSignal = Union[tuple(ENVELOPES[e] for e in CLIENT_SIGNALS)]  # type: ignore[valid-type]
SfuSignal = Union[tuple(ENVELOPES[e] for e in SFU_SIGNALS)]  # type: ignore[valid-type]


class SignalingCodec(Codec):
    """``wire.Codec`` over the signaling events (JSON)."""

    def encode(self, payload: Event, ts: int | None = None) -> bytes:
        env = ENVELOPES[type(payload)](v=PROTOCOL_VERSION, ts=now_ms() if ts is None else ts, payload=payload)
        return self._encoder.encode(env)


def sfu_codec() -> SignalingCodec:
    """The SFU's side: decodes client signals, encodes SFU signals."""
    return SignalingCodec(ClientSignal)


def signaling_client_codec() -> SignalingCodec:
    return SignalingCodec(SfuSignal)
