"""Failures are seen and survived: a background task that fails is logged
with its room and member, the node's long-lived loops outlive a bad pass,
and a listener whose new tracks go unanswered is told and offered them
again."""

import asyncio
import logging
import time
from types import SimpleNamespace

import msgspec
import pytest

from sfu_node import node as sfu_node_module
from sfu_node import peer as peer_module
from sfu_node import presence, tasks
from sfu_node.metrics import Metrics
from sfu_node.node import SfuNode
from sfu_node.room import Room
from tests.sfu.client import VoiceClient
from tests.sfu.conftest import SECRET
from tests.sfu.media import encode_opus
from tests.sfu.test_feed import Setup
from tests.sfu.test_room import bar_room
from tests.sfu.test_voice import until
from virtubar import keys
from virtubar.registry import Registry
from virtubar.settings import Settings
from virtubar.signaling import ANSWER_TIMEOUT, OUTLETS_FAILED, SessionDescription
from virtubar.state import LocalState
from virtubar.wire import Error
from virtubar.world import default_world, to_json


def errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_key_frame_request_that_fails_is_logged_with_its_room_and_member(caplog):
    async def unreachable(ssrc: int) -> None:
        raise ConnectionError("the publisher's transport is closed")

    room = Room("r1", default_world("bar"), Metrics())
    room.videos[("ann", "camera")] = [SimpleNamespace(_send_rtcp_pli=unreachable), 1234]
    assert room.request_keyframe(("ann", "camera"), now=1.0)
    await asyncio.sleep(0.05)
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == "task_failed"
    assert "camera key frame" in record.fields["what"]
    assert (record.fields["roomId"], record.fields["userId"]) == ("r1", "ann")
    assert record.exc_info[0] is ConnectionError


