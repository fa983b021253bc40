"""Who gets which moves of a tick (pure, no sockets).

A tick's moves (``avatar_transform_broadcast`` envelopes) go to the members
of the mover's space (``spaces``: its private zone, or the room's open
space). In a crowded space, moves of members far from a viewer
(beyond twice the hearing radius, ``zones.interest_split``) reach it only
every ``aoi_every``-th tick: the latest move of each mover is held back
until then, even if the mover stood still since. A ``Pick`` gives a viewer
(anything with ``x`` and ``z``) its moves; it returns the very list it was
given when the viewer gets them all, so such viewers can share one frame.
"""

from __future__ import annotations

from collections.abc import Callable

from realtime_edge import spaces, zones
from virtubar.world import World

Pick = Callable[[object], list]


def by_space(world: World, private: frozenset[str],
             moves: list) -> tuple[dict[str | None, list], dict[str, str | None]]:
    """The moves grouped by the space each mover is in now, and the zone of
    each mover (by user id)."""
    groups: dict[str | None, list] = {}
    where: dict[str, str | None] = {}
    for env in moves:
        p = env.payload
        zone = where[p.userId] = zones.zone_id(world, p.x, p.z)
        groups.setdefault(spaces.space(private, zone), []).append(env)
    return groups, where


def plan(world: World, moves: list, held: dict | None, crowded: bool,
         far_tick: bool) -> tuple[Pick | None, dict | None]:
    """A space's moves this tick: the pick (None: every viewer gets every
    move) and the moves held back for far viewers after it (by mover).

    ``held``: the moves held back so far; ``crowded``: more members in the
    space than the area of interest starts at; ``far_tick``: this tick
    carries far moves."""
    if crowded and not far_tick:
        kept = dict(held or {})
        kept.update((e.payload.userId, e) for e in moves)
        return near(world, moves), kept
    if held:  # a far tick, or no longer crowded: what far viewers missed
        moved = {e.payload.userId for e in moves}
        missed = [e for uid, e in held.items() if uid not in moved]
        return (far_missed(world, moves, missed) if missed else None), None
    return None, None


def near(world: World, moves: list) -> Pick:
    """A crowded space between far ticks: each viewer gets only nearby moves."""
    box = zones.spread(moves)

    def pick(viewer) -> list:
        if zones.all_near(world, viewer.x, viewer.z, box):
            return moves
        close, _ = zones.interest_split(world, viewer.x, viewer.z, moves)
        return moves if len(close) == len(moves) else close
    return pick


def far_missed(world: World, moves: list, missed: list) -> Pick:
    """A crowded space's far tick: each viewer also gets the latest far moves
    it missed since the last one (of movers who stood still since)."""
    box = zones.spread(missed)

    def pick(viewer) -> list:
        if zones.all_near(world, viewer.x, viewer.z, box):
            return moves
        _, far = zones.interest_split(world, viewer.x, viewer.z, missed)
        return moves + far if far else moves
    return pick
