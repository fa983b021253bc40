"""Players the owner lets build: they change the room's world (a save from
build mode, a map import, a restore) and nothing else about the room; only
the owner chooses them, each change is an audit line. On SQLite and
PostgreSQL (the ``client`` fixture runs on both)."""

from __future__ import annotations

import json

from functions.tables import AuditEntry, RoomBuilder
from tests.functions.test_rooms import make_room
from tests.functions.test_tiled_import import OFFICE, import_map, in_app


async def world_of(client, who, room_id: str) -> dict:
    return (await client.get(f"/api/rooms/{room_id}", headers=who["headers"])).json()["world"]


async def save_world(client, who, room_id: str, name: str):
    world = await world_of(client, who, room_id) | {"name": name}
    return await client.patch(f"/api/rooms/{room_id}", json={"world": world}, headers=who["headers"])


async def test_owner_builder_and_other_on_every_world_write(client, player):
    owner, builder, other = await player("Owner"), await player("Builder"), await player("Other")
    room = await make_room(client, owner, template="office")
    url = f"/api/rooms/{room['id']}"
    r = await client.patch(url, json={"builders": [builder["user"]["id"]]}, headers=owner["headers"])
    assert r.status_code == 200 and r.json()["builders"] == [builder["user"]["id"]], r.text
    detail = (await client.get(url, headers=other["headers"])).json()
    assert detail["builders"] == [builder["user"]["id"]]

    # a save from build mode
    assert (await save_world(client, owner, room["id"], "By the owner")).status_code == 200
    assert (await save_world(client, builder, room["id"], "By the builder")).status_code == 200
    refused = await save_world(client, other, room["id"], "By someone else")
    assert refused.status_code == 403 and "lets build" in refused.json()["detail"]
    assert (await world_of(client, other, room["id"]))["name"] == "By the builder"
    # a map import
    assert (await import_map(client, builder, room["id"], OFFICE)).status_code == 201
    assert (await import_map(client, other, room["id"], OFFICE)).status_code == 403
    # the list of versions and a restore
    versions = f"{url}/world/versions"
    assert (await client.get(versions, headers=other["headers"])).status_code == 403
    items = (await client.get(versions, headers=builder["headers"])).json()["items"]
    assert [v["source"] for v in items] == ["import", "edit", "edit", "create"]
    by_owner = items[2]["id"]
    assert (await client.post(f"{versions}/{by_owner}/restore", headers=other["headers"])).status_code == 403
    assert (await client.post(f"{versions}/{by_owner}/restore", headers=builder["headers"])).status_code == 200
    assert (await world_of(client, other, room["id"]))["name"] == "By the owner"
    assert (await client.post(f"{versions}/{items[0]['id']}/restore", headers=owner["headers"])).status_code == 200

    # building is not managing: the builder changes nothing else, nor who builds
    assert (await client.patch(url, json={"name": "Mine now"}, headers=builder["headers"])).status_code == 403
    both = {"world": await world_of(client, builder, room["id"]), "capacity": 3}
    assert (await client.patch(url, json=both, headers=builder["headers"])).status_code == 403
    r = await client.patch(url, json={"builders": [other["user"]["id"]]}, headers=builder["headers"])
    assert r.status_code == 403 and "owner" in r.json()["detail"]

    # the owner takes it back: the former builder is refused again
    r = await client.patch(url, json={"builders": []}, headers=owner["headers"])
    assert r.status_code == 200 and r.json()["builders"] == []
    assert (await save_world(client, builder, room["id"], "Too late")).status_code == 403
    assert (await import_map(client, builder, room["id"], OFFICE)).status_code == 403
    assert (await client.post(f"{versions}/{by_owner}/restore", headers=builder["headers"])).status_code == 403


async def test_each_change_of_builders_is_an_audit_line(client, player):
    owner, ann, bob = await player(), await player(), await player()
    room = await make_room(client, owner, template="world")
    url = f"/api/rooms/{room['id']}"
    for builders in ([ann["user"]["id"], bob["user"]["id"]], [bob["user"]["id"]], [bob["user"]["id"]]):
        assert (await client.patch(url, json={"builders": builders}, headers=owner["headers"])).status_code == 200
    lines = await in_app(client, AuditEntry.select().where(AuditEntry.action == "builders_changed")
                         .order_by(AuditEntry.created_at))
    assert len(lines) == 2  # the same list again changes nothing
    details = [(line["actor"], line["room"], line["details"]) for line in lines]
    assert [(a, r) for a, r, _ in details] == [(owner["user"]["id"], room["id"])] * 2
    assert [d if isinstance(d, dict) else json.loads(d) for _, _, d in details] == [
        {"added": [ann["user"]["id"], bob["user"]["id"]], "removed": []},
        {"added": [], "removed": [ann["user"]["id"]]}]


async def test_the_builders_list_is_bounded_and_names_real_players(client, player):
    owner = await player()
    room = await make_room(client, owner, template="office")
    url = f"/api/rooms/{room['id']}"
    too_many = [f"{i:032x}" for i in range(51)]
    r = await client.patch(url, json={"builders": too_many}, headers=owner["headers"])
    assert r.status_code in (400, 422) and "builders" in r.text
    r = await client.patch(url, json={"builders": ["0" * 32, owner["user"]["id"]]}, headers=owner["headers"])
    assert r.status_code == 422
    assert [(e["field"], e["message"]) for e in r.json()["errors"]] == [
        ("builders[0]", "no such player"), ("builders[1]", "the owner builds already")]
    assert (await client.patch(url, json={"builders": ["not an id"]}, headers=owner["headers"])).status_code in (
        400, 422)
    assert await in_app(client, RoomBuilder.count()) == 0


async def test_an_erased_player_builds_nowhere_and_a_closed_room_forgets_its_builders(client, player):
    owner, builder, other = await player(), await player(), await player()
    first, second = await make_room(client, owner, template="office"), await make_room(client, owner, template="bar")
    for room, who in ((first, builder), (second, other)):
        r = await client.patch(f"/api/rooms/{room['id']}", json={"builders": [who["user"]["id"]]},
                               headers=owner["headers"])
        assert r.status_code == 200
    assert (await client.delete("/api/me", headers=builder["headers"])).status_code == 204
    assert (await client.get(f"/api/rooms/{first['id']}", headers=owner["headers"])).json()["builders"] == []
    assert (await client.delete(f"/api/rooms/{second['id']}", headers=owner["headers"])).status_code == 204
    assert await in_app(client, RoomBuilder.count()) == 0
