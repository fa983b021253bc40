"""``Room.reselect`` skips listeners while nothing it reads changed, yet a
move, a mute, a new loudness order or a listener still waiting for outlets
is applied at once."""

from sfu_node.metrics import Metrics
from sfu_node.room import Room
from sfu_node.selection import LevelMeter
from virtubar.world import default_world


class Listener:
    """What reselect reads of a Peer and calls on it."""

    def __init__(self, user_id: str, outlets: int = 1) -> None:
        self.user_id = user_id
        self.outlets = [None] * outlets
        self.waiting = True
        self.shown: list[list] = []

    def show(self, audio: list, video: list) -> list:
        self.shown.append(audio)
        self.waiting = len(audio) > len(self.outlets)
        return []


def bar_room() -> tuple[Room, Listener]:
    room = Room("r", default_world("bar"), Metrics(), max_speakers=1)
    for uid, x in (("lis", 2), ("s1", 3), ("s2", 4)):
        room.move(uid, x, 7)
    lis = Listener("lis")
    room.admit(lis)
    room.meters["s1"], room.meters["s2"] = LevelMeter(), LevelMeter()
    room.meters["s1"].add(10, 0.0)  # -10 dBov: s1 is the louder
    room.meters["s2"].add(60, 0.0)
    return room, lis


def test_a_tick_that_changes_nothing_shows_no_listener_anything():
    room, lis = bar_room()
    room.reselect(now=0.1)
    assert lis.shown == [[("s1", "mic")]]
    room.reselect(now=0.2)
    room.reselect(now=0.3)
    assert len(lis.shown) == 1


def test_a_move_a_mute_and_a_new_loudness_order_take_effect_at_once():
    room, lis = bar_room()
    room.reselect(now=0.1)
    room.move("s1", 18, 7)  # 16 m away: out of the bar's 6 m hearing radius
    assert lis.shown[-1] == [("s2", "mic")]
    room.move("s1", 3, 7)
    assert lis.shown[-1] == [("s1", "mic")]
    room.mute("s1")
    assert lis.shown[-1] == [("s2", "mic")]
    room.mute("s1", False)
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):  # s1 falls silent, s2 speaks up
        room.meters["s1"].add(127, t)
        room.meters["s2"].add(5, t)
    room.reselect(now=0.7)  # the next tick
    assert lis.shown[-1] == [("s2", "mic")]


def test_a_listener_waiting_for_outlets_is_shown_again_every_tick():
    room, lis = bar_room()
    room.scape.max_speakers = 2
    room.reselect(now=0.1)
    room.reselect(now=0.2)
    assert lis.shown == [[("s1", "mic"), ("s2", "mic")]] * 2  # two speakers, one outlet: still waiting
    lis.outlets.append(None)  # the second outlet is negotiated
    room.reselect(now=0.3)
    room.reselect(now=0.4)
    assert len(lis.shown) == 3
