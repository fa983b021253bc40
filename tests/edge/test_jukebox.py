"""The room's jukebox through real sockets on a fleet of edge nodes over
redis-server: everyone gets the same start time, a late joiner finds the
song where it is, a majority skips, up-votes reorder, and the music goes on
when the node that started it dies. Durations come from the catalog the
functions mirror; the tracks here last a few seconds."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from realtime_edge.features import jukebox_rules as rules
from tests.edge.client import Client
from tests.edge.test_timer import FAST, env, joined, setup
from virtubar import keys, wire
from virtubar.focus import TimerPolicy
from virtubar.state import RedisState

SONGS = {"a" * 32: ("Opening", 60_000), "b" * 32: ("Second", 2_500), "c" * 32: ("Third", 30_000)}
A, B, C = SONGS


async def catalog(state, room: str, playlist: list[str] | None = None) -> None:
    """What the functions mirror when the room's library is read."""
    for track_id, (title, ms) in SONGS.items():
        info = wire.TrackInfo(trackId=track_id, title=title, durationMs=ms)
        await state.put(keys.room_music(room), keys.music_track(track_id), msgspec.json.encode(info), 3600)
    if playlist is not None:
        await state.put(keys.room_music(room), keys.MUSIC_PLAYLIST, msgspec.json.encode(playlist), 3600)


async def until(client: Client, holds, timeout: float = 8.0) -> dict:
    """The first ``music_state`` the client got for which ``holds`` is true (waits for it)."""
    async def find() -> dict:
        while True:
            found = [s for s in client.events("music_state") if holds(s)]
            if found:
                return found[0]
            await asyncio.sleep(0.05)
    return await asyncio.wait_for(find(), timeout)


def playing(track: str):
    return lambda s: (s.get("nowPlaying") or {}).get("trackId") == track


@pytest.fixture
async def fleet(start_edge, redis_url, room):
    """Two edge nodes over one redis-server, the room set up as the functions do."""
    state = RedisState(redis_url)
    await setup(state, room, template="bar")
    await catalog(state, room)
    yield [start_edge(**env(FAST)) for _ in range(2)], state
    await state.close()


async def test_players_on_two_nodes_get_the_same_start_and_a_late_joiner_the_song_where_it_is(fleet, issuer, room):
    (node_a, node_b), _ = fleet
    ann, bob = await joined(node_a.url, issuer, room, "ann"), await joined(node_b.url, issuer, room, "bob")
    await ann.send("queue_track", roomId=room, trackId=A)
    seen_a, seen_b = await ann.wait("music_state"), await bob.wait("music_state")
    assert seen_a["nowPlaying"]["startedAtServerMs"] == seen_b["nowPlaying"]["startedAtServerMs"]
    assert (seen_b["nowPlaying"]["trackId"], seen_b["nowPlaying"]["durationMs"]) == (A, 60_000)
    await asyncio.sleep(1.0)
    cat = await joined(node_b.url, issuer, room, "cat")
    music = cat.events("room_state")[0]["music"]
    assert music["nowPlaying"]["startedAtServerMs"] == seen_a["nowPlaying"]["startedAtServerMs"]
    assert music["serverTimeMs"] - music["nowPlaying"]["startedAtServerMs"] >= 1000  # joins a second in
    for c in (ann, bob, cat):
        await c.close()


async def test_more_than_half_skip_and_up_votes_reorder_the_queue(fleet, issuer, room):
    (node_a, node_b), _ = fleet
    ann, bob = await joined(node_a.url, issuer, room, "ann"), await joined(node_b.url, issuer, room, "bob")
    cat = await joined(node_b.url, issuer, room, "cat")
    for track in (A, B, C):
        await ann.send("queue_track", roomId=room, trackId=track)
    await until(cat, lambda s: len(s.get("queue", [])) == 2)
    await cat.send("vote", roomId=room, trackId=C, vote="up")
    voted = await until(cat, lambda s: s.get("queue") and s["queue"][0].get("upBy") == ["cat"])
    assert [q["trackId"] for q in voted["queue"]] == [C, B]
    await bob.send("vote", roomId=room, trackId=A, vote="skip")  # one of three: not yet
    once = await until(ann, lambda s: s["nowPlaying"].get("skipBy") == ["bob"])
    assert once["nowPlaying"]["trackId"] == A
    await cat.send("vote", roomId=room, trackId=A, vote="skip")  # two of three
    now = await until(ann, playing(C))
    assert [q["trackId"] for q in now["queue"]] == [B]
    assert now["nowPlaying"]["startedAtServerMs"] > once["nowPlaying"]["startedAtServerMs"]
    for c in (ann, bob, cat):
        await c.close()


