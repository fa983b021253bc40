"""Zones drawn in the sample Tiled map change who hears whom on the SFU:
players within hearing of each other hear on the open floor, but not in and
out of the map's meeting room (its rule: only the zone), at its door too."""

from __future__ import annotations

from sfu_node.selection import Placement, audible
from tests.edge.test_tiled_world import sample_office
from virtubar.world import parse_world


def placed(world, user: str, x: float, z: float) -> Placement:
    zone = world.zone_at(x, z)
    return Placement(user, x, z, zone.id, zone.audio_rule, zone.video_rule)


def test_the_maps_meeting_room_keeps_its_voices_in():
    world = parse_world(sample_office())
    radius = world.hearingRadius
    spots = [placed(world, f"{x}-{z}", x + 0.5, z + 0.5) for x in range(world.width) for z in range(world.depth)
             if not world.is_wall(x + 0.5, z + 0.5)]
    near = [(a, b) for a in spots for b in spots if a is not b and (a.x - b.x) ** 2 + (a.z - b.z) ** 2 <= radius ** 2]
    across = [(a, b) for a, b in near if (a.zone_id == "meeting") != (b.zone_id == "meeting")]
    assert across, "someone outside stands within hearing of someone in the meeting room (at its door)"
    assert not any(audible(a, b, radius) for a, b in across)
    floor = [(a, b) for a, b in near if a.zone_id == b.zone_id == "floor"]
    assert floor and all(audible(a, b, radius) for a, b in floor)
    inside = [(a, b) for a, b in near if a.zone_id == b.zone_id == "meeting"]
    assert inside and all(audible(a, b, radius) for a, b in inside)
