"""A room's music library: a host uploads real audio (type and duration read
from the bytes), anything else is refused and not kept, tracks play with
byte ranges and long caching, and the jukebox's catalog is mirrored for the
edge."""

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from functions.tables import Track
from functions.trackfiles import TICKET_TTL_S, S3Tracks
from functions.tracks import drop_unfinished
from virtubar import keys, wire

from .audio_files import flac, m4a, mp3, ogg_opus, ogg_vorbis, wav
from .conftest import sign_in
from .test_bad_input import assert_problem
from .test_evidence import s3_settings  # noqa: F401 (a fixture)
from .test_focus_sessions import in_app
from .test_moderation import staff
from .test_safety import s3_endpoint  # noqa: F401 (a fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 16
MIB = 1024 * 1024


async def bar(client, owner) -> str:
    r = await client.post("/api/rooms", json={"name": "Jukebox Bar", "template": "bar"}, headers=owner["headers"])
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def start(client, who, room_id, size: int, title: str = "Song"):
    return await client.post(f"/api/rooms/{room_id}/tracks", json={"title": title, "size": size},
                             headers=who["headers"])


async def upload(client, who, room_id, body: bytes, title: str = "Song"):
    r = await start(client, who, room_id, len(body), title)
    assert r.status_code == 201, r.text
    ticket = r.json()["upload"]
    put = await client.put("/api/" + ticket["url"].split("/api/", 1)[1], content=body)
    return r.json()["track"], put


def stored(settings) -> list:
    return [p for p in (settings.data / "objects").rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("make", "content_type"),
    [(wav, "audio/wav"), (mp3, "audio/mpeg"), (ogg_opus, "audio/ogg"), (ogg_vorbis, "audio/ogg"),
     (flac, "audio/flac"), (m4a, "audio/mp4")],
)
async def test_a_host_uploads_real_audio_with_the_duration_read_from_it(client, player, settings, make, content_type):
    owner = await player()
    room_id = await bar(client, owner)
    track, put = await upload(client, owner, room_id, make(3.0), "Three seconds")
    assert track["status"] == "pending"
    assert put.status_code == 200, put.text
    ready = put.json()
    assert ready["contentType"] == content_type and abs(ready["durationMs"] - 3000) < 50
    items = (await client.get(f"/api/rooms/{room_id}/tracks", headers=owner["headers"])).json()["items"]
    assert [(t["id"], t["title"], t["status"]) for t in items] == [(track["id"], "Three seconds", "ready")]


async def test_a_png_named_like_a_song_is_415_and_nothing_is_kept(client, player, settings):
    owner = await player()
    room_id = await bar(client, owner)
    track, put = await upload(client, owner, room_id, PNG, "song.mp3")
    assert_problem(put, 415)
    assert stored(settings) == []
    items = (await client.get(f"/api/rooms/{room_id}/tracks", headers=owner["headers"])).json()["items"]
    assert items == []
    assert_problem(await client.get(f"/api/tracks/{track['id']}/audio"), 404)
    assert not await in_app(client, Track.exists().where(Track.id == track["id"]).run)  # removed, not only hidden


async def test_a_track_over_the_size_limit_is_413(client, player, settings):
    owner = await player()
    room_id = await bar(client, owner)
    assert_problem(await start(client, owner, room_id, 21 * MIB), 413)
    r = await start(client, owner, room_id, 1000)
    path = "/api/" + r.json()["upload"]["url"].split("/api/", 1)[1]
    assert_problem(await client.put(path, content=wav(1.0)[:44] + b"\x00" * (21 * MIB)), 413)
    assert stored(settings) == []
    assert await in_app(client, Track.count().run) == 0  # the refused track is gone, row and all
    assert_problem(await client.put(path, content=wav(1.0)), 404)