async def test_the_music_goes_on_when_the_node_that_started_it_dies(fleet, issuer, room, start_edge):
    (node_a, node_b), _ = fleet
    ann, bob = await joined(node_a.url, issuer, room, "ann"), await joined(node_b.url, issuer, room, "bob")
    await ann.send("queue_track", roomId=room, trackId=B)
    await ann.send("queue_track", roomId=room, trackId=C)
    first = (await until(bob, lambda s: len(s.get("queue", [])) == 1))["nowPlaying"]
    assert first["trackId"] == B
    node_a.kill()
    second = await until(bob, playing(C), timeout=10)
    assert second["nowPlaying"]["startedAtServerMs"] == first["startedAtServerMs"] + 2_500  # no drift
    await asyncio.sleep(1.5)
    assert len([s for s in bob.events("music_state") if playing(C)(s)]) == 1  # started once
    dee = await joined(node_b.url, issuer, room, "dee")
    assert dee.events("room_state")[0]["music"]["nowPlaying"]["trackId"] == C
    for c in (bob, dee):
        await c.close()


async def test_a_track_not_in_the_library_is_refused_and_changes_nothing(fleet, issuer, room):
    (node_a, _), _ = fleet
    ann = await joined(node_a.url, issuer, room, "ann")
    await ann.send("queue_track", roomId=room, trackId="d" * 32)
    assert (await ann.wait("error", event="queue_track"))["code"] == "unknown_track"
    await ann.send("vote", roomId=room, trackId=A, vote="skip")
    assert (await ann.wait("error", event="vote"))["code"] == "bad_music"
    bob = await Client.connect(node_a.url)
    await bob.join(room, issuer.issue("realtime", "bob", room=room, platform="desktop", name="Bob"))
    assert "music" not in bob.events("room_state")[0]
    await ann.send("queue_track", roomId=room, trackId=A, durationMs=1)  # a client's word on the length counts not
    assert (await until(bob, playing(A)))["nowPlaying"]["durationMs"] == 60_000
    for c in (ann, bob):
        await c.close()


async def test_the_default_playlist_plays_when_nothing_is_queued(start_edge, redis_url, room, issuer):
    state = RedisState(redis_url)
    await setup(state, room, template="bar")
    await catalog(state, room, playlist=[B, A])
    node = start_edge(**env(FAST))
    ann = await joined(node.url, issuer, room, "ann")
    first = await until(ann, playing(B))
    assert first["nowPlaying"].get("byUserId") is None
    then = await until(ann, playing(A))
    assert then["nowPlaying"]["startedAtServerMs"] == first["nowPlaying"]["startedAtServerMs"] + 2_500
    assert [s["nowPlaying"]["trackId"] for s in ann.events("music_state")] == [B, A]
    await ann.close()
    await state.close()


def test_the_queue_refuses_doubles_and_holds_each_member_to_three():
    track = [wire.TrackInfo(trackId=t, title=n, durationMs=ms) for t, (n, ms) in SONGS.items()]
    jb = rules.queue(rules.Jukebox(), track[0], "ann", 1000)
    assert isinstance(jb, rules.Jukebox) and jb.playing is not None and jb.playing.startedAtMs == 1000
    assert isinstance(rules.queue(jb, track[1], "bob", 1), rules.Jukebox)
    for n in range(3):
        step = rules.queue(jb, wire.TrackInfo(trackId=f"{n:032}", title="x", durationMs=1000), "ann", 2000 + n)
        assert isinstance(step, rules.Jukebox)
        jb = step
    assert rules.queue(jb, track[2], "ann", 3000) == "you have 3 tracks in the queue already"
    queued_twice = rules.queue(rules.queue(jb, track[2], "bob", 3000), track[2], "cat", 3001)  # type: ignore[arg-type]
    assert isinstance(queued_twice, str)


