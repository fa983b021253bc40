"""Room objects: an owner places, moves and removes whiteboards, screens and
tables; the world the edge reads and the players in the room follow at once;
nobody else may change them, and bad input changes nothing."""

from __future__ import annotations

import base64

import msgspec
import pytest
from pycrdt import Array, Doc, Map

from tests.functions.test_moderation import staff
from tests.functions.test_rooms import make_room
from virtubar import boards, keys
from virtubar.world import parse_world


async def place(client, who, room: dict, **fields):
    body = {"kind": "whiteboard", "x": 10.0, "z": 8.0, "w": 2.0, "d": 0.5, "label": "Ideas"} | fields
    return await client.post(f"/api/rooms/{room['id']}/objects", json=body, headers=who["headers"])


async def edge_world(state, room: dict):
    return parse_world((await state.members(keys.room_setup(room["id"])))["world"])


async def room_events(bus, room_id: str) -> list:
    found = [msgspec.json.decode(d.data) for d in await bus.read(0.05) if d.room == room_id]
    return [e for e in found if isinstance(e, dict)]


async def test_an_owner_places_moves_and_removes_a_whiteboard_and_the_room_follows_live(client, player, state,
                                                                                      node_bus):
    owner = await player("Owner")
    room = await make_room(client, owner, template="office")
    await node_bus.subscribe(room["id"])
    r = await place(client, owner, room, config={"background": "grid"})
    assert r.status_code == 201, r.text
    board = r.json()
    assert (board["kind"], board["label"], board["config"]) == ("whiteboard", "Ideas", {"background": "grid"})

    placed = [o for o in (await edge_world(state, room)).objects if o.id == board["id"]]
    assert [(o.kind, o.x, o.z) for o in placed] == [("whiteboard", 10.0, 8.0)]
    live = [e for e in await room_events(node_bus, room["id"]) if e["t"] == "room_objects_changed"]
    mine = [o for o in live[-1]["payload"]["objects"] if o["id"] == board["id"]]
    assert mine == [{"id": board["id"], "kind": "whiteboard", "x": 10.0, "z": 8.0, "w": 2.0, "d": 0.5, "rot": 0.0,
                     "label": "Ideas", "config": {"background": "grid"}}]
    assert any(o["id"] == "wb-a" for o in live[-1]["payload"]["objects"])  # the world's own objects stay

    r = await client.patch(f"/api/rooms/{room['id']}/objects/{board['id']}", json={"x": 12.5, "label": "Plans"},
                           headers=owner["headers"])
    assert r.status_code == 200 and (r.json()["x"], r.json()["label"]) == (12.5, "Plans"), r.text
    assert [o.x for o in (await edge_world(state, room)).objects if o.id == board["id"]] == [12.5]
    detail = (await client.get(f"/api/rooms/{room['id']}", headers=owner["headers"])).json()
    assert [o["label"] for o in detail["world"]["objects"] if o["id"] == board["id"]] == ["Plans"]

    listed = (await client.get(f"/api/rooms/{room['id']}/objects", headers=owner["headers"])).json()["items"]
    assert [o["id"] for o in listed] == [board["id"]]
    r = await client.delete(f"/api/rooms/{room['id']}/objects/{board['id']}", headers=owner["headers"])
    assert r.status_code == 204
    assert not [o for o in (await edge_world(state, room)).objects if o.id == board["id"]]
    live = [e for e in await room_events(node_bus, room["id"]) if e["t"] == "room_objects_changed"]
    assert not [o for o in live[-1]["payload"]["objects"] if o["id"] == board["id"]]


async def test_only_the_owner_or_an_admin_changes_objects(client, player, state):
    owner, other = await player("Owner"), await player("Other")
    room = await make_room(client, owner, template="office")
    board = (await place(client, owner, room)).json()
    assert (await place(client, other, room)).status_code == 403
    r = await client.patch(f"/api/rooms/{room['id']}/objects/{board['id']}", json={"x": 1.0},
                           headers=other["headers"])
    assert r.status_code == 403 and "owner" in r.json()["detail"]
    r = await client.delete(f"/api/rooms/{room['id']}/objects/{board['id']}", headers=other["headers"])
    assert r.status_code == 403
    assert (await client.get(f"/api/rooms/{room['id']}/objects/{board['id']}/board",
                             headers=other["headers"])).status_code == 403
    listed = (await client.get(f"/api/rooms/{room['id']}/objects", headers=owner["headers"])).json()["items"]
    assert [(o["x"], o["label"]) for o in listed] == [(10.0, "Ideas")]
    admin = await staff(client, "admin")
    r = await client.patch(f"/api/rooms/{room['id']}/objects/{board['id']}", json={"x": 3.0},
                           headers=admin["headers"])
    assert r.status_code == 200 and r.json()["x"] == 3.0


