"""Who hears whom: zone rules, hearing radius, mutes, blocks, loudest-N."""

import pytest

from sfu_node.listenerscape import Listenerscape
from sfu_node.selection import LevelMeter, Placement, audible, ranked, select
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
