"""Moves are checked along their whole path: walls and held doors or seats
on the way, vertical movement, the travel a pause may allow, full zones."""

from __future__ import annotations

import asyncio

import pytest

from realtime_edge.movement import Limits, Pose, check_move, crosses_object, crosses_wall
from tests.edge.client import Client
from virtubar.world import WorldObject, default_world, parse_world, to_json

OFFICE = default_world("office")  # maxSpeed 5 m/s: one second of travel reaches 7.75 m


def _squeeze_world():
    """Two wall cells touching only at a corner, (2, 1) and (1, 2), between (1, 1) and (2, 2)."""
    world = to_json(default_world("bar"))
    world |= {"width": 4, "depth": 4, "grid": ["####", "#.##", "##.#", "####"],
              "zones": [{"id": "all", "name": "All", "shape": {"x": 0, "z": 0, "w": 4, "d": 4}}],
              "objects": [], "spawns": [{"x": 1.5, "z": 1.5}]}
    return parse_world(world)


SQUEEZE = _squeeze_world()


@pytest.mark.parametrize(("label", "start", "idle", "to", "reason"), [
    ("through the wall of meeting room A", (12.5, 0.0, 5.5), 1.0, (8.5, 0.0, 3.5), "wall"),
    ("18 m through two walls after 3 s idle", (26.5, 0.0, 3.5), 3.0, (8.5, 0.0, 3.5), "wall"),
    ("18 m down an open corridor after 3 s idle", (3.5, 0.0, 12.5), 3.0, (21.5, 0.0, 12.5), "speed"),
    ("through the door of meeting room A", (12.5, 0.0, 5.5), 1.0, (8.5, 0.0, 5.5), None),
    ("through the gap south of room A", (5.5, 0.0, 8.5), 0.5, (5.5, 0.0, 10.5), None),
    ("out of a wall it was put in", (10.5, 0.0, 3.5), 0.5, (11.5, 0.0, 3.5), None),
    ("from one wall into another", (10.5, 0.0, 3.5), 1.0, (10.5, 0.0, 2.5), "wall"),
    ("grazing a wall's corner", (4.5, 0.0, 8.5), 1.0, (6.5, 0.0, 10.5), None),
    ("along the open floor after a pause", (3.5, 0.0, 12.5), 3.0, (10.5, 0.0, 12.5), None),
    ("up to 3.5 m", (15.5, 0.0, 12.5), 3.0, (15.5, 3.5, 12.5), "bounds"),
    ("under the floor", (15.5, 0.0, 12.5), 1.0, (15.5, -0.5, 12.5), "bounds"),
    ("0.9 m up in one move", (15.5, 0.0, 12.5), 3.0, (15.5, 0.9, 12.5), "climb"),
    ("0.5 m up in 0.1 s", (15.5, 0.0, 12.5), 0.1, (15.5, 0.5, 12.5), "climb"),
    ("0.5 m up in 0.5 s", (15.5, 0.0, 12.5), 0.5, (15.5, 0.5, 12.5), None),
    ("0.5 m down in 0.5 s", (15.5, 0.5, 12.5), 0.5, (15.5, 0.0, 12.5), None),
])
def test_a_move_is_checked_along_its_path(label, start, idle, to, reason):
    prev = Pose(*start, 10.0)
    fix = check_move(OFFICE, prev, *to, 10.0 + idle, [])
    if reason is None:
        assert fix is None, label
    else:
        assert (fix.reason, fix.x, fix.y, fix.z) == (reason, *start), label


@pytest.mark.parametrize(("others", "reason"), [
    ([(10.5, 5.5)], "occupied"),  # someone stands in the door: nobody runs through them
    ([(10.5, 7.5)], None),
    ([], None),
])
def test_a_door_someone_holds_cannot_be_passed(others, reason):
    fix = check_move(OFFICE, Pose(12.5, 0.0, 5.5, 0.0), 8.5, 0.0, 5.5, 1.0, others)
    assert (fix.reason if fix else None) == reason


def test_a_seat_someone_holds_cannot_be_crossed():
    on_seat = [(3.5, 3.5)]  # seat-a1
    assert check_move(OFFICE, Pose(2.5, 0.0, 3.5, 0.0), 4.5, 0.0, 3.5, 1.0, on_seat).reason == "occupied"
    assert check_move(OFFICE, Pose(2.5, 0.0, 2.5, 0.0), 4.5, 0.0, 2.5, 1.0, on_seat) is None


