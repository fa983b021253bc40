"""The edge's pure rules, without sockets."""

from __future__ import annotations

import pytest

from realtime_edge.app import origin_allowed
from realtime_edge.chat import hears, text_problem
from realtime_edge.movement import Pose, check_move
from realtime_edge.protocol import BadMessage, choose_subprotocol, decode
from realtime_edge.ratelimit import TokenBucket
from realtime_edge.relay import BUDGET as MOVES
from realtime_edge.seats import Seats
from virtubar import wire
from virtubar.state import LocalState
from virtubar.world import default_world, parse_world, to_json

BAR = default_world("bar")
OFFICE = default_world("office")


def test_token_bucket_allows_the_rate_on_average():
    bucket = TokenBucket(20, burst=5, now=0.0)
    allowed = sum(bucket.allow(i / 100) for i in range(300))  # 100 tries a second for 3 s
    assert 60 <= allowed <= 65


def test_mobile_moves_slower_than_desktop():
    desktop, mobile = MOVES.bucket("desktop", 0.0), MOVES.bucket("mobile", 0.0)
    tries = [i / 100 for i in range(1000)]
    assert sum(map(desktop.allow, tries)) > sum(map(mobile.allow, tries)) >= 150


def test_an_honest_walk_is_accepted():
    prev = Pose(10.5, 0.0, 7.5, 0.0)
    assert check_move(BAR, prev, 11.5, 0.0, 7.5, 0.25, []) is None


@pytest.mark.parametrize(("x", "y", "z", "reason"), [
    (-1, 0, 5, "bounds"), (10, 0, 99, "bounds"), (10.5, 50, 7.5, "bounds"),
    (10.5, 0, 2.5, "wall"), (0.5, 0, 0.5, "wall"), (14.5, 0, 7.5, "speed"),
])
def test_impossible_moves_go_back(x, y, z, reason):
    prev = Pose(10.5, 0.0, 7.5, 0.0)
    fix = check_move(BAR, prev, x, y, z, 0.25, [])
    assert (fix.reason, fix.x, fix.z) == (reason, 10.5, 7.5)


def test_a_long_pause_allows_a_long_walk():
    assert check_move(BAR, Pose(10.5, 0.0, 7.5, 0.0), 14.5, 0.0, 7.5, 1.0, []) is None


def test_exclusive_seat_goes_to_the_first_sitter():
    stool = (4.5, 4.0)
    prev = Pose(4.5, 0.0, 5.0, 0.0)
    assert check_move(BAR, prev, *(4.5, 0.0, 4.1), 0.5, [stool]).reason == "occupied"
    assert check_move(BAR, prev, *(4.5, 0.0, 4.1), 0.5, [(9.0, 4.0)]) is None
    seated = Pose(4.5, 0.0, 4.0, 0.0)  # holding it already: shuffling on the seat is fine
    assert check_move(BAR, seated, 4.6, 0.0, 4.1, 0.5, [(4.5, 4.0)]) is None


def test_a_portal_to_a_zone_takes_the_member_there_at_once():
    town = to_json(default_world("world"))
    town["objects"].append({"id": "to-cafe", "kind": "portal", "x": 20.5, "z": 35.5, "target": "cafe"})
    town = parse_world(town)
    on_portal = Pose(20.5, 0.0, 35.5, 0.0)
    assert check_move(town, on_portal, 7.5, 0.0, 7.5, 0.1, []) is None  # 30 m in a tick: into the cafe
    assert check_move(town, on_portal, 33.5, 0.0, 7.5, 0.1, []) is not None  # the library is not where it goes
    assert check_move(town, Pose(20.5, 0.0, 33.0, 0.0), 7.5, 0.0, 7.5, 0.1, []) is not None  # nor from beside it


def test_without_a_previous_pose_a_correction_goes_to_a_spawn():
    fix = check_move(BAR, None, 0.5, 0.0, 0.5, 0.0, [])
    assert (fix.x, fix.z) == (BAR.spawns[0].x, BAR.spawns[0].z)


def member(uid: str, x: float, z: float, zone: str) -> wire.Member:
    return wire.Member(userId=uid, displayName=uid, avatarId="a", x=x, z=z, zoneId=zone)


