"""Movement validation (seed 002: optimistic client, corrective server).

Pure: given the world, the member's last accepted pose and where the other
members stand, a proposed position is accepted (None) or corrected back.
The whole path from the last accepted position is checked, not only where
it ends: a step that ends on the floor may not pass through a wall, over a
door or seat someone else holds, or into a full zone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from msgspec import Struct

from virtubar.wire import CorrectionReason
from virtubar.world import World, WorldObject

SPEED_TOLERANCE = 1.5
"""Arrival jitter makes honest steps look faster than they were."""
SLACK_M = 0.25
MIN_DT_S = 0.05


class Limits(Struct, frozen=True, kw_only=True):
    """How far one move may go besides the world's ``maxSpeed``."""

    budget_s: float = 1.0
    """Time counted for travel at most: standing still does not save up for a jump."""
    max_climb_m: float = 0.6
    """Up or down in one move, whatever the time since the last."""
    vertical_speed: float = 2.0
    """Metres a second up or down."""


LIMITS = Limits()


class Pose(Struct):
    x: float
    y: float
    z: float
    t: float  # server monotonic seconds when accepted


class Correction(Struct):
    reason: CorrectionReason
    x: float
    y: float
    z: float


def on_object(obj: WorldObject, x: float, z: float) -> bool:
    """Objects are placed by their centre."""
    return abs(x - obj.x) < obj.w / 2 and abs(z - obj.z) < obj.d / 2


def exclusive_at(world: World, x: float, z: float) -> list[WorldObject]:
    return [o for o in world.objects if o.exclusive and on_object(o, x, z)]


def crosses_object(obj: WorldObject, ax: float, az: float, bx: float, bz: float) -> bool:
    """Does the segment a→b pass through the object's inside (touching its edge is not)?"""
    if ax == bx and az == bz:
        return on_object(obj, ax, az)
    t0, t1 = 0.0, 1.0
    for start, delta, centre, half in ((ax, bx - ax, obj.x, obj.w / 2), (az, bz - az, obj.z, obj.d / 2)):
        lo, hi = centre - half, centre + half
        if delta == 0:
            if not lo < start < hi:
                return False
            continue
        ta, tb = sorted(((lo - start) / delta, (hi - start) / delta))
        t0, t1 = max(t0, ta), min(t1, tb)
        if t0 >= t1:
            return False
    return True


def exclusive_along(world: World, ax: float, az: float, bx: float, bz: float) -> list[WorldObject]:
    """Exclusive seats and doors the segment a→b passes through or ends on."""
    lo_x, hi_x, lo_z, hi_z = min(ax, bx), max(ax, bx), min(az, bz), max(az, bz)
    return [o for o in world.objects if o.exclusive
            and o.x + o.w / 2 > lo_x and o.x - o.w / 2 < hi_x and o.z + o.d / 2 > lo_z and o.z - o.d / 2 < hi_z
            and crosses_object(o, ax, az, bx, bz)]


