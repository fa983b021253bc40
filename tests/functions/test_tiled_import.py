"""Tiled map import: the sample maps become a room's world, their images
immutable assets; a map that cannot be mapped is a 422 naming each part,
and nothing is stored. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from functions.assets import S3Assets
from functions.tables import Room, World, WorldVersion
from tests.functions.conftest import sign_in
from tests.functions.test_rooms import make_room
from virtubar import keys
from virtubar.world import parse_world

from .test_safety import s3_endpoint  # noqa: F401 (a fixture)

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "worlds"
OFFICE = ["sample-office.tmj", "office.tsj", "tiles-office.png"]
TOWN = ["sample-town.tmx", "tiles-town.png"]


def sample(*names: str) -> dict[str, bytes]:
    return {n: (SAMPLES / n).read_bytes() for n in names}


def multipart(the_map: tuple[str, bytes], files: dict[str, bytes]) -> list:
    return [("map", (the_map[0], the_map[1], "application/octet-stream"))] + [
        ("files", (name, data, "application/octet-stream")) for name, data in files.items()]


async def import_map(client, who, room_id: str, names: list[str], **replace: bytes):
    files = sample(*names) | replace
    map_name = names[0]
    return await client.post(f"/api/rooms/{room_id}/world/import", headers=who["headers"],
                             files=multipart((map_name, files.pop(map_name)), files))


async def _counts() -> tuple[int, int, int]:
    return await World.count(), await WorldVersion.count(), await Room.count()


async def counts(client) -> tuple[int, int, int]:
    """Rows of worlds, versions and rooms, read on the app's own loop (its pool lives there)."""
    return await asyncio.to_thread(client.blocking_portal.call, _counts)


async def in_app(client, query):
    return await asyncio.to_thread(client.blocking_portal.call, query.run)


def stored_assets(settings) -> list[str]:
    folder = settings.data / "objects" / "assets"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_the_sample_office_becomes_the_rooms_world_with_its_walls_seats_and_zones(client, player, state,
                                                                                        settings):
    owner = await player()
    room = await make_room(client, owner, template="office")
    r = await import_map(client, owner, room["id"], OFFICE)
    assert r.status_code == 201, r.text
    body = r.json()
    world = parse_world(body["world"])
    assert world.name == "Sample office" and world.tilemap is not None
    assert world.tilemap.orientation == "orthogonal" and len(world.tilemap.layers) == 3
    assert world.is_wall(0.5, 3.5) and world.is_wall(2.5, 2.5)  # a walls-layer tile; a desk tile that collides
    assert not world.is_wall(9.5, 3.5)  # the meeting room's door
    seat = next(o for o in world.objects if o.id == "armchair")
    assert (seat.kind, seat.exclusive, seat.x, seat.z) == ("seat", True, 4.5, 5.5)
    portal = next(o for o in world.objects if o.kind == "portal")
    assert portal.target == "town"
    meeting = next(z for z in world.zones if z.id == "meeting")
    assert (meeting.type, meeting.capacity, meeting.audio_rule) == ("meeting", 4, "zone")
    assert world.zone_at(12.5, 3.5) is meeting and world.zone_at(3.5, 8.5).type == "quiet"
    # the room shows it and the edge gets it
    detail = (await client.get(f"/api/rooms/{room['id']}", headers=owner["headers"])).json()
    assert detail["world"]["name"] == "Sample office"
    published = parse_world((await state.members(keys.room_setup(room["id"])))["world"])
    assert published.is_wall(2.5, 2.5)
    # its tileset image is an immutable asset, served by its hash
    png = (SAMPLES / "tiles-office.png").read_bytes()
    sha = hashlib.sha256(png).hexdigest()
    assert body["assets"] == [sha] and world.tilemap.sheets[0].asset == sha
    got = await client.get(f"/api/assets/{sha}")
    assert got.status_code == 200 and got.content == png
    assert got.headers["content-type"] == "image/png"
    assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert stored_assets(settings) == [sha]
    assert (await client.get("/api/assets/" + "0" * 64)).status_code == 404
    assert (await client.get("/api/assets/..%2F..%2Fapi.sqlite3")).status_code == 404