def test_who_hears_chat():
    a, near, far, meeting = (member("a", 15, 15, "floor"), member("b", 17, 15, "floor"),
                             member("c", 25, 15, "floor"), member("d", 5, 5, "meeting-a"))
    assert [hears(OFFICE, "local", a, m) for m in (near, far, meeting)] == [True, False, False]
    assert [hears(OFFICE, "zone", a, m) for m in (near, far, meeting)] == [True, True, False]
    assert [hears(OFFICE, "room", a, m) for m in (near, far, meeting)] == [True, True, True]


def test_chat_text_rules():
    assert text_problem("hi") is None and text_problem("x" * 240) is None
    assert text_problem(" \n")[0] == "chat_empty"
    assert text_problem("x" * 241)[0] == "chat_too_long"


@pytest.mark.parametrize(("frame", "code"), [
    (b"\xff", "malformed"), ("[1,2]", "malformed"), ('{"t":"fly","v":1,"ts":0,"payload":{}}', "unknown_event"),
    ('{"t":"emote","v":1,"ts":0,"payload":{"roomId":"r","emoteId":"boom"}}', "unknown_emote"),
    ('{"t":"local_chat","v":1,"ts":0,"payload":{"roomId":"r","text":""}}', "chat_empty"),
    ('{"t":"heartbeat","v":2,"ts":0,"payload":{"roomId":"r","clientTimeMs":1}}', "invalid_payload"),
])
def test_bad_frames_are_named(frame, code):
    with pytest.raises(BadMessage) as e:
        decode(frame, isinstance(frame, bytes))
    assert e.value.error.code == code


def test_subprotocol_choice():
    assert choose_subprotocol(["virtubar.json", "virtubar.msgpack"]) == "virtubar.msgpack"
    assert choose_subprotocol(["virtubar.json"]) == "virtubar.json"
    assert choose_subprotocol([]) is None


def test_origin_allowlist():
    allowed = ["https://bar.example", "http://localhost:8080/"]
    assert origin_allowed("https://bar.example", allowed, False)
    assert origin_allowed("http://localhost:8080", allowed, False)
    assert not origin_allowed("https://evil.example", allowed, True)
    assert not origin_allowed(None, allowed, False) and origin_allowed(None, allowed, True)


def test_interest_splits_near_from_far():
    from realtime_edge.zones import interest_split

    moves = [wire.envelope(wire.AvatarTransformBroadcast(userId=u, seq=1, x=x, y=0, z=5, rotY=0))
             for u, x in (("a", 2.0), ("b", 13.0), ("c", 15.0))]
    near, far = interest_split(BAR, 2.0, 5.0, moves)  # the bar's hearing radius is 6 m: far is beyond 12 m
    assert [e.payload.userId for e in near] == ["a", "b"] and [e.payload.userId for e in far] == ["c"]


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("n", [0, 1, 15, 16, 70_000])
def test_a_frame_joined_from_encoded_moves_is_the_encoded_list(binary, n):
    from realtime_edge.frames import array_frame, encode

    moves = [wire.envelope(wire.AvatarTransformBroadcast(userId=f"u{i}", seq=i, x=1.5, y=0, z=2, rotY=0))
             for i in range(n)]
    pieces = [encode(m, True) if binary else encode(m, False).encode() for m in moves]
    assert array_frame(pieces, binary) == encode(moves, binary)


@pytest.mark.parametrize("viewer", [(2.0, 5.0), (10.0, 7.0), (14.0, 5.0), (19.5, 13.5)])
def test_all_near_only_when_no_mover_is_far(viewer):
    from realtime_edge.zones import all_near, interest_split, spread

    def at(*points):
        return [wire.envelope(wire.AvatarTransformBroadcast(userId=f"u{i}", seq=1, x=x, y=0, z=z, rotY=0))
                for i, (x, z) in enumerate(points)]

    for movers in (at((3, 5)), at((3, 5), (13, 6)), at((1, 1), (19, 13)), at((1, 13), (19, 1))):
        _, far = interest_split(BAR, *viewer, movers)
        assert not all_near(BAR, *viewer, spread(movers)) or far == [], (viewer, movers)
    assert all_near(BAR, *viewer, spread(at(viewer, (viewer[0] + 1, viewer[1] - 1))))  # a cluster around the viewer


