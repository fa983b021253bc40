"""Who hears whom: zone rules, hearing radius, mutes, blocks, loudest-N."""

import msgspec
import pytest

from sfu_node.listenerscape import Listenerscape
from sfu_node.selection import MAX_CAMERAS, MAX_SCREENS, LevelMeter, Placement, audible, ranked, select
from virtubar.world import default_world


@pytest.fixture
def office():
    return Listenerscape(default_world("office"))  # hearing radius 4 m


def test_six_speakers_cap_three_receives_exactly_the_three_loudest():
    scape = Listenerscape(default_world("bar"), max_speakers=3)
    scape.update("listener", 10, 7)
    levels = {"s1": 60, "s2": 10, "s3": 90, "s4": 25, "s5": 40, "s6": 5}  # -dBov
    for i, sid in enumerate(levels):
        scape.update(sid, 8 + i * 0.5, 8)
    now = 100.0
    meters = {sid: LevelMeter() for sid in levels}
    for step in range(25):
        for sid, level in levels.items():
            meters[sid].add(level, now + step * 0.02)
    order = ranked({sid: m.loudness(now + 0.5) for sid, m in meters.items()})
    assert scape.selection("listener", order) == ["s6", "s2", "s4"]


def test_meeting_room_is_private_both_ways(office):
    office.update("inside", 5, 5)  # meeting-a
    office.update("outside", 10.5, 5)  # open floor, 0.5 m past the meeting room's wall
    office.update("colleague", 6, 5)  # meeting-a too
    everyone = ["inside", "outside", "colleague"]
    assert office.selection("outside", everyone) == []
    assert office.selection("inside", everyone) == ["colleague"]
    assert office.selection("colleague", everyone) == ["inside"]


def test_proximity_follows_the_hearing_radius(office):
    office.update("a", 15, 12)
    office.update("b", 18.9, 12)
    assert office.selection("b", ["a"]) == ["a"]
    office.update("b", 19.1, 12)  # 4.1 m away, radius 4 m
    assert office.selection("b", ["a"]) == []


def test_stage_is_heard_by_the_whole_room_and_quiet_room_by_nobody(office):
    office.update("performer", 25, 20)  # stage
    office.update("far", 2, 2)  # inside meeting-a, far away
    office.update("hush", 3, 19)  # quiet room
    office.update("near-hush", 3.5, 19)
    assert office.selection("far", ["performer"]) == ["performer"]
    assert office.selection("hush", ["performer"]) == ["performer"]
    assert office.selection("near-hush", ["hush"]) == []


def test_moderator_mute_and_blocks_either_way_stop_a_speaker(office):
    for uid, x in (("a", 15), ("b", 16), ("c", 17)):
        office.update(uid, x, 12)
    assert office.selection("a", ["b", "c"]) == ["b", "c"]
    office.mute("b")
    assert office.selection("a", ["b", "c"]) == ["c"]
    office.mute("b", False)
    office.block("c", "a")  # c blocked a: a does not hear c either
    assert office.selection("a", ["b", "c"]) == ["b"]
    assert office.selection("c", ["a", "b"]) == ["b"]


def test_unplaced_members_hear_and_are_heard_by_nobody(office):
    office.update("a", 15, 12)
    assert office.selection("a", ["ghost"]) == []
    assert office.selection("ghost", ["a"]) == []


def test_bad_positions_are_refused_and_change_nothing(office):
    office.update("a", 15, 12)
    version = office.version
    for x, z in ((float("nan"), 1), (-1, 1), (1, 1e9)):
        with pytest.raises(ValueError, match="outside the world"):
            office.update("a", x, z)
    assert office.placements["a"].x == 15 and office.version == version


def test_audible_never_includes_oneself():
    me = Placement("me", 1, 1)
    assert not audible(me, me, 10)
    assert select(me, [me], radius=10) == []


def test_level_meter_smooths_and_fades():
    meter = LevelMeter(window_s=0.5)
    meter.add(0, 0.0)  # one loud packet ...
    for i in range(1, 25):
        meter.add(127, i * 0.02)  # ... among silence
    assert meter.loudness(0.48) == pytest.approx(127 / 25)
    assert meter.loudness(2.0) == 0.0  # packets stopped: silent
    assert LevelMeter().loudness(0) == 0.0


CAMERAS_AND_SCREENS = [("a", "camera"), ("b", "camera"), ("a", "screen")]


