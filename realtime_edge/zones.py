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