async def test_a_late_release_does_not_free_a_seat_taken_over_since():
    seats = Seats(LocalState(), ttl_s=30)
    assert await seats.take("r", "ann", {"stool-1"}, members={"ann"})
    assert await seats.take("r", "bob", {"stool-1"}, members={"bob"})  # ann's node died: bob takes over
    await seats.release("r", "ann", {"stool-1"})  # ann's node's release, arriving late
    assert not await seats.take("r", "cat", {"stool-1"}, members={"bob", "cat"})
    await seats.release("r", "bob", {"stool-1"})
    assert await seats.take("r", "cat", {"stool-1"}, members={"bob", "cat"})


def moves_at(*points, seq: int = 1) -> list:
    return [wire.envelope(wire.AvatarTransformBroadcast(userId=u, seq=seq, x=x, y=0, z=z, rotY=0))
            for u, x, z in points]


def test_moves_go_to_the_space_the_mover_is_in():
    """A meeting room is a space of its own; the floor and the stage share the open space."""
    from realtime_edge.routing import by_space
    from realtime_edge.spaces import private_zones

    private = private_zones(OFFICE)
    assert private == {"meeting-a", "meeting-b"}
    groups, where = by_space(OFFICE, private, moves_at(("a", 15.5, 19.5), ("b", 5.0, 5.0), ("c", 25.0, 20.0)))
    assert {space: [e.payload.userId for e in envs] for space, envs in groups.items()} == {
        None: ["a", "c"], "meeting-a": ["b"]}
    assert where == {"a": "floor", "b": "meeting-a", "c": "stage"}


def test_a_snapshot_names_everyone_but_places_only_those_in_the_viewers_space():
    from realtime_edge.spaces import view

    people = [member("in", 5.0, 5.0, "meeting-a"), member("out", 15.5, 19.5, "floor"),
              member("up", 25.0, 20.0, "stage")]
    outside = {m.userId: (m.x, m.z, m.zoneId) for m in view(OFFICE, people, "floor")}
    assert outside == {"in": (0.0, 0.0, "meeting-a"), "out": (15.5, 19.5, "floor"), "up": (25.0, 20.0, "stage")}
    inside = {m.userId: (m.x, m.z, m.zoneId) for m in view(OFFICE, people, "meeting-a")}
    assert inside == {"in": (5.0, 5.0, "meeting-a"), "out": (0.0, 0.0, "floor"), "up": (0.0, 0.0, "stage")}


def test_a_quiet_zone_sends_every_move_to_every_viewer():
    from realtime_edge.routing import plan

    assert plan(BAR, moves_at(("a", 2.0, 5.0), ("c", 18.0, 5.0)), None, crowded=False, far_tick=False) == (None, None)


def test_a_crowded_zone_holds_far_moves_until_the_far_tick():
    from realtime_edge.routing import plan

    viewer = member("v", 2.0, 5.0, "bar")  # the bar's hearing radius is 6 m: far is beyond 12 m
    first = moves_at(("a", 3.0, 5.0), ("c", 18.0, 5.0))
    pick, held = plan(BAR, first, None, crowded=True, far_tick=False)
    assert [e.payload.userId for e in pick(viewer)] == ["a"]  # c is far: held back
    assert pick(member("w", 10.0, 5.0, "bar")) is first  # near both: the whole frame
    second = moves_at(("a", 3.1, 5.0), seq=2)  # c stood still since
    pick, held = plan(BAR, second, held, crowded=True, far_tick=False)
    assert [e.payload.userId for e in pick(viewer)] == ["a"] and set(held) == {"a", "c"}
    pick, held = plan(BAR, moves_at(("a", 3.2, 5.0), seq=3), held, crowded=True, far_tick=True)
    assert [(e.payload.userId, e.payload.seq) for e in pick(viewer)] == [("a", 3), ("c", 1)]  # where c stopped
    assert held is None