async def test_uploads_never_finished_are_dropped_after_the_tickets_life(client, player, app):
    owner = await player()
    room_id = await bar(client, owner)
    done, _ = await upload(client, owner, room_id, wav(1.0), "Finished")
    left = (await start(client, owner, room_id, 1000, "Never sent")).json()["track"]
    services = app.state["services"]
    assert await in_app(client, drop_unfinished, services) == 0  # its ticket may still be in use
    later = datetime.now(UTC) + timedelta(seconds=3 * TICKET_TTL_S)
    assert await in_app(client, drop_unfinished, services, later) == 1
    rows = await in_app(client, Track.select(Track.id).where(Track.room == room_id).run)
    assert [r["id"] for r in rows] == [done["id"]]
    assert_problem(await client.get(f"/api/tracks/{left['id']}/audio"), 404)


async def test_an_upload_ticket_is_single_use_and_signed(client, player):
    owner = await player()
    room_id = await bar(client, owner)
    r = await start(client, owner, room_id, 1000)
    path = "/api/" + r.json()["upload"]["url"].split("/api/", 1)[1]
    forged = path[:-1] + ("0" if path[-1] != "0" else "1")
    assert_problem(await client.put(forged, content=wav(1.0)), 403)
    assert (await client.put(path, content=wav(1.0))).status_code == 200
    assert_problem(await client.put(path, content=wav(2.0)), 409)


async def test_tracks_play_with_ranges_and_are_cached_for_good(client, player):
    owner = await player()
    room_id = await bar(client, owner)
    body = wav(2.0)
    _, put = await upload(client, owner, room_id, body)
    url = "/api/" + put.json()["url"].split("/api/", 1)[1]
    whole = await client.get(url)
    assert whole.status_code == 200 and whole.content == body
    assert whole.headers["content-type"] == "audio/wav"
    assert "immutable" in whole.headers["cache-control"] and whole.headers["accept-ranges"] == "bytes"
    part = await client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == body[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(body)}"
    tail = await client.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == body[-10:]
    assert_problem(await client.get(url, headers={"Range": f"bytes={len(body)}-"}), 416)


async def test_only_hosts_add_music_unless_the_room_lets_members(client, player, app):
    owner, guest = await player(), await player()
    room_id = await bar(client, owner)
    assert_problem(await start(client, guest, room_id, 1000), 403)
    assert_problem(await client.patch(f"/api/rooms/{room_id}/music", json={"membersAddTracks": True},
                                      headers=guest["headers"]), 403)
    r = await client.patch(f"/api/rooms/{room_id}/music", json={"membersAddTracks": True}, headers=owner["headers"])
    assert r.status_code == 200
    assert_problem(await start(client, guest, room_id, 1000), 403)  # not in the room
    assert (await client.post("/api/rooms/join", json={"roomId": room_id}, headers=guest["headers"])).status_code == 200
    assert (await start(client, guest, room_id, 1000)).status_code == 201
    mod = await staff(client)
    await client.patch(f"/api/rooms/{room_id}/music", json={"membersAddTracks": False}, headers=mod["headers"])
    assert_problem(await start(client, guest, room_id, 1000), 403)
    assert (await start(client, mod, room_id, 1000)).status_code == 201


async def test_the_library_is_mirrored_for_the_jukebox_and_rebuilt_when_lost(client, player, app, state):
    owner = await player()
    room_id = await bar(client, owner)
    _, put = await upload(client, owner, room_id, wav(2.0), "Two")
    track_id = put.json()["id"]
    mirrored = await state.members(keys.room_music(room_id))
    info = msgspec.json.decode(mirrored[keys.music_track(track_id)], type=wire.TrackInfo)
    assert (info.title, info.durationMs) == ("Two", 2000)
    await state.drop(keys.room_music(room_id), keys.music_track(track_id))
    await client.get(f"/api/rooms/{room_id}/tracks", headers=owner["headers"])
    assert keys.music_track(track_id) in await state.members(keys.room_music(room_id))