async def test_one_failed_tick_in_a_room_neither_stops_loudness_switching_nor_the_other_rooms(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(sfu_node_module, "TICK_S", 0.01)
    node = SfuNode(Settings(data=tmp_path, token_secret=SECRET).completed())
    broken, fine = node.room("broken"), node.room("fine")
    ticks = {"broken": 0, "fine": 0}

    def counting(room, fail_first: bool):
        def reselect(now=None) -> int:
            ticks[room.id] += 1
            if fail_first and ticks[room.id] == 1:
                raise RuntimeError("a bad pass")
            return 0

        return reselect

    broken.reselect, fine.reselect = counting(broken, True), counting(fine, False)
    await node.start()
    try:
        await until(lambda: ticks["broken"] > 3 and ticks["fine"] > 3, timeout=5)
    finally:
        await node.stop()
    assert any("selection tick failed in room broken" in line for line in errors(caplog))


async def test_after_a_failed_pass_the_tick_still_switches_to_the_new_loudest_speaker(tmp_path, monkeypatch):
    """The stand-in listener of ``test_room`` hears s1; its first tick
    fails; s2 then speaks up and the tick still gives the listener s2."""
    monkeypatch.setattr(sfu_node_module, "TICK_S", 0.01)
    node = SfuNode(Settings(data=tmp_path, token_secret=SECRET).completed())
    room, lis = bar_room()
    node.rooms[room.id] = room
    show, failed = lis.show, []

    def failing_once(audio, video):
        if not failed:
            failed.append(audio)
            raise RuntimeError("a bad pass")
        return show(audio, video)

    async def s2_speaks_up() -> None:
        while True:
            now = time.perf_counter()
            room.meters["s1"].add(127, now)
            room.meters["s2"].add(5, now)
            await asyncio.sleep(0.01)

    lis.show = failing_once
    await node.start()
    speaking = asyncio.create_task(s2_speaks_up())
    try:
        await until(lambda: lis.shown and lis.shown[-1] == [("s2", "mic")], timeout=5)
    finally:
        speaking.cancel()
        node.rooms.clear()  # a stand-in listener has no socket to drain
        await node.stop()
    assert failed


async def test_the_world_watch_outlives_a_world_that_fails_to_apply(monkeypatch, caplog):
    monkeypatch.setattr(presence, "WORLD_POLL_S", 0.02)
    s = Setup()
    applied = []
    rewrite = s.room.rewrite

    def flaky(world) -> None:
        if not applied:
            applied.append("failed")
            raise RuntimeError("a bad pass")
        applied.append(world.hearingRadius)
        rewrite(world)

    s.room.rewrite = flaky
    hushed = to_json(default_world("bar"))
    hushed["hearingRadius"] = 1.0
    await s.state.put(keys.room_setup("r1"), "world", msgspec.json.encode(hushed), 60)
    watch = asyncio.create_task(s.platform.watch_worlds())
    try:
        await until(lambda: 1.0 in applied, timeout=5)
    finally:
        watch.cancel()
    assert s.room.scape.world.hearingRadius == 1.0
    assert any("following the world of room r1 failed" in r.getMessage() for r in caplog.records)


async def test_a_registry_outage_at_start_does_not_leave_the_node_unlisted(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(tasks, "RESTART_S", 0.02)
    announce, failures = Registry.announce, []

    async def flaky(self, node, ttl_s=15.0):
        if not failures:
            failures.append(node.id)
            raise ConnectionError("the registry is down")
        await announce(self, node, ttl_s)

    monkeypatch.setattr(Registry, "announce", flaky)
    state = LocalState()
    node = SfuNode(Settings(data=tmp_path, token_secret=SECRET).completed(), state)
    await node.start()
    try:
        for _ in range(100):
            if await Registry(state).live("sfu"):
                break
            await asyncio.sleep(0.02)
        assert [n.id for n in await Registry(state).live("sfu")] == [node.id]
    finally:
        await node.stop()
    assert failures == [node.id]
    assert any("registry heartbeat failed" in line for line in errors(caplog))


@pytest.fixture
def quick_answers(monkeypatch):
    monkeypatch.setattr(peer_module, "ANSWER_TIMEOUT_S", 1.0)
    monkeypatch.setattr(peer_module, "RETRY_PAUSE_S", 0.1)


def sfu_offers(client: VoiceClient) -> list[SessionDescription]:
    return [s for s in client.signals if isinstance(s, SessionDescription) and s.type == "offer"]


async def test_a_listener_that_misses_the_offer_of_new_tracks_is_told_and_offered_again(sfu, quick_answers):
    room = sfu.node.room("room-1")
    room.move("ann", 3, 3)
    room.move("bob", 5, 3)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10))
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    bob.unanswered = 1  # the first offer of ann's track is lost
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: bob.received_from("ann") > 10, timeout=15)
        told = [s for s in bob.signals if isinstance(s, Error)]
        assert [e.code for e in told] == [ANSWER_TIMEOUT]
        assert len(sfu_offers(bob)) == 2 and sfu_offers(bob)[0].sdp == sfu_offers(bob)[1].sdp  # the same again
    finally:
        await asyncio.gather(ann.close(), bob.close())


async def test_a_listener_that_never_answers_is_offered_three_times_then_told_the_sfu_gave_up(sfu, quick_answers):
    room = sfu.node.room("room-1")
    room.move("ann", 3, 3)
    room.move("bob", 5, 3)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10))
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    bob.unanswered = 100
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: any(isinstance(s, Error) and s.code == OUTLETS_FAILED for s in bob.signals), timeout=15)
        assert [s.code for s in bob.signals if isinstance(s, Error)] == [ANSWER_TIMEOUT, ANSWER_TIMEOUT, OUTLETS_FAILED]
        assert len(sfu_offers(bob)) == peer_module.ANSWER_TRIES
        await asyncio.sleep(1.5)  # no fourth offer
        assert len(sfu_offers(bob)) == peer_module.ANSWER_TRIES
        assert bob.received_from("ann") == 0
    finally:
        await asyncio.gather(ann.close(), bob.close())
