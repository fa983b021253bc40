"""Movement validation (seed 002: optimistic client, corrective server).

Pure: given the world, the member's last accepted pose and where the other
members stand, a proposed position is accepted (None) or corrected back.
"""

from __future__ import annotations

from msgspec import Struct

from virtubar.world import World, WorldObject

SPEED_TOLERANCE = 1.5
"""Arrival jitter makes honest steps look faster than they were."""
SLACK_M = 0.25
MIN_DT_S = 0.05


class Pose(Struct):
    x: float
    y: float
    z: float
    t: float  # server monotonic seconds when accepted


class Correction(Struct):
    reason: str  # bounds | wall | speed | occupied
    x: float
    y: float
    z: float


def on_object(obj: WorldObject, x: float, z: float) -> bool:
    """Objects are placed by their centre."""
    return abs(x - obj.x) < obj.w / 2 and abs(z - obj.z) < obj.d / 2


def exclusive_at(world: World, x: float, z: float) -> list[WorldObject]:
    return [o for o in world.objects if o.exclusive and on_object(o, x, z)]


def check_move(world: World, prev: Pose | None, x: float, y: float, z: float, now: float,
               others: list[tuple[float, float]]) -> Correction | None:
    """Accept the move (None) or say where the member must go back to.

    ``others`` are the positions of the other members of the room: a seat or
    door with exclusive occupancy belongs to whoever is on it first.
    """
    back = (prev.x, prev.y, prev.z) if prev else (world.spawns[0].x, 0.0, world.spawns[0].z)
    if not world.inside(x, z) or not -1.0 <= y <= world.height + 1.0:
        return Correction("bounds", *back)
    if world.is_wall(x, z):
        return Correction("wall", *back)
    if prev is not None:
        dt = max(now - prev.t, MIN_DT_S)
        limit = world.movement.maxSpeed * dt * SPEED_TOLERANCE + SLACK_M
        if (x - prev.x) ** 2 + (z - prev.z) ** 2 > limit**2:
            return Correction("speed", *back)
    for obj in exclusive_at(world, x, z):
        if prev is not None and on_object(obj, prev.x, prev.z):
            continue  # already holds it
        if any(on_object(obj, ox, oz) for ox, oz in others):
            return Correction("occupied", *back)
    return None