@pytest.mark.parametrize("body, field", [
    ({"kind": "spaceship"}, "kind"),
    ({"x": -1}, "x"),
    ({"w": 0}, "w"),
    ({"label": ""}, "label"),
    ({"colour": "red"}, "colour"),
    ({"config": {"notes": "x" * 5000}}, "config"),
])
async def test_bad_objects_are_refused_naming_the_field_and_nothing_changes(client, player, state, body, field):
    owner = await player("Owner")
    room = await make_room(client, owner, template="office")
    before = await edge_world(state, room) if await state.members(keys.room_setup(room["id"])) else None
    r = await place(client, owner, room, **body)
    assert r.status_code in (400, 422), r.text
    assert field in r.text
    assert (await client.get(f"/api/rooms/{room['id']}/objects", headers=owner["headers"])).json()["items"] == []
    assert (await edge_world(state, room) if before is not None else None) == before


async def test_an_object_outside_the_world_is_refused_and_a_move_out_of_it_undone(client, player, state):
    owner = await player("Owner")
    room = await make_room(client, owner, template="office")  # 32 x 24 m
    r = await place(client, owner, room, x=500.0)
    assert r.status_code == 422 and "world" in r.json()["detail"], r.text
    assert (await client.get(f"/api/rooms/{room['id']}/objects", headers=owner["headers"])).json()["items"] == []
    board = (await place(client, owner, room)).json()
    r = await client.patch(f"/api/rooms/{room['id']}/objects/{board['id']}", json={"z": 900.0},
                           headers=owner["headers"])
    assert r.status_code == 422
    listed = (await client.get(f"/api/rooms/{room['id']}/objects", headers=owner["headers"])).json()["items"]
    assert [o["z"] for o in listed] == [8.0]


def stroke(doc: Doc, color: str) -> bytes:
    """A stroke drawn on ``doc``: the update it makes."""
    before = doc.get_state()
    strokes = doc.get(boards.STROKES, type=Array)
    strokes.append(Map({"id": color, "by": "u", "tool": "pen", "color": color, "points": Array([1.0, 2.0, 3.0])}))
    return doc.get_update(before)


async def test_the_owner_downloads_a_board_and_a_moderator_clears_it_in_the_audit_log(client, player, app,
                                                                                      node_bus):
    owner = await player("Owner")
    room = await make_room(client, owner, template="office")
    await node_bus.subscribe(room["id"])
    node = {"Authorization": f"Bearer {app.state['services'].tokens.issue('node', 'edge-1')}"}
    doc = Doc()
    for color in ("#ff0000", "#00ff00"):
        body = {"update": base64.b64encode(stroke(doc, color)).decode(), "userId": owner["user"]["id"]}
        r = await client.post(f"/api/internal/boards/{room['id']}/wb-a/updates", json=body, headers=node)
        assert r.status_code == 200, r.text
    before = doc.get_state()
    doc.get(boards.ITEMS, type=Array).append(Map({"id": "n1", "by": owner["user"]["id"], "kind": "sticky",
                                                  "text": "Ship Friday"}))
    body = {"update": base64.b64encode(doc.get_update(before)).decode(), "userId": owner["user"]["id"]}
    r = await client.post(f"/api/internal/boards/{room['id']}/wb-a/updates", json=body, headers=node)
    assert r.status_code == 200, r.text
    got = await client.get(f"/api/rooms/{room['id']}/objects/wb-a/board", headers=owner["headers"])
    assert got.status_code == 200, got.text
    copy = Doc()
    copy.apply_update(base64.b64decode(got.json()["update"]))
    assert [s["color"] for s in copy.get(boards.STROKES, type=Array).to_py()] == ["#ff0000", "#00ff00"]
    assert [n["text"] for n in copy.get(boards.ITEMS, type=Array).to_py()] == ["Ship Friday"]

    mod = await staff(client)
    r = await client.delete(f"/api/rooms/{room['id']}/objects/wb-a/board", headers=mod["headers"])
    assert r.status_code == 204, r.text
    got = await client.get(f"/api/rooms/{room['id']}/objects/wb-a/board", headers=owner["headers"])
    copy = Doc()
    copy.apply_update(base64.b64decode(got.json()["update"]))
    assert copy.get(boards.STROKES, type=Array).to_py() == copy.get(boards.ITEMS, type=Array).to_py() == []
    cleared = [e for e in await room_events(node_bus, room["id"]) if e["t"] == "board_update"]
    kind, update = boards.read_sync(base64.b64decode(cleared[-1]["payload"]["data"]))
    doc.apply_update(update)  # a client that still held the strokes loses them too
    assert kind == "update"
    assert doc.get(boards.STROKES, type=Array).to_py() == doc.get(boards.ITEMS, type=Array).to_py() == []
    audit = (await client.get("/api/moderation/audit", headers=mod["headers"])).json()["items"]
    assert [(a["action"], a["roomId"], a["details"]) for a in audit][:1] == [
        ("clear_board", room["id"], {"board": "wb-a"})]
    other = await player("Other")
    r = await client.delete(f"/api/rooms/{room['id']}/objects/wb-a/board", headers=other["headers"])
    assert r.status_code == 403