async def test_the_isometric_sample_town_imports_from_tmx_with_its_embedded_tileset(client, player):
    owner = await player()
    room = await make_room(client, owner, template="world")
    r = await import_map(client, owner, room["id"], TOWN)
    assert r.status_code == 201, r.text
    world = parse_world(r.json()["world"])
    assert world.template == "world" and world.tilemap is not None and world.tilemap.orientation == "isometric"
    assert (world.width, world.depth) == (12, 12)
    assert world.is_wall(0.5, 5.5) and world.is_wall(8.5, 8.5)  # a hedge (collides layer); water (a tile's property)
    assert [(s.x, s.z) for s in world.spawns] == [(5.5, 5.5)]
    bench = next(o for o in world.objects if o.id == "bench")
    assert (bench.x, bench.z, bench.exclusive) == (7.5, 6.5, True)
    cafe = next(z for z in world.zones if z.id == "cafe")
    assert (cafe.type, cafe.capacity, cafe.video_rule) == ("private", 6, "zone")
    assert world.zone_at(2.5, 8.5) is cafe and world.zone_at(8.5, 2.5).type == "stage"


async def test_only_the_owner_imports(client, player):
    owner, other = await player(), await player()
    room = await make_room(client, owner, template="office")
    before = await counts(client)
    r = await import_map(client, other, room["id"], OFFICE)
    assert r.status_code == 403
    assert await counts(client) == before


def edited(name: str, change) -> bytes:
    document = json.loads((SAMPLES / name).read_bytes())
    change(document)
    return json.dumps(document).encode()


def _things(document: dict) -> list[dict]:
    return next(layer for layer in document["layers"] if layer["name"] == "things")["objects"]


def _no_spawn(document: dict) -> None:
    document["layers"][3]["objects"] = [o for o in _things(document) if o["type"] != "spawn"]


def _spawn_in_wall(document: dict) -> None:
    next(o for o in _things(document) if o["name"] == "Entrance")["x"] = 16  # column 0: the outer wall


def _object(**fields) -> dict:
    return {"rotation": 0, "visible": True} | fields


def _unmappable(document: dict) -> None:
    _things(document).extend([
        _object(id=90, name="Ghost", type="ghost", x=64, y=64, width=32, height=32),
        _object(id=91, name="Round room", type="zone", x=64, y=64, width=64, height=64, ellipse=True),
        _object(id=92, name="Loud", type="zone", x=64, y=64, width=64, height=64,
                properties=[{"name": "zoneType", "type": "string", "value": "disco"}]),
    ])


