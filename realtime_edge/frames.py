"""Frames for clients: each event encoded once per codec and shared by every
recipient, and move batches joined from envelopes encoded one by one."""

from __future__ import annotations

import msgspec

from virtubar import wire

ENCODERS = {False: msgspec.json.Encoder(), True: msgspec.msgpack.Encoder()}


def encode(obj, binary: bool) -> bytes | str:
    """A frame for a client: text for JSON, bytes for msgpack."""
    data = ENCODERS[binary].encode(obj)
    return data if binary else data.decode()


def frame(payload: wire.Event, binary: bool) -> bytes | str:
    return encode(wire.envelope(payload), binary)


def array_frame(pieces: list[bytes], binary: bool) -> bytes | str:
    """A frame holding a list of envelopes, from the envelopes encoded one by
    one: the same bytes as encoding the list, without encoding it again."""
    if not binary:
        return (b"[" + b",".join(pieces) + b"]").decode()
    n = len(pieces)
    if n < 16:
        head = bytes([0x90 | n])
    else:
        head = b"\xdc" + n.to_bytes(2, "big") if n < 65536 else b"\xdd" + n.to_bytes(4, "big")
    return head + b"".join(pieces)


class Frames:
    """One encoding per codec, made on first use and shared by recipients."""

    __slots__ = ("_made", "obj")

    def __init__(self, obj, json_text: str | None = None) -> None:
        """``json_text``: the JSON encoding, when it is already at hand."""
        self.obj = obj
        self._made: dict[bool, bytes | str] = {} if json_text is None else {False: json_text}

    def get(self, binary: bool) -> bytes | str:
        if binary not in self._made:
            self._made[binary] = encode(self.obj, binary)
        return self._made[binary]