def crosses_wall(world: World, ax: float, az: float, bx: float, bz: float) -> bool:
    """Does the segment a→b (both inside the world) enter a wall cell?

    Walks the grid cells the segment passes, in order. The cell it starts
    in does not count: a member whom a republished world put inside a wall
    may walk out. Passing exactly through a corner between two diagonal
    wall cells is blocked; grazing the corner of a single wall is not.
    """
    cs = world.cellSize
    cx, cz, ex, ez = int(ax // cs), int(az // cs), int(bx // cs), int(bz // cs)
    if cx == ex and cz == ez:  # most moves: a step within one cell
        return False
    dx, dz = bx - ax, bz - az
    sx, sz = (1 if dx > 0 else -1), (1 if dz > 0 else -1)
    next_x = ((cx + (sx > 0)) * cs - ax) / dx if dx else math.inf
    next_z = ((cz + (sz > 0)) * cs - az) / dz if dz else math.inf
    step_x, step_z = (cs / abs(dx) if dx else math.inf), (cs / abs(dz) if dz else math.inf)

    def wall(col: int, row: int) -> bool:
        if not (0 <= col < world.width and 0 <= row < world.depth):
            return True  # outside the world blocks, as in ``World.is_wall``
        return world.grid[row][col] == "#"

    for _ in range(abs(ex - cx) + abs(ez - cz)):
        if next_x < next_z:
            cx, next_x = cx + sx, next_x + step_x
        elif next_z < next_x:
            cz, next_z = cz + sz, next_z + step_z
        else:  # exactly through a corner
            if wall(cx + sx, cz) and wall(cx, cz + sz):
                return True
            cx, cz, next_x, next_z = cx + sx, cz + sz, next_x + step_x, next_z + step_z
        if wall(cx, cz):
            return True
        if (cx, cz) == (ex, ez):
            break
    return False


def portal_jump(world: World, ax: float, az: float, bx: float, bz: float) -> bool:
    """Is a → b a portal's trip: from a portal whose ``target`` is a zone of
    this world into that zone? The portal takes the member there at once,
    through walls and faster than walking (``docs/protocol.md``, Portals)."""
    for o in world.objects:
        if o.kind == "portal" and o.target is not None and on_object(o, ax, az):
            zone = next((z for z in world.zones if z.id == o.target), None)
            if zone is not None and zone.shape.contains(bx, bz):
                return True
    return False


def zone_full(world: World, x: float, z: float, from_x: float, from_z: float,
              others: Iterable[tuple[float, float]]) -> bool:
    """Does the move from ``from`` enter a zone that holds its capacity already?"""
    zone = world.zone_at(x, z)
    if zone is None or zone.capacity is None or world.zone_at(from_x, from_z) is zone:
        return False
    inside = sum(1 for ox, oz in others if zone.shape.contains(ox, oz) and world.zone_at(ox, oz) is zone)
    return inside >= zone.capacity


def check_move(world: World, prev: Pose | None, x: float, y: float, z: float, now: float,
               others: Iterable[tuple[float, float]], limits: Limits = LIMITS) -> Correction | None:
    """Accept the move (None) or say where the member must go back to.

    ``others`` are the positions of the other members of the room: a seat or
    door with exclusive occupancy belongs to whoever is on it first, and a
    zone with a capacity admits no more than that many.
    """
    back = (prev.x, prev.y, prev.z) if prev else (world.spawns[0].x, 0.0, world.spawns[0].z)
    if not world.inside(x, z) or not 0.0 <= y <= world.height:
        return Correction("bounds", *back)
    if world.is_wall(x, z):
        return Correction("wall", *back)
    if prev is None:
        held = exclusive_at(world, x, z)
        if held and any(on_object(obj, ox, oz) for ox, oz in others for obj in held):
            return Correction("occupied", *back)
        return None
    jump = portal_jump(world, prev.x, prev.z, x, z)
    if not jump and crosses_wall(world, prev.x, prev.z, x, z):
        return Correction("wall", *back)
    dt = min(max(now - prev.t, MIN_DT_S), limits.budget_s)
    rise = abs(y - prev.y)
    if rise > limits.max_climb_m or rise > limits.vertical_speed * dt + 0.05:
        return Correction("climb", *back)
    reach = world.movement.maxSpeed * dt * SPEED_TOLERANCE + SLACK_M
    if not jump and (x - prev.x) ** 2 + (z - prev.z) ** 2 > reach**2:
        return Correction("speed", *back)
    crossed = [o for o in exclusive_along(world, prev.x, prev.z, x, z) if not on_object(o, prev.x, prev.z)]
    if crossed:  # others are read only when needed: most moves cross no seat and enter no zone
        others = list(others)
        if any(on_object(obj, ox, oz) for ox, oz in others for obj in crossed):
            return Correction("occupied", *back)
    if zone_full(world, x, z, prev.x, prev.z, others):
        return Correction("zone_full", *back)
    return None