def test_office_cameras_follow_proximity_and_a_meeting_room_is_one_grid(office):
    office.update("a", 9.5, 5)  # meeting room A
    office.update("b", 2, 2)  # meeting room A, 8 m from a: beyond the 4 m radius
    office.update("near", 10.5, 5)  # the open floor, 1 m from a through the wall
    office.update("c", 13, 5)  # the open floor, 2.5 m from near
    feeds = [*CAMERAS_AND_SCREENS, ("c", "camera")]
    assert office.videos("b", feeds) == [("a", "camera"), ("a", "screen")]
    assert office.videos("near", feeds) == [("c", "camera")]  # not a's screen, 1 m away in the meeting room
    office.update("c", 15, 5)  # 4.5 m away
    assert office.videos("near", feeds) == []


def test_a_screen_in_open_space_reaches_the_hearing_radius():
    world = Listenerscape(default_world("office"))
    world.update("sharer", 15, 12)
    world.update("near", 18.9, 12)
    world.update("far", 19.1, 12)
    assert world.videos("near", [("sharer", "screen")]) == [("sharer", "screen")]
    assert world.videos("far", [("sharer", "screen")]) == []


def test_a_focus_room_shows_every_camera_to_everyone_and_carries_no_voice():
    focus = Listenerscape(default_world("focus"))  # hearing radius 3 m, audio "none"
    focus.update("a", 1, 1)
    focus.update("b", 15, 11)
    assert focus.videos("b", [("a", "camera")]) == [("a", "camera")]
    assert focus.videos("a", [("b", "camera")]) == [("b", "camera")]
    assert focus.selection("b", ["a"]) == []


def test_cameras_follow_proximity_in_the_bar_and_quiet_rooms_show_none(office):
    bar = Listenerscape(default_world("bar"))
    bar.update("a", 10, 7)
    bar.update("b", 11, 7)
    bar.update("c", 19, 13)
    assert bar.selection("b", ["a"]) == ["a"]
    assert bar.videos("b", [("a", "camera")]) == [("a", "camera")]  # seen where heard
    assert bar.videos("c", [("a", "camera")]) == []  # out of the hearing radius
    office.update("a", 3, 19)  # the quiet room
    office.update("b", 4, 19)
    assert office.videos("b", CAMERAS_AND_SCREENS) == []


def test_tiles_are_capped_loudest_first_blocks_cut_video_a_voice_mute_does_not():
    focus = Listenerscape(default_world("focus"))
    focus.update("viewer", 8, 6)
    members = [f"m{i}" for i in range(12)]
    for i, uid in enumerate(members):
        focus.update(uid, 1 + i, 2)
    feeds = [(uid, "camera") for uid in members] + [(uid, "screen") for uid in members[:3]]
    chosen = focus.videos("viewer", feeds)
    assert chosen == [(uid, "camera") for uid in members[:MAX_CAMERAS]] + [
        (uid, "screen") for uid in members[:MAX_SCREENS]
    ]
    focus.mute("m0")
    assert focus.videos("viewer", feeds)[0] == ("m0", "camera")
    focus.block("m0", "viewer")
    assert ("m0", "camera") not in focus.videos("viewer", feeds)
    assert focus.videos("m0", [("viewer", "camera")]) == []


def test_a_republished_world_moves_members_into_its_zones():
    scape = Listenerscape(default_world("bar"))
    scape.update("a", 10, 7)
    scape.update("b", 11, 7)
    scape.update("edge", 19.5, 13.5)
    hushed = default_world("bar")
    hushed.zones[0].audio = "none"
    hushed.width, hushed.depth = 19, 13
    hushed.grid = [row[:19] for row in hushed.grid[:13]]
    hushed.zones[0].shape.w, hushed.zones[0].shape.d = 19, 13
    scape.rebuild(hushed)
    assert scape.selection("b", ["a"]) == []
    assert "edge" not in scape.placements  # outside the new world: unplaced until it moves


def test_an_event_rooms_dj_and_stage_reach_the_whole_room_other_rooms_keep_their_rules():
    world = default_world("office")
    world.zones = [z if z.type != "stage" else msgspec.structs.replace(z, audio="zone", video="zone")
                   for z in world.zones]  # a stage its owner made zone-only
    scape = Listenerscape(world)
    scape.update("dj", 15, 12)  # the open floor
    scape.update("singer", 25, 20)  # on the stage
    scape.update("far", 5, 5)  # inside meeting-a
    assert scape.selection("far", ["dj", "singer"]) == []
    assert scape.stage(True, "dj")
    assert scape.selection("far", ["dj", "singer"]) == ["dj", "singer"]
    assert scape.videos("far", [("dj", "camera")]) == [("dj", "camera")]
    assert not scape.stage(True, "dj")  # nothing changed
    scape.stage(True, None)  # the DJ's set ended: back to the open floor's radius
    assert scape.selection("far", ["dj", "singer"]) == ["singer"]
    scape.stage(False, "dj")
    assert scape.selection("far", ["dj", "singer"]) == []
