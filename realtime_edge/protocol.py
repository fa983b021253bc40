"""Decoding client frames and naming what is wrong with a bad one.

Frames are seed 001 envelopes: JSON text, or msgpack binary when the client
chose the ``virtubar.msgpack`` subprotocol. Oversized frames never reach
here (the connection closes with 1009). A frame nested deeper than the
decoder can follow (a few hundred levels; real messages have four) is
``malformed`` like any other undecodable frame, and the socket stays open.
"""

from __future__ import annotations

import msgspec

from realtime_edge.chat import text_problem
from virtubar import wire

MSGPACK = "virtubar.msgpack"
JSON = "virtubar.json"
CODECS = {False: wire.server_codec(False), True: wire.server_codec(True)}
CLIENT_NAMES = frozenset(e.name for e in wire.CLIENT_EVENTS)


class BadMessage(Exception):
    def __init__(self, code: str, message: str, event: str | None = None) -> None:
        super().__init__(message)
        self.error = wire.Error(code=code, message=message, event=event)


def choose_subprotocol(offered: list[str]) -> str | None:
    """msgpack when asked for, else JSON (named back only if offered)."""
    if MSGPACK in offered:
        return MSGPACK
    return JSON if JSON in offered else None


def decode(data: bytes | str, binary: bool):
    """The envelope, or ``BadMessage`` with a stable code."""
    try:
        return CODECS[binary].decode(data)
    except RecursionError:
        raise _too_deep(binary) from None
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        raise _explain(data, binary, str(e)) from None


def _too_deep(binary: bool) -> BadMessage:
    return BadMessage("malformed", f"not a {'msgpack' if binary else 'JSON'} message: nested too deeply")


def _explain(data: bytes | str, binary: bool, detail: str) -> BadMessage:
    try:
        raw = msgspec.msgpack.decode(data) if isinstance(data, bytes) and binary else msgspec.json.decode(data)
    except msgspec.DecodeError:
        return BadMessage("malformed", f"not a {'msgpack' if binary else 'JSON'} message: {detail}")
    except RecursionError:
        return _too_deep(binary)
    if not isinstance(raw, dict) or not isinstance(raw.get("t"), str):
        return BadMessage("malformed", "expected an envelope {v, t, ts, payload}")
    name = raw["t"]
    if name not in CLIENT_NAMES:
        return BadMessage("unknown_event", f"unknown event {name[:64]!r}", name[:64])
    payload = raw.get("payload")
    if name == "local_chat" and isinstance(payload, dict) and isinstance(payload.get("text"), str):
        if problem := text_problem(payload["text"]):
            return BadMessage(*problem, name)
    if name == "emote" and "$.payload.emoteId" in detail:
        return BadMessage("unknown_emote", f"unknown emote: {detail}", name)
    return BadMessage("invalid_payload", detail, name)
