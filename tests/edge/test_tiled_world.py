"""A world imported from a Tiled map, on a real edge node: its walls
correct a player, its seat holds one, its zones decide who hears; and a
live room follows the owner's saves and rollbacks of its world."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from functions.tiled import Limits, convert
from functions.tiledfiles import read_map
from tests.edge.client import Client
from tests.edge.conftest import SECRET
from virtubar.settings import Settings
from virtubar.state import RedisState
from virtubar.world import parse_world

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "worlds"
OFFICE = ("sample-office.tmj", "office.tsj", "tiles-office.png")


def sample_office() -> dict:
    files = {n: (SAMPLES / n).read_bytes() for n in OFFICE}
    tiled, images = read_map(OFFICE[0], files.pop(OFFICE[0]), files)
    return convert(tiled, images, "office", "office", Limits(tiles=65_536, objects=1024, asset_bytes=1 << 20)).world


@pytest.fixture
async def office(room, put_world) -> str:
    """The sample office: players spawn at (3.5, 6.5), (5.5, 6.5), (7.5, 4.5)."""
    await put_world(room, parse_world(sample_office()))
    return room


@pytest.fixture
async def player(edge, issuer):
    opened: list[Client] = []

    async def make(room: str, user: str) -> Client:
        client = await Client.connect(edge.url)
        opened.append(client)
        await client.join(room, issuer.issue("realtime", user, room=room, platform="desktop", name=user.title()))
        return client

    yield make
    for client in opened:
        await client.close()


def move(room: str, seq: int, x: float, z: float) -> dict:
    return {"roomId": room, "seq": seq, "x": x, "y": 0.0, "z": z, "rotY": 0.0}


async def settle(client: Client, room: str) -> None:
    await client.send("heartbeat", roomId=room, clientTimeMs=0)
    await client.wait("heartbeat_ack")
    await asyncio.sleep(0.2)


async def test_the_maps_walls_correct_a_player(player, office):
    ann = await player(office, "tiled-ann")
    await asyncio.sleep(0.6)
    await ann.send("avatar_transform", **move(office, 1, 0.5, 6.5))  # the walls layer's outer wall
    assert (await ann.wait("position_correction", seq=1)) == {"seq": 1, "x": 3.5, "y": 0.0, "z": 6.5,
                                                               "reason": "wall"}
    await asyncio.sleep(0.6)
    await ann.send("avatar_transform", **move(office, 2, 2.5, 2.5))  # a desk: its tile collides
    assert (await ann.wait("position_correction", seq=2))["reason"] == "wall"
    await asyncio.sleep(0.6)
    await ann.send("avatar_transform", **move(office, 3, 3.5, 4.5))  # the floor between them
    await ann.wait("avatar_transform_broadcast", userId="tiled-ann", seq=3)
    assert len(ann.events("position_correction")) == 2


async def test_the_maps_armchair_holds_one(player, office):
    ann = await player(office, "tiled-ann")
    bob = await player(office, "tiled-bob")
    await asyncio.sleep(0.6)
    await ann.send("avatar_transform", **move(office, 1, 4.5, 5.5))  # sits in the armchair
    await bob.wait("avatar_transform_broadcast", userId="tiled-ann", seq=1)
    await bob.send("avatar_transform", **move(office, 1, 4.6, 5.6))  # onto the armchair too
    fix = await bob.wait("position_correction", seq=1)
    assert (fix["reason"], fix["x"], fix["z"]) == ("occupied", 5.5, 6.5)
    await asyncio.sleep(0.3)
    await bob.send("avatar_transform", **move(office, 2, 5.5, 5.6))  # beside it is free
    await ann.wait("avatar_transform_broadcast", userId="tiled-bob", seq=2)


async def test_the_maps_library_zone_keeps_local_chat_out(player, office):
    ann = await player(office, "tiled-ann")
    bob = await player(office, "tiled-bob")  # 2 m from ann, both on the open floor
    assert {m["zoneId"] for m in bob.events("room_state")[0]["members"]} == {"floor"}
    await ann.send("local_chat", roomId=office, text="psst", mode="local")
    await bob.wait("chat_broadcast", text="psst")
    await asyncio.sleep(0.3)
    await bob.send("avatar_transform", **move(office, 1, 5.5, 7.5))  # a step into the library (a quiet zone)
    changed = await ann.wait("zone_changed", userId="tiled-bob")
    assert changed == {"userId": "tiled-bob", "zoneId": "library", "previousZoneId": "floor"}
    await ann.send("local_chat", roomId=office, text="still there?", mode="local")
    await ann.wait("chat_broadcast", text="still there?")
    await settle(bob, office)
    assert [c["text"] for c in bob.events("chat_broadcast")] == ["psst"]


@pytest.fixture
async def api(redis_url, tmp_path):
    """The functions, in this process, on the edge's Redis: what they
    publish for a room is what the edge node reads."""
    settings = Settings(data=tmp_path, database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", redis_url=redis_url,
                        token_secret=SECRET, region="eu").completed()
    state = RedisState(redis_url)
    app = create_app(settings, state)
    await app.state["services"].db.migrate()
    async with AsyncTestClient(app) as client:
        yield client
        services = app.state["services"]
        await asyncio.to_thread(client.blocking_portal.call, services.bus.close)  # on the app's own loop
        await asyncio.to_thread(client.blocking_portal.call, state.close)


async def probe(client: Client, room: str, seq: int, x: float, z: float) -> str:
    """Move; "wall" if corrected for a wall, else "moved"."""
    await client.send("avatar_transform", **move(room, seq, x, z))
    for _ in range(100):
        if fixes := client.events("position_correction", seq=seq):
            return fixes[0]["reason"]
        if client.events("avatar_transform_broadcast", userId="tiled-ann", seq=seq):
            return "moved"
        await asyncio.sleep(0.05)
    raise AssertionError(f"no answer to move {seq}")


async def until(client: Client, room: str, seq: int, spots: list[tuple[float, float]], wanted: str) -> int:
    """Probe the spots in turn (a second apart) until one answers ``wanted``; the next seq."""
    for attempt in range(40):
        await asyncio.sleep(1.0)
        x, z = spots[attempt % len(spots)]
        seq += 1
        if await probe(client, room, seq, x, z) == wanted:
            return seq
    raise AssertionError(f"the live room never answered {wanted!r}")


async def test_a_live_room_follows_a_save_and_a_rollback_of_its_world(api, player):
    r = await api.post("/api/auth/anonymous", json={})
    headers = {"Authorization": f"Bearer {r.json()['accessToken']}"}
    room = (await api.post("/api/rooms", json={"name": "Office", "template": "office"}, headers=headers)).json()["id"]
    files = [("map", (OFFICE[0], (SAMPLES / OFFICE[0]).read_bytes()))] + [
        ("files", (n, (SAMPLES / n).read_bytes())) for n in OFFICE[1:]]
    r = await api.post(f"/api/rooms/{room}/world/import", files=files, headers=headers)
    assert r.status_code == 201, r.text
    imported = r.json()["version"]["id"]
    ann = await player(room, "tiled-ann")  # at (3.5, 6.5), below the desks of row 2
    seq = await until(ann, room, 0, [(2.5, 2.5)], "wall")
    seq = await until(ann, room, seq, [(3.5, 6.5)], "moved")
    # the owner saves the world without its desks, as build mode does: the live room lets ann onto their place
    without_desks = json.loads(json.dumps(r.json()["world"]))
    without_desks["grid"][2] = "#" + "." * 8 + "#" + "." * 5 + "#"
    saved = await api.patch(f"/api/rooms/{room}", json={"world": without_desks}, headers=headers)
    assert saved.status_code == 200, saved.text
    seq = await until(ann, room, seq, [(2.5, 2.5)], "moved")
    # and rolls back to the import: the desks stand again (ann, now on one, may step off but not along it)
    back = await api.post(f"/api/rooms/{room}/world/versions/{imported}/restore", headers=headers)
    assert back.status_code == 200, back.text
    await until(ann, room, seq, [(2.5, 2.9), (2.5, 2.4)], "wall")


async def test_a_builders_import_and_restore_reach_the_players_in_the_room_without_a_reload(api, player):
    async def signed_in() -> tuple[str, dict]:
        r = await api.post("/api/auth/anonymous", json={})
        return r.json()["user"]["id"], {"Authorization": f"Bearer {r.json()['accessToken']}"}

    _, owner = await signed_in()
    builder_id, builder = await signed_in()
    room = (await api.post("/api/rooms", json={"name": "Office", "template": "office"}, headers=owner)).json()["id"]
    assert (await api.patch(f"/api/rooms/{room}", json={"builders": [builder_id]}, headers=owner)).status_code == 200
    world = (await api.get(f"/api/rooms/{room}", headers=builder)).json()["world"] | {"name": "Before the map"}
    assert (await api.patch(f"/api/rooms/{room}", json={"world": world}, headers=builder)).status_code == 200
    before = (await api.get(f"/api/rooms/{room}/world/versions", headers=builder)).json()["items"][0]["id"]
    ann = await player(room, "ann")
    files = [("map", (OFFICE[0], (SAMPLES / OFFICE[0]).read_bytes()))] + [
        ("files", (n, (SAMPLES / n).read_bytes())) for n in OFFICE[1:]]
    assert (await api.post(f"/api/rooms/{room}/world/import", files=files, headers=builder)).status_code == 201
    imported = await ann.wait("world_changed", timeout=10)
    assert (imported["roomId"], imported["world"]["name"]) == (room, "Sample office")
    assert imported["world"]["tilemap"]["orientation"] == "orthogonal"
    back = await api.post(f"/api/rooms/{room}/world/versions/{before}/restore", headers=builder)
    assert back.status_code == 200, back.text
    for _ in range(100):
        if any(e["world"]["name"] == "Before the map" for e in ann.events("world_changed")):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the restore never reached the room")
