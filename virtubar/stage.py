"""Event rooms: who the whole room hears besides a stage zone's speakers.

A room's owner makes it an event room (``eventRoom`` of ``PATCH
/api/rooms/{id}``; the functions publish it as ``"event"`` in
``keys.room_setup``). In an event room the DJ whose track plays now and
every member standing in a stage zone are heard and seen by the whole room,
wherever each listener stands (``docs/protocol.md``, "Event rooms"). The
SFU reads both from shared state; the DJ from the jukebox the edge keeps
(``keys.room_jukebox``), of which it needs only ``playing.by`` and ``djs``.
"""

from __future__ import annotations

import msgspec
from msgspec import Struct


class _Playing(Struct):
    by: str | None = None


class _Jukebox(Struct):
    """The part of the edge's jukebox (``realtime_edge/features/jukebox_rules.py``) a stage needs."""

    playing: _Playing | None = None
    djs: list[str] = []


_JUKEBOX = msgspec.json.Decoder(_Jukebox)
_BAD = (msgspec.DecodeError, msgspec.ValidationError)


def is_event(setup: bytes | None) -> bool:
    """The room's ``"event"`` setup member (JSON ``true``): an event room."""
    try:
        return setup is not None and msgspec.json.decode(setup) is True
    except _BAD:
        return False


def current_dj(jukebox: str | bytes | None) -> str | None:
    """The member in the DJ rotation whose track plays now, if any (a track
    a member queued is not a DJ's set)."""
    if not jukebox:
        return None
    try:
        jb = _JUKEBOX.decode(jukebox)
    except _BAD:
        return None
    by = jb.playing.by if jb.playing is not None else None
    return by if by is not None and by in jb.djs else None