@pytest.mark.parametrize(("inside", "start", "reason"), [
    (8, (12.5, 5.5), "zone_full"),  # meeting room A holds 8
    (7, (12.5, 5.5), None),
    (8, (5.5, 5.5), None),  # moving about inside the room it is already in
])
def test_a_full_meeting_room_admits_nobody_more(inside, start, reason):
    others = [(2.5 + i % 4, 2.5 + i // 4 * 4) for i in range(inside)] + [(15.5, 12.5)] * 5
    fix = check_move(OFFICE, Pose(start[0], 0.0, start[1], 0.0), 8.5, 0.0, 5.5, 1.0, others)
    assert (fix.reason if fix else None) == reason
    if fix:
        assert (fix.x, fix.z) == start


def test_the_travel_budget_is_a_setting():
    long = Limits(budget_s=3.0)
    prev = Pose(3.5, 0.0, 12.5, 0.0)
    assert check_move(OFFICE, prev, 21.5, 0.0, 12.5, 3.0, [], long) is None
    assert check_move(OFFICE, prev, 21.5, 0.0, 12.5, 3.0, []).reason == "speed"


@pytest.mark.parametrize(("a", "b", "crosses"), [
    ((1.5, 1.5), (2.5, 2.5), True),  # squeezing between two walls that touch at a corner
    ((1.5, 1.5), (1.9, 1.9), False),
    ((2.5, 2.5), (2.5, 2.5), False),
])
def test_walls_touching_at_a_corner_seal_it(a, b, crosses):
    assert crosses_wall(SQUEEZE, *a, *b) is crosses


@pytest.mark.parametrize(("a", "b", "crosses"), [
    ((0.0, 0.0), (4.0, 4.0), True),  # diagonally through
    ((0.0, 2.5), (4.0, 2.5), False),  # along its edge
    ((0.0, 1.5), (1.4, 1.5), False),  # stops short
    ((2.0, 2.0), (2.0, 2.0), True),  # standing on it
    ((2.0, 0.0), (2.0, 4.0), True),
])
def test_a_path_through_an_object(a, b, crosses):
    seat = WorldObject(id="s", kind="seat", x=2.0, z=2.0, w=1.0, d=1.0, exclusive=True)
    assert crosses_object(seat, *a, *b) is crosses


# Through a real edge ------------------------------------------------------


@pytest.fixture
async def office_room(room, put_world):
    """The office, its meeting room A holding two; the first two members
    spawn inside room A, then one in room B, then one by room A's door."""
    world = to_json(OFFICE)
    for zone in world["zones"]:
        if zone["id"] == "meeting-a":
            zone["capacity"] = 2
    world["spawns"] = [{"x": 2.5, "z": 2.5}, {"x": 4.5, "z": 2.5}, {"x": 26.5, "z": 3.5}, {"x": 12.5, "z": 5.5}]
    await put_world(room, parse_world(world))
    return room


@pytest.fixture
async def joined(edge, issuer, office_room):
    opened: list[Client] = []

    async def join(user: str) -> Client:
        client = await Client.connect(edge.url)
        opened.append(client)
        await client.join(office_room, issuer.issue("realtime", user, room=office_room, platform="desktop", name=user))
        return client

    yield join
    for client in opened:
        await client.close()


def step(room: str, seq: int, x: float, z: float, y: float = 0.0) -> dict:
    return {"roomId": room, "seq": seq, "x": x, "y": y, "z": z, "rotY": 0.0}


async def test_a_jump_through_two_walls_after_a_pause_is_corrected(joined, office_room):
    room = office_room
    ann, bob = await joined("ann"), await joined("bob")  # in meeting room A
    cat = await joined("cat")  # in meeting room B, 18 m east of room A's seats
    await asyncio.sleep(3.0)  # standing still
    await cat.send("avatar_transform", **step(room, 1, 8.5, 3.5))
    fix = await cat.wait("position_correction")
    assert fix == {"seq": 1, "x": 26.5, "y": 0.0, "z": 3.5, "reason": "wall"}
    await cat.send("avatar_transform", **step(room, 2, 26.5, 3.5, y=3.5))  # straight up through the ceiling
    await cat.wait("position_correction", seq=2)
    await cat.send("avatar_transform", **step(room, 3, 26.5, 3.5, y=0.9))  # a 0.9 m hop
    assert (await cat.wait("position_correction", seq=3))["reason"] == "climb"
    await cat.send("avatar_transform", **step(room, 4, 26.0, 3.5))  # an honest step is still fine
    await cat.wait("avatar_transform_broadcast", userId="cat", seq=4)
    await cat.send("heartbeat", roomId=room, clientTimeMs=0)
    await cat.wait("heartbeat_ack")
    await asyncio.sleep(0.2)
    for viewer in (ann, bob, cat):
        assert [e["seq"] for e in viewer.events("avatar_transform_broadcast", userId="cat")] in ([], [4])


async def test_a_full_meeting_room_refuses_a_third(joined, office_room):
    room = office_room
    ann = await joined("ann")
    await joined("bob")  # room A (capacity 2) is full
    await joined("cat")
    dan = await joined("dan")  # by room A's door
    await asyncio.sleep(1.0)
    await dan.send("avatar_transform", **step(room, 1, 9.5, 5.5))  # through the door into room A
    fix = await dan.wait("position_correction")
    assert fix == {"seq": 1, "x": 12.5, "y": 0.0, "z": 5.5, "reason": "zone_full"}
    await ann.close()
    await dan.wait("member_left", userId="ann")
    await dan.send("avatar_transform", **step(room, 2, 9.5, 5.5))  # a place is free now
    await dan.wait("zone_changed", userId="dan", zoneId="meeting-a")
    assert len(dan.events("position_correction")) == 1


async def test_the_movement_limits_are_settings(start_edge, issuer, office_room):
    node = start_edge(VIRTUBAR_EDGE_MAX_CLIMB_M="0.1")
    ann = await Client.connect(node.url)
    await ann.join(office_room, issuer.issue("realtime", "ann", room=office_room, platform="desktop", name="Ann"))
    await asyncio.sleep(0.5)
    await ann.send("avatar_transform", **step(office_room, 1, 2.5, 2.5, y=0.3))  # within the default 0.6 m
    assert (await ann.wait("position_correction"))["reason"] == "climb"
    await ann.close()