async def test_the_board_store_refuses_what_is_too_big_and_keeps_the_rest(client, player, app, settings):
    owner = await player("Owner")
    room = await make_room(client, owner, template="office")
    node = {"Authorization": f"Bearer {app.state['services'].tokens.issue('node', 'edge-1')}"}
    url = f"/api/internal/boards/{room['id']}/wb-a/updates"
    doc = Doc()
    small = {"update": base64.b64encode(stroke(doc, "#000000")).decode(), "userId": "u"}
    assert (await client.post(url, json=small, headers=node)).status_code == 200
    big = Doc()
    big.get(boards.STROKES, type=Array).append("x" * (settings.board_update_max_bytes + 10))
    r = await client.post(url, json={"update": base64.b64encode(big.get_update()).decode(), "userId": "u"},
                          headers=node)
    assert r.status_code == 413 and "at most" in r.json()["detail"]
    r = await client.post(url, json=small, headers={})
    assert r.status_code == 401
    r = await client.post(f"/api/internal/boards/{room['id']}/no-such-board/updates", json=small, headers=node)
    assert r.status_code == 404
    r = await client.post(url, json={"update": base64.b64encode(b"\x07garbage").decode(), "userId": "u"},
                          headers=node)
    assert r.status_code == 422
    state = (await client.get(f"/api/internal/boards/{room['id']}/wb-a/state", headers=node)).json()
    copy = Doc()
    copy.apply_update(base64.b64decode(state["update"]))
    assert [s["color"] for s in copy.get(boards.STROKES, type=Array).to_py()] == ["#000000"]


async def test_updates_fold_into_the_snapshot_and_a_full_board_refuses_more(client, player, app, settings):
    settings.board_compact_every, settings.board_max_bytes = 3, 1500
    owner = await player("Owner")
    room = await make_room(client, owner, template="office")
    node = {"Authorization": f"Bearer {app.state['services'].tokens.issue('node', 'edge-1')}"}
    url = f"/api/internal/boards/{room['id']}/wb-a/updates"
    doc, colors, raw, sizes = Doc(), [], [], []
    while True:
        colors.append(f"#0000{len(colors):02d}")
        raw.append(len(update := stroke(doc, colors[-1])))
        r = await client.post(url, json={"update": base64.b64encode(update).decode(), "userId": "u"}, headers=node)
        sizes.append(r.json().get("size"))
        if r.status_code != 200:
            colors.pop()
            break
    assert r.status_code == 413 and "full" in r.json()["detail"], r.text
    assert len(colors) > 3
    assert sizes[2] < sum(raw[:3])  # the third folded the three into one snapshot, smaller than them
    state = (await client.get(f"/api/internal/boards/{room['id']}/wb-a/state", headers=node)).json()
    copy = Doc()
    copy.apply_update(base64.b64decode(state["update"]))
    assert [s["color"] for s in copy.get(boards.STROKES, type=Array).to_py()] == colors
