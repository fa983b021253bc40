"""What moderation looks like to the parts that enforce it.

The functions decide (bans, mutes, blocks) and keep the truth in the
database; they mirror what is active into shared state (``keys.user_sanctions``,
``keys.user_blocks``) for nodes that admit a player later, and announce each
change on the control stream for nodes that hold the player now.
"""

from __future__ import annotations

import re
from typing import Literal, Union

import msgspec
from msgspec import Struct

from virtubar import wire

Kind = Literal["ban", "mute"]
Channels = Literal["chat", "voice", "all"]
PERMANENT_TTL_S = 365 * 24 * 3600


class SanctionInfo(Struct, kw_only=True, omit_defaults=True):
    kind: Kind
    reason: str
    room: str | None = None  # None: every room
    channels: Channels = "all"
    expiresAtMs: int | None = None  # None: permanent

    def applies(self, room_id: str, now_ms: int) -> bool:
        return (self.room is None or self.room == room_id) and (self.expiresAtMs is None or self.expiresAtMs > now_ms)

    def silences(self, channel: Literal["chat", "voice"]) -> bool:
        return self.kind == "mute" and self.channels in (channel, "all")


def mask_words(text: str, words: list[str]) -> str:
    """``text`` with each listed word (whole words, any case) starred out."""
    if not words:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda m: "*" * len(m.group(0)), text)


class ModerationLifted(wire.Event):
    """Control stream: a mute or ban ended early (unmute / unban)."""

    name = "moderation_lifted"
    type: Kind
    userId: str
    roomId: str | None = None


class BlocksChanged(wire.Event):
    """Control stream: ``userId`` blocked or unblocked someone; nodes reload
    ``keys.user_blocks(userId)``."""

    name = "blocks_changed"
    userId: str


CONTROL_EVENTS: tuple[type[wire.Event], ...] = (wire.ModerationAction, ModerationLifted, BlocksChanged)
_ENVELOPES: dict[type[wire.Event], type[Struct]] = {
    e: wire.ENVELOPES.get(e) or wire.envelope_type(e) for e in CONTROL_EVENTS
}
ControlMessage = Union[tuple(_ENVELOPES.values())]
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(ControlMessage)


def encode_control(event: wire.Event) -> bytes:
    """A control-stream entry: the event in the protocol's envelope."""
    return _encoder.encode(_ENVELOPES[type(event)](v=1, ts=wire.now_ms(), payload=event))


def decode_control(data: bytes) -> wire.Event:
    """The control event in ``data``; ``msgspec`` errors for anything else."""
    return _decoder.decode(data).payload