async def test_djs_take_turns_each_playing_their_own_uploads(start_edge, redis_url, room, issuer):
    state = RedisState(redis_url)
    await setup(state, room, template="bar")
    uploads = {"1" * 32: ("Ann's first", "ann"), "2" * 32: ("Bob's", "bob"), "3" * 32: ("Ann's second", "ann")}
    for track_id, (title, by) in uploads.items():
        info = wire.TrackInfo(trackId=track_id, title=title, durationMs=2_000, uploaderId=by)
        await state.put(keys.room_music(room), keys.music_track(track_id), msgspec.json.encode(info), 3600)
    node_a, node_b = start_edge(**env(FAST)), start_edge(**env(FAST))
    ann, bob = await joined(node_a.url, issuer, room, "ann"), await joined(node_b.url, issuer, room, "bob")
    cat = await joined(node_b.url, issuer, room, "cat")
    await cat.send("dj", roomId=room, join=True)
    assert "upload a track first" in (await cat.wait("error", event="dj"))["message"]
    await ann.send("dj", roomId=room, join=True)
    await until(bob, playing("1" * 32))
    await bob.send("dj", roomId=room, join=True)
    await until(cat, playing("2" * 32), timeout=10)
    await until(cat, playing("3" * 32), timeout=10)
    third = await until(cat, playing("3" * 32))
    assert third["nowPlaying"]["byUserId"] == "ann" and third["djs"] == ["bob", "ann"]
    order = [s["nowPlaying"]["trackId"][0] for s in cat.events("music_state") if s.get("nowPlaying")]
    assert [k for i, k in enumerate(order) if i == 0 or order[i - 1] != k][:3] == ["1", "2", "3"]
    before = len(cat.events("music_state"))
    await bob.send("dj", roomId=room, join=False)
    left = await until(cat, lambda s: s in cat.events("music_state")[before:] and "bob" not in s.get("djs", []))
    assert left.get("djs") == ["ann"]
    for c in (ann, bob, cat):
        await c.close()
    await state.close()


def test_the_dj_rotation_goes_round_each_dj_through_their_uploads():
    t = {n: wire.TrackInfo(trackId=n * 32, title=n, durationMs=1000, uploaderId=by)
         for n, by in (("1", "ann"), ("2", "bob"), ("3", "ann"))}
    library = rules.Library(tracks=list(t.values()))
    jb = rules.Jukebox()
    for who in ("ann", "bob"):
        joined_up = rules.dj(jb, who, True, library)
        assert isinstance(joined_up, rules.Jukebox)
        jb = joined_up
    assert rules.dj(jb, "cat", True, library) == "upload a track first: a DJ plays their own uploads"
    played = []
    for at in range(4):
        jb = rules.advance(jb, at * 1000, library)
        assert jb.playing is not None
        played.append((jb.playing.by, jb.playing.trackId[0]))
    assert played == [("ann", "1"), ("bob", "2"), ("ann", "3"), ("bob", "2")]
    queued = rules.queue(jb, t["1"], "cat", 9000)
    assert isinstance(queued, rules.Jukebox)
    assert rules.advance(queued, 10_000, library).playing.trackId == "1" * 32  # a queued track before the DJs
    alone = rules.advance(rules.dj(rules.Jukebox(), "ann", True, library), 0, library)  # type: ignore[arg-type]
    both = rules.dj(alone, "bob", True, library)
    assert isinstance(both, rules.Jukebox) and both.djs == ["bob", "ann"]  # a new DJ is next, not after the one playing


