"""Zones and interest: who sees a member's moves and hears their chat."""

from __future__ import annotations

from virtubar.world import World


def zone_id(world: World, x: float, z: float) -> str | None:
    zone = world.zone_at(x, z)
    return zone.id if zone else None


def near(world: World, ax: float, az: float, bx: float, bz: float) -> bool:
    """Within the world's hearing radius on the ground plane."""
    return (ax - bx) ** 2 + (az - bz) ** 2 <= world.hearingRadius**2


def interest_split(world: World, viewer_x: float, viewer_z: float, movers: list) -> tuple[list, list]:
    """Moves (envelopes of ``avatar_transform_broadcast``) near the viewer and
    far from it: farther than twice the hearing radius is far."""
    limit = (2 * world.hearingRadius) ** 2
    near_, far = [], []
    for env in movers:
        p = env.payload
        (far if (p.x - viewer_x) ** 2 + (p.z - viewer_z) ** 2 > limit else near_).append(env)
    return near_, far


def spread(movers: list) -> tuple[float, float, float, float]:
    """The box (min x, min z, max x, max z) holding every mover (envelopes of
    ``avatar_transform_broadcast``), to answer "all near?" once per viewer."""
    xs = [env.payload.x for env in movers]
    zs = [env.payload.z for env in movers]
    return min(xs), min(zs), max(xs), max(zs)


def all_near(world: World, viewer_x: float, viewer_z: float, box: tuple[float, float, float, float]) -> bool:
    """True only if no mover inside ``box`` is far from the viewer (in
    ``interest_split``'s terms): the box's farthest corner is near. It may say
    False when none is far; the caller then checks mover by mover."""
    dx = max(abs(viewer_x - box[0]), abs(viewer_x - box[2]))
    dz = max(abs(viewer_z - box[1]), abs(viewer_z - box[3]))
    return dx * dx + dz * dz <= (2 * world.hearingRadius) ** 2
