"""Private zones: whose position and voice reach whom (pure, no sockets).

A zone whose audio rule is ``zone`` (by default a meeting room, a private
zone, a focus room) is private: a space of its own. Every other place in the
room (the open floor, a stage, a quiet room, no zone at all) is the room's
one open space. A member sees the moves of the members of its own space only,
and hears only them (the SFU's ``sfu_node/selection.py`` applies the same
zone rule to voices and cameras). Who is in which zone is not secret: every
member gets every ``zone_changed``, so those outside count who is inside.
A snapshot (``room_state``) lists every member of the room, with name and
status, so the member list and names in room-wide chat stay whole; members in
another space come without their position (``view``).
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from virtubar import wire
from virtubar.world import World

OPEN = None
"""The space of every member outside a private zone."""


def private_zones(world: World) -> frozenset[str]:
    """The ids of the world's private zones."""
    return frozenset(z.id for z in world.zones if z.audio_rule == "zone")


def space(private: frozenset[str], zone: str | None) -> str | None:
    """The space of a member in ``zone``: the zone if private, else the open space."""
    return zone if zone in private else OPEN


def members_in(private: frozenset[str], members: Iterable[wire.Member], where: str | None) -> int:
    """How many of ``members`` are in the space ``where``."""
    return sum(1 for m in members if space(private, m.zoneId) == where)


def view(world: World, members: Iterable[wire.Member], zone: str | None) -> list[wire.Member]:
    """The members as a viewer in ``zone`` may see them: those of another
    space keep their name, avatar, status and zone but not where they stand."""
    private = private_zones(world)
    mine = space(private, zone)
    return [m if space(private, m.zoneId) == mine else unplaced(m) for m in members]


def outsiders(world: World, member: wire.Member, viewers: Iterable) -> list:
    """The viewers (sockets with a ``member``) in another space than ``member``:
    a member joining (or rejoining) inside a private zone is announced to
    them without where it stands."""
    private = private_zones(world)
    where = space(private, member.zoneId)
    return [c for c in viewers if c.member is not None and space(private, c.member.zoneId) != where]


def unplaced(m: wire.Member) -> wire.Member:
    return msgspec.structs.replace(m, x=0.0, y=0.0, z=0.0, rotY=0.0, anim="idle", speaking=False)