async def test_the_owner_pauses_and_resumes_the_track_where_it_was_and_members_cannot(start_edge, redis_url, room,
                                                                                     issuer):
    state = RedisState(redis_url)
    await setup(state, room, template="bar", policy=TimerPolicy(hosts=["ann"]))  # ann owns the room
    await catalog(state, room)
    node_a, node_b = start_edge(**env(FAST)), start_edge(**env(FAST))
    ann, bob = await joined(node_a.url, issuer, room, "ann"), await joined(node_b.url, issuer, room, "bob")
    await ann.send("queue_track", roomId=room, trackId=B)  # 2.5 s
    await ann.send("queue_track", roomId=room, trackId=C)
    started = (await until(bob, lambda s: playing(B)(s) and len(s.get("queue", [])) == 1))["nowPlaying"]
    await bob.send("pause_music", roomId=room, paused=True)
    refused = await bob.wait("error", event="pause_music")
    assert refused["code"] == "hosts_only" and "owner and moderators" in refused["message"]
    await asyncio.sleep(0.5)
    await ann.send("pause_music", roomId=room, paused=True)
    paused = (await until(bob, lambda s: s["nowPlaying"].get("paused")))["nowPlaying"]
    held = paused["pausedAtServerMs"] - paused["startedAtServerMs"]
    assert paused["trackId"] == B and 400 <= held < 2_500
    await asyncio.sleep(3.0)  # longer than the song had left: the next one does not start
    assert not any(playing(C)(s) for s in bob.events("music_state"))
    cat = await joined(node_b.url, issuer, room, "cat")
    late = cat.events("room_state")[0]["music"]["nowPlaying"]
    assert late["paused"] and late["pausedAtServerMs"] - late["startedAtServerMs"] == held
    mod = await Client.connect(node_a.url)
    await mod.join(room, issuer.issue("realtime", "mo", role="moderator", room=room, platform="desktop", name="Mo"))
    await mod.send("pause_music", roomId=room, paused=False)
    resumed = await until(bob, lambda s: playing(B)(s) and not s["nowPlaying"].get("paused")
                          and s["nowPlaying"]["startedAtServerMs"] != started["startedAtServerMs"])
    assert resumed["serverTimeMs"] - resumed["nowPlaying"]["startedAtServerMs"] - held < 300  # on from where it was
    assert resumed["nowPlaying"]["startedAtServerMs"] >= started["startedAtServerMs"] + 3_000
    after = await until(bob, playing(C), timeout=6)
    assert after["nowPlaying"]["startedAtServerMs"] == resumed["nowPlaying"]["startedAtServerMs"] + 2_500
    for c in (ann, bob, cat, mod):
        await c.close()
    await state.close()


def test_pausing_holds_the_track_and_resuming_shifts_its_start():
    track = wire.TrackInfo(trackId=A, title="Opening", durationMs=60_000)
    jb = rules.queue(rules.Jukebox(), track, "ann", 1_000)
    assert isinstance(jb, rules.Jukebox)
    assert rules.pause(jb, False, 2_000) == "the music is playing already"
    held = rules.pause(jb, True, 11_000)
    assert isinstance(held, rules.Jukebox) and not rules.due(held, 100_000, rules.Library())
    assert rules.pause(held, True, 12_000) == "the music is paused already"
    on = rules.pause(held, False, 41_000)
    assert isinstance(on, rules.Jukebox) and on.playing is not None
    assert (on.playing.startedAtMs, on.playing.pausedAtMs) == (31_000, None)  # 10 s in, as when paused
    assert rules.pause(rules.Jukebox(), True, 0) == "nothing is playing"


def test_the_sfu_reads_the_dj_playing_now_from_the_jukebox_the_edge_keeps():
    from virtubar import stage

    loop = wire.TrackInfo(trackId="t1", title="Loop", durationMs=60_000, uploaderId="ann")
    lib = rules.Library(playlist=[], tracks=[loop])
    jb = rules.dj(rules.Jukebox(), "ann", True, lib)
    assert not isinstance(jb, str) and stage.current_dj(rules.encode(jb)) is None  # in the rotation, not playing yet
    playing = rules.advance(jb, 1_000, lib)
    assert stage.current_dj(rules.encode(playing)) == "ann"
    queued = rules.queue(rules.Jukebox(), lib.tracks[0], "bob", 1_000)
    assert not isinstance(queued, str) and stage.current_dj(rules.encode(queued)) is None  # a queued track is no DJ set
