"""A room's bus entries: the wire envelope, plus a part only the edge reads.

An entry is the envelope the clients get (``virtubar/wire.py``) with one
optional field ``at``: where the sender stood, and in which zone, when it
happened. Who receives an event may depend on that (a ``local`` chat line is
heard within the hearing radius of where it was said), and a replay after a
reconnect must decide as live delivery did, so the position travels with
the entry instead of being looked up later. Clients never see ``at``: frames
are made from the envelope alone. Entries without it (moves, joins) are
byte for byte the envelope.
"""

from __future__ import annotations

from typing import Union

import msgspec
from msgspec import Struct

from virtubar import wire


class Spot(Struct, array_like=True, frozen=True):
    """Where a member stood: on the ground plane, and its zone."""

    x: float
    z: float
    zoneId: str | None = None


def spot(member: wire.Member) -> Spot:
    return Spot(member.x, member.z, member.zoneId)


def _entry_type(event: type[wire.Event]) -> type[Struct]:
    return msgspec.defstruct(f"{event.__name__}Entry", [("at", Spot | None, None)],
                             bases=(wire.ENVELOPES[event],), tag_field="t", tag=event.name,
                             kw_only=True, omit_defaults=True)


_ENTRIES = {e: _entry_type(e) for e in wire.SERVER_EVENTS}
_DECODER = msgspec.json.Decoder(Union[tuple(_ENTRIES.values())])  # type: ignore[valid-type]


def entry(payload: wire.Event, at: Spot | None = None, ts: int | None = None) -> bytes:
    """The bus entry of ``payload`` (``ts``: now unless given)."""
    return msgspec.json.encode(_ENTRIES[type(payload)](
        v=wire.PROTOCOL_VERSION, ts=wire.now_ms() if ts is None else ts, payload=payload, at=at))


def read(data: bytes):
    """The entry: ``.payload``, ``.ts``, ``.at``; raises msgspec's errors
    for anything that is not one."""
    return _DECODER.decode(data)


def envelope(found) -> Struct:
    """What clients get of an entry: its envelope without ``at``."""
    return wire.ENVELOPES[type(found.payload)](v=found.v, ts=found.ts, payload=found.payload)
