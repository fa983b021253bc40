"""Whiteboards: what the edge and the functions agree on about a board's
Yjs document (``docs/architecture.md``, "Whiteboards").

A board is a Yjs document kept as Yjs updates. The edge cannot read the
database, so it persists each update through the functions' internal
routes (``APPEND_PATH``, with a node token) before it acknowledges it, and
reads the whole board through ``STATE_PATH`` when a room's first viewer
opens it. Updates commute and apply idempotently, so a board is simply
every stored update merged, in any order, twice or not.

The document's shape, written by the client (``client/src/board/``): a
root array ``strokes`` of maps (``id``, ``by``, ``tool``, ``color``,
``width``, ``points``) and a root array ``items`` of maps (shapes, text,
sticky notes: ``id``, ``by``, ``kind``, ``color``, ``x``, ``y``, ``w``,
``h``, ``text``); ``clear`` deletes them all.
"""

from __future__ import annotations

import asyncio
import base64
import urllib.error
import urllib.request
from typing import Literal

import msgspec
from pycrdt import Array, Decoder, Doc, YSyncMessageType, merge_updates

from virtubar.tokens import TokenIssuer

STROKES = "strokes"
ITEMS = "items"
EMPTY_UPDATE = b"\x00\x00"
APPEND_PATH = "/internal/boards/{room_id}/{object_id}/updates"
STATE_PATH = "/internal/boards/{room_id}/{object_id}/state"
COMPACT_PATH = "/internal/boards/{room_id}/{object_id}/compact"

SyncKind = Literal["step1", "step2", "update"]
_KINDS: dict[int, SyncKind] = {
    YSyncMessageType.SYNC_STEP1: "step1", YSyncMessageType.SYNC_STEP2: "step2", YSyncMessageType.SYNC_UPDATE: "update",
}


class BadSync(ValueError):
    """Not a y-protocols sync message."""


def read_sync(message: bytes) -> tuple[SyncKind, bytes]:
    """A y-protocols sync message (without the outer message type):
    (its kind, the state vector or update it carries)."""
    if len(message) < 2 or message[0] not in _KINDS:
        raise BadSync("data is not a y-protocols sync message (step1, step2 or update)")
    try:
        body = Decoder(message[1:]).read_message()
    except Exception as e:  # pycrdt raises plain errors on a truncated varint
        raise BadSync(f"data is not a y-protocols sync message: {e}") from None
    if body is None:
        raise BadSync("data is not a y-protocols sync message: it carries nothing")
    return _KINDS[message[0]], body


def sync_message(kind: SyncKind, body: bytes) -> bytes:
    """The y-protocols sync message of ``kind`` carrying ``body``."""
    code = {v: k for k, v in _KINDS.items()}[kind]
    n, head = len(body), bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        head.append(byte | (0x80 if n else 0))
        if not n:
            break
    return bytes([code]) + bytes(head) + body


def merged(updates: list[bytes]) -> bytes:
    """One update holding them all (a board's state in one message)."""
    updates = [u for u in updates if u and u != EMPTY_UPDATE]
    if not updates:
        return EMPTY_UPDATE
    return updates[0] if len(updates) == 1 else merge_updates(*updates)


def checked_update(update: bytes) -> bytes:
    """Does ``update`` apply to a document? (Raises ``BadSync`` when not.)"""
    try:
        Doc().apply_update(update)
    except Exception as e:
        raise BadSync(f"the update does not apply to a Yjs document: {e}") from None
    return update


def clearing(state: bytes) -> bytes:
    """The update that deletes every stroke and item of a board whose state is ``state``
    (a clear travels as an update, so clients that still hold the strokes
    delete them too instead of sending them back)."""
    doc = Doc()
    doc.apply_update(state)
    roots = [doc.get(STROKES, type=Array), doc.get(ITEMS, type=Array)]
    before = doc.get_state()
    with doc.transaction():
        for root in roots:
            if len(root):
                del root[0:len(root)]
    return doc.get_update(before)


class Append(msgspec.Struct, kw_only=True):
    """An update the edge hands the functions to store (``APPEND_PATH``)."""

    update: bytes
    userId: str


class Stored(msgspec.Struct, kw_only=True):
    """The board's size once the update is stored."""

    size: int


class BoardState(msgspec.Struct, kw_only=True):
    """A whole board in one update (``STATE_PATH``)."""

    update: bytes
    size: int


class Refused(Exception):
    """The functions refused the update (``status`` 4xx): too big, or a
    board that does not exist. ``detail`` is their problem's detail."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class BoardClient:
    """The edge's calls to the functions' internal board routes (it cannot
    read the database). Blocking HTTP in a thread, as the sanctions reload."""

    def __init__(self, api_url: str, tokens: TokenIssuer, node_id: str, timeout_s: float = 10.0) -> None:
        self.api_url, self.tokens, self.node_id, self.timeout_s = api_url.rstrip("/"), tokens, node_id, timeout_s

    def _call(self, method: str, path: str, body: bytes | None) -> bytes:
        request = urllib.request.Request(self.api_url + path, data=body, method=method, headers={
            "Authorization": f"Bearer {self.tokens.issue('node', self.node_id)}", "Content-Type": "application/json",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                return answer.read()
        except urllib.error.HTTPError as e:
            if 400 <= e.code < 500:
                detail = msgspec.json.decode(e.read() or b"{}").get("detail", "refused")
                raise Refused(e.code, str(detail)) from None
            raise

    def _path(self, template: str, room_id: str, object_id: str) -> str:
        return template.format(room_id=room_id, object_id=object_id)

    async def append(self, room_id: str, object_id: str, update: bytes, user_id: str) -> int:
        """Store an update; the board's size after it. Raises ``Refused``."""
        body = msgspec.json.encode({"update": _b64(update), "userId": user_id})
        data = await asyncio.to_thread(self._call, "POST", self._path(APPEND_PATH, room_id, object_id), body)
        return msgspec.json.decode(data, type=Stored).size

    async def state(self, room_id: str, object_id: str) -> bytes:
        data = await asyncio.to_thread(self._call, "GET", self._path(STATE_PATH, room_id, object_id), None)
        return msgspec.json.decode(data, type=BoardState).update

    async def compact(self, room_id: str, object_id: str) -> None:
        await asyncio.to_thread(self._call, "POST", self._path(COMPACT_PATH, room_id, object_id), b"{}")