async def test_a_track_uploaded_to_s3_is_judged_by_its_bytes(s3_settings, state, nodes):  # noqa: F811
    app = create_app(s3_settings, state)
    await app.state["services"].db.migrate()
    store = app.state["services"].tracks
    assert isinstance(store, S3Tracks)
    async with store._s3() as s3:
        buckets = (await s3.list_buckets())["Buckets"]
        if not any(b["Name"] == "evidence-dl" for b in buckets):
            await s3.create_bucket(Bucket="evidence-dl", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    async with AsyncTestClient(app) as client, httpx.AsyncClient() as http:
        owner = await sign_in(client)
        room_id = await bar(client, owner)
        for body, expected in ((ogg_opus(2.0), 200), (PNG, 415)):
            r = await start(client, owner, room_id, len(body))
            ticket, track = r.json()["upload"], r.json()["track"]
            sent = await http.post(ticket["url"], data=ticket["fields"], files={"file": ("a.ogg", body)})
            assert sent.status_code in (200, 201, 204), sent.text
            done = await client.post(f"/api/tracks/{track['id']}/done", headers=owner["headers"])
            assert done.status_code == expected, done.text
        assert done.status_code == 415 and not await in_app(client, Track.exists().where(Track.id == track["id"]).run)
        async with store._s3() as s3:
            assert "Contents" not in await s3.list_objects_v2(Bucket="evidence-dl", Prefix=f"tracks/{track['id']}")
        items = (await client.get(f"/api/rooms/{room_id}/tracks", headers=owner["headers"])).json()["items"]
        assert [(t["contentType"], t["durationMs"]) for t in items] == [("audio/ogg", 2000)]
        played = await client.get(f"/api/tracks/{items[0]['id']}/audio", follow_redirects=False)
        assert played.status_code == 307
        got = await http.get(played.headers["location"], headers={"Range": "bytes=0-3"})
        assert got.status_code == 206 and got.content == b"OggS"
        fields = (await start(client, owner, room_id, 100)).json()["upload"]["fields"]
        policy = json.loads(base64.b64decode(fields["policy"]))
        assert ["content-length-range", 1, 20 * MIB] in policy["conditions"]  # S3 holds the size itself


async def test_the_house_tracks_are_in_every_room_and_play(settings, state, nodes):
    from functions.housetracks import ensure_house_tracks

    app = create_app(settings, state)
    await app.state["services"].db.migrate()
    await ensure_house_tracks(app.state["services"].tracks)  # as the embedded mode's start does
    await ensure_house_tracks(app.state["services"].tracks)  # a second start makes nothing twice
    async with AsyncTestClient(app) as client:
        owner = await sign_in(client)
        room_id = await bar(client, owner)
        items = (await client.get(f"/api/rooms/{room_id}/tracks", headers=owner["headers"])).json()["items"]
        assert len(items) == 3 and all(t["roomId"] is None and t["durationMs"] == 24000 for t in items)
        played = await client.get("/api/" + items[0]["url"].split("/api/", 1)[1], headers={"Range": "bytes=0-3"})
        assert played.status_code == 206 and played.content == b"RIFF"


async def test_the_house_tracks_are_made_at_build_time_and_a_start_keeps_those(settings, state, tmp_path):
    import wave

    from functions.housetracks import ensure_house_tracks, track_id
    from launcher.cli import main

    built = tmp_path / "house"
    assert main(["house-tracks", "--out", str(built)]) == 0
    made = sorted(built.iterdir())
    assert len(made) == 3 and all(p.suffix == ".wav" for p in made)
    with wave.open(str(made[0])) as w:
        assert w.getnframes() / w.getframerate() == 24
    first = built / f"{track_id('House Loop: Warm Up')}.wav"
    first.write_bytes(first.read_bytes()[:44 + 22050 * 2 * 2])  # a build's own file: the start must take it
    app = create_app(settings, state)
    await app.state["services"].db.migrate()
    store = app.state["services"].tracks
    await ensure_house_tracks(store, built)
    assert store.path(track_id("House Loop: Warm Up")).read_bytes() == first.read_bytes()
