"""Zones and interest: who sees a member's moves and hears their chat."""

from __future__ import annotations

from virtubar.world import World


def zone_id(world: World, x: float, z: float) -> str | None:
    zone = world.zone_at(x, z)
    return zone.id if zone else None


def near(world: World, ax: float, az: float, bx: float, bz: float) -> bool:
    """Within the world's hearing radius on the ground plane."""
    return (ax - bx) ** 2 + (az - bz) ** 2 <= world.hearingRadius**2