@pytest.mark.parametrize(("label", "files", "status", "expected"), [
    ("no spawn", {"sample-office.tmj": edited("sample-office.tmj", _no_spawn)}, 422,
     [("map", "has no spawn point")]),
    ("spawn in a wall", {"sample-office.tmj": edited("sample-office.tmj", _spawn_in_wall)}, 422,
     [("layer 'things' object 12 'Entrance'", "in a wall")]),
    ("unmappable objects", {"sample-office.tmj": edited("sample-office.tmj", _unmappable)}, 422,
     [("layer 'things' object 90 'Ghost'", "type 'ghost' is not one of"),
      ("layer 'things' object 91 'Round room'", "a ellipse cannot be a zone"),
      ("layer 'things' object 92 'Loud'", "'zoneType' is 'disco'")]),
    ("malformed json", {"sample-office.tmj": b'{"layers": ['}, 422, [("file 'sample-office.tmj'", "not valid JSON")]),
    ("malformed tileset", {"office.tsj": b"{nope"}, 422, [("file 'office.tsj'", "not valid JSON")]),
    ("missing tileset", {"office.tsj": None}, 422, [("file 'sample-office.tmj'", "'office.tsj' was not uploaded")]),
    ("tileset outside the upload", {"sample-office.tmj": edited(
        "sample-office.tmj", lambda d: d["tilesets"][0].update(source="../../etc/office.tsj"))}, 422,
     [("file 'sample-office.tmj'", "'../../etc/office.tsj' was not uploaded")]),
    ("missing image", {"tiles-office.png": None}, 422, [("file 'office.tsj'", "'tiles-office.png' was not uploaded")]),
    ("image not an image", {"tiles-office.png": b"GIF89a" + b"\0" * 100}, 422,
     [("tileset 'office'", "is not PNG, JPEG or WebP")]),
    ("unknown gid", {"sample-office.tmj": edited(
        "sample-office.tmj", lambda d: d["layers"][0]["data"].__setitem__(17, 99))}, 422,
     [("layer 'floor' tile (1, 1)", "gid 99 is in no tileset")]),
])
async def test_a_map_that_cannot_be_mapped_is_refused_part_by_part_and_nothing_is_stored(
        client, player, settings, label, files, status, expected):
    owner = await player()
    room = await make_room(client, owner, template="office")
    before, assets = await counts(client), stored_assets(settings)
    names = [n for n in OFFICE if files.get(n, b"") is not None]
    r = await import_map(client, owner, room["id"], names, **{k: v for k, v in files.items() if v is not None})
    assert r.status_code == status, r.text
    problem = r.json()
    assert problem["detail"] == "The map cannot be imported; nothing was saved."
    for part, why in expected:
        assert any(e["field"] == part and why in e["message"] for e in problem["errors"]), (part, why, problem)
    assert await counts(client) == before and stored_assets(settings) == assets
    detail = (await client.get(f"/api/rooms/{room['id']}", headers=owner["headers"])).json()
    assert detail["world"]["name"] != "Sample office"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE map [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<map version="1.10" orientation="isometric" width="12" height="12" tilewidth="64" tileheight="32" infinite="0"
     nextlayerid="2" nextobjectid="1" renderorder="right-down" tiledversion="1.10.2">
 <properties><property name="name" value="&lol9;"/></properties>
</map>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE map [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<map version="1.10" orientation="isometric" width="12" height="12" tilewidth="64" tileheight="32" infinite="0"
     nextlayerid="2" nextobjectid="1" renderorder="right-down" tiledversion="1.10.2">
 <properties><property name="name" value="&secret;"/></properties>
</map>
"""


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
async def test_xml_entities_are_refused_unexpanded(client, player, bomb):
    owner = await player()
    room = await make_room(client, owner, template="world")
    before = await counts(client)
    r = await import_map(client, owner, room["id"], TOWN, **{"sample-town.tmx": bomb})
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["field"] == "file 'sample-town.tmx'" and "DTDs and entities are not accepted" in error["message"]
    assert "lollol" not in r.text and "root:" not in r.text
    assert await counts(client) == before


async def test_an_external_tsx_tileset_with_a_dtd_is_refused_too(client, player):
    owner = await player()
    room = await make_room(client, owner, template="world")
    tmx = (SAMPLES / "sample-town.tmx").read_bytes()
    external = re.sub(rb"<tileset firstgid=\"1\".*?</tileset>", b'<tileset firstgid="1" source="town.tsx"/>', tmx,
                      flags=re.S)
    tsx = BILLION_LAUGHS.replace(b"<!DOCTYPE map", b"<!DOCTYPE tileset").split(b"<map")[0] + b"<tileset/>"
    r = await import_map(client, owner, room["id"], TOWN, **{"sample-town.tmx": external, "town.tsx": tsx})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["file 'town.tsx'"]


async def test_the_town_with_its_tileset_in_a_tsx_file_imports(client, player):
    owner = await player()
    room = await make_room(client, owner, template="world")
    tmx = (SAMPLES / "sample-town.tmx").read_text()
    embedded = re.search(r"<tileset firstgid=\"1\"(.*?)</tileset>", tmx, flags=re.S)
    assert embedded is not None
    tsx = f'<?xml version="1.0" encoding="UTF-8"?>\n<tileset version="1.10" tiledversion="1.10.2"' \
          f'{embedded.group(1)}</tileset>\n'
    external = tmx.replace(embedded.group(0), '<tileset firstgid="1" source="town.tsx"/>')
    r = await import_map(client, owner, room["id"], TOWN, **{"sample-town.tmx": external.encode(),
                                                            "town.tsx": tsx.encode()})
    assert r.status_code == 201, r.text
    assert parse_world(r.json()["world"]).is_wall(8.5, 8.5)  # the water tile's property came from the .tsx


@pytest.mark.parametrize(("limit", "value", "status", "part"), [
    ("map_max_bytes", 2000, 413, None),
    ("map_max_tiles", 500, 422, "map"),
    ("map_max_objects", 5, 422, "layer 'things'"),
    ("asset_max_bytes", 100, 422, "tileset 'office'"),
])
async def test_over_limit_maps_are_refused_and_nothing_is_stored(settings, state, nodes, limit, value, status, part):
    setattr(settings, limit, value)
    app = create_app(settings, state)
    await app.state["services"].db.migrate()
    async with AsyncTestClient(app) as client:
        owner = await sign_in(client)
        room = await make_room(client, owner, template="office")
        before = await counts(client)
        r = await import_map(client, owner, room["id"], OFFICE)
        assert r.status_code == status, r.text
        if part is not None:
            assert [e["field"] for e in r.json()["errors"]] == [part]
        assert await counts(client) == before and stored_assets(settings) == []


async def test_versions_list_and_rollback(client, player, state):
    owner, other = await player(), await player()
    room = await make_room(client, owner, template="office")
    url = f"/api/rooms/{room['id']}/world/versions"
    (first,) = (await client.get(url, headers=owner["headers"])).json()["items"]
    assert (first["source"], first["current"]) == ("create", True)
    imported = (await import_map(client, owner, room["id"], OFFICE)).json()["version"]
    detail = (await client.get(f"/api/rooms/{room['id']}", headers=owner["headers"])).json()
    edit = detail["world"] | {"name": "Office, edited in build mode"}
    r = await client.patch(f"/api/rooms/{room['id']}", json={"world": edit}, headers=owner["headers"])
    assert r.status_code == 200, r.text
    page = (await client.get(url, headers=owner["headers"])).json()
    assert [(v["source"], v["name"], v["current"]) for v in page["items"]] == [
        ("edit", "Office, edited in build mode", True), ("import", "Sample office", False),
        ("create", first["name"], False)]
    assert page["items"][0]["parentId"] == imported["id"] and imported["parentId"] == first["id"]
    assert (await client.get(url, headers=other["headers"])).status_code == 403
    assert (await client.post(f"{url}/{first['id']}/restore", headers=other["headers"])).status_code == 403
    assert (await client.post(f"{url}/{'f' * 32}/restore", headers=owner["headers"])).status_code == 404
    # roll back to the imported map: the room shows it and the edge is handed it
    r = await client.post(f"{url}/{imported['id']}/restore", headers=owner["headers"])
    assert r.status_code == 200 and r.json()["current"] is True
    detail = (await client.get(f"/api/rooms/{room['id']}", headers=owner["headers"])).json()
    assert detail["world"]["name"] == "Sample office"
    assert parse_world((await state.members(keys.room_setup(room["id"])))["world"]).name == "Sample office"
    page = (await client.get(url, headers=owner["headers"])).json()
    assert page["total"] == 3 and [v["current"] for v in page["items"]] == [False, True, False]
    # another room's version cannot be restored here
    elsewhere = await make_room(client, owner, template="office")
    (theirs,) = (await client.get(f"/api/rooms/{elsewhere['id']}/world/versions", headers=owner["headers"])).json()[
        "items"]
    assert (await client.post(f"{url}/{theirs['id']}/restore", headers=owner["headers"])).status_code == 404
    # closing the room removes its versions
    assert (await client.delete(f"/api/rooms/{room['id']}", headers=owner["headers"])).status_code == 204
    assert await in_app(client, WorldVersion.count().where(WorldVersion.room == room["id"])) == 0
    assert await in_app(client, World.count().where(World.id.is_in([v["id"] for v in page["items"]]))) == 0


@pytest.fixture
def s3_settings(settings, s3_endpoint, monkeypatch):  # noqa: F811
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(name, value)
    settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region = "world-assets", s3_endpoint, "eu-west-1"
    return settings


async def test_assets_go_to_s3_in_the_cloud_mode(s3_settings, state, nodes):
    app = create_app(s3_settings, state)
    await app.state["services"].db.migrate()
    store = app.state["services"].assets
    assert isinstance(store, S3Assets)
    async with store._s3() as s3:
        if not any(b["Name"] == "world-assets" for b in (await s3.list_buckets())["Buckets"]):
            await s3.create_bucket(Bucket="world-assets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    async with AsyncTestClient(app) as client:
        owner = await sign_in(client)
        room = await make_room(client, owner, template="world")
        r = await import_map(client, owner, room["id"], TOWN)
        assert r.status_code == 201, r.text
        (sha,) = r.json()["assets"]
        async with store._s3() as s3:
            head = await s3.head_object(Bucket="world-assets", Key=f"assets/{sha}")
        assert head["ContentType"] == "image/png"
        got = await client.get(f"/api/assets/{sha}")
        assert got.status_code == 200 and got.content == (SAMPLES / "tiles-town.png").read_bytes()
        assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert not (s3_settings.data / "objects" / "assets").exists()
