"""What the SFU learns from the rest of the platform, decoded (pure).

The edge publishes each room's moves (one JSON list of
``avatar_transform_broadcast`` envelopes per node per tick, volatile stream)
and its joins, leaves and zone changes (one envelope per entry, durable
stream); presence (``wire.Member`` JSON) seeds positions; the functions'
control stream and mirrored sanctions and blocks carry moderation. Every
input becomes a small fact the node applies; anything else is ignored, so
a stranger's entry can never stop the feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from msgspec import Struct

from virtubar import wire
from virtubar.moderation import AccountClosed, BlocksChanged, ModerationLifted, SanctionInfo, decode_control


class Moved(Struct, frozen=True):
    """A member stands at (x, z); its zone follows from the room's world."""

    user: str
    x: float
    z: float


class Left(Struct, frozen=True):
    user: str


class Joined(Struct, frozen=True):
    """A member (re)joined the edge: place it and re-read its moderation."""

    user: str
    x: float
    z: float


class Sanctioned(Struct, frozen=True):
    """A mute or ban changed (``room`` None: every room): re-read the sanctions."""

    user: str
    room: str | None


class Removed(Struct, frozen=True):
    """Kicked, banned, or the account closed (erased, merged): the member's voice session here ends."""

    user: str
    room: str | None


class BlocksReload(Struct, frozen=True):
    user: str


Fact = Moved | Left | Joined | Sanctioned | Removed | BlocksReload

# Envelope types are built at run time: the checker sees their payloads as Any.
_BATCH: msgspec.json.Decoder[list[Any]] = msgspec.json.Decoder(list[wire.ENVELOPES[wire.AvatarTransformBroadcast]])
_ONE = msgspec.json.Decoder(wire.ServerMessage)
_MEMBER = msgspec.json.Decoder(wire.Member)
_SANCTION = msgspec.json.Decoder(SanctionInfo)
_BAD = (msgspec.DecodeError, msgspec.ValidationError)


def room_facts(data: bytes, durable: bool) -> list[Moved | Left | Joined]:
    """The facts in one entry of a room's streams."""
    try:
        if not durable:
            return [Moved(e.payload.userId, e.payload.x, e.payload.z) for e in _BATCH.decode(data)]
        event = _ONE.decode(data).payload
    except _BAD:
        return []
    if isinstance(event, wire.MemberJoined):
        m = event.member
        return [Joined(m.userId, m.x, m.z)]
    if isinstance(event, wire.MemberLeft):
        return [Left(event.userId)]
    if isinstance(event, wire.AvatarTransformBroadcast):
        return [Moved(event.userId, event.x, event.z)]
    return []  # chat, emotes, status; zone changes ride with the move that caused them


def control_fact(data: bytes) -> Fact | None:
    """The fact in one control-stream entry, if it concerns voice."""
    try:
        event = decode_control(data)
    except _BAD:
        return None
    if isinstance(event, wire.ModerationAction) and event.userId:
        if event.type == "mutedByMod":
            return Sanctioned(event.userId, event.roomId)
        return Removed(event.userId, event.roomId)
    if isinstance(event, ModerationLifted):
        return Sanctioned(event.userId, event.roomId)
    if isinstance(event, BlocksChanged):
        return BlocksReload(event.userId)
    if isinstance(event, AccountClosed):
        return Removed(event.userId, None)
    return None


def positions(presence: dict[str, bytes]) -> list[Moved]:
    """Where the room's present members stand; empty data is a seat
    reservation, not a member."""
    out = []
    for user, data in presence.items():
        if not data:
            continue
        try:
            m = _MEMBER.decode(data)
        except _BAD:
            continue
        out.append(Moved(user, m.x, m.z))
    return out


def voice_muted(sanctions: Iterable[bytes], room_id: str, now_ms: int) -> bool:
    """Does any mirrored sanction in force in the room silence the voice?
    A chat-only mute does not."""
    for data in sanctions:
        try:
            info = _SANCTION.decode(data)
        except _BAD:
            continue
        if info.applies(room_id, now_ms) and info.silences("voice"):
            return True
    return False
