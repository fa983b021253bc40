"""Fill rooms first, as pure logic."""

from functions.matchmaking import Candidate, fill_order


def test_fullest_room_with_space_comes_first_and_full_rooms_are_skipped():
    rooms = [Candidate("quiet", 1, 30), Candidate("full", 30, 30), Candidate("busy", 20, 30), Candidate("empty", 0, 8)]
    assert [c.room_id for c in fill_order(rooms)] == ["busy", "quiet", "empty"]


def test_no_room_with_space_gives_nothing():
    assert fill_order([Candidate("a", 5, 5)]) == []
