"""Names enter through the API under one rule (``virtubar.names``): every
display name and room or space name is normalised, and one holding control,
direction-changing or invisible characters is refused with 422 naming the
field, so it can never reach another member. The realtime token carries the
name and look the room shows."""

import pytest
from litestar.testing import AsyncTestClient

from functions.tables import Room, User

from .conftest import sign_in
from .test_bad_input import assert_problem

SPOOF = "Moderator\n\u202eTeam"
BAD_NAMES = [SPOOF, "Mod\u200bTeam", "\u2066Admin\u2069", "Mod\x85", "", "   "]


@pytest.mark.parametrize("bad", BAD_NAMES)
async def test_anonymous_sign_in_refuses_a_bad_name(app, bad):
    async with AsyncTestClient(app) as client:  # the app's pool lives in the client's loop
        problem = assert_problem(await client.post("/api/auth/anonymous", json={"displayName": bad}), 422)
    assert problem["errors"][0]["field"] == "displayName"
    assert await User.count() == 0


async def test_names_are_stored_normalised_and_a_guest_without_one_gets_a_generated_name(client):
    typed = (await client.post("/api/auth/anonymous", json={"displayName": "  \uff22\uff4f\uff42  "})).json()
    assert typed["user"]["displayName"] == "Bob"
    guest = (await client.post("/api/auth/anonymous", json={})).json()
    assert guest["user"]["displayName"].strip()


async def test_register_refuses_a_bad_name_and_keeps_the_email_free(client):
    body = {"email": "ada@example.org", "username": "ada", "password": "a long password"}
    problem = assert_problem(await client.post("/api/auth/register", json=body | {"displayName": SPOOF}), 422)
    assert problem["errors"][0]["field"] == "displayName"
    r = await client.post("/api/auth/register", json=body | {"displayName": " Ada "})
    assert r.status_code == 201 and r.json()["user"]["displayName"] == "Ada"


@pytest.mark.parametrize("bad", BAD_NAMES)
async def test_a_profile_update_refuses_a_bad_name_and_changes_nothing(client, player, bad):
    me = await player("Keep")
    problem = assert_problem(await client.patch("/api/users/me", json={"displayName": bad}, headers=me["headers"]), 422)
    assert problem["errors"][0]["field"] == "displayName"
    assert (await client.get("/api/users/me", headers=me["headers"])).json()["displayName"] == "Keep"


@pytest.mark.parametrize("bad", BAD_NAMES)
async def test_room_names_are_refused_on_create_and_rename(client, player, bad):
    me = await player()
    problem = assert_problem(
        await client.post("/api/rooms", json={"name": bad, "template": "bar"}, headers=me["headers"]), 422
    )
    assert problem["errors"][0]["field"] == "name"
    made = await client.post("/api/rooms", json={"name": " Pub ", "template": "bar"}, headers=me["headers"])
    assert made.json()["name"] == "Pub"
    renamed = await client.patch(f"/api/rooms/{made.json()['id']}", json={"name": bad}, headers=me["headers"])
    assert assert_problem(renamed, 422)["errors"][0]["field"] == "name"
    assert (await client.get(f"/api/rooms/{made.json()['id']}", headers=me["headers"])).json()["name"] == "Pub"


async def test_names_inside_a_world_document_follow_the_rule(client, player):
    me = await player()
    world = (await client.post("/api/rooms/join", json={"template": "office"}, headers=me["headers"])).json()["world"]
    world["name"] = "  \uff28\uff51  "
    world["zones"][0]["name"] = "Lobby\u202e"
    r = await client.post(
        "/api/rooms", json={"name": "Own", "template": "office", "world": world}, headers=me["headers"]
    )
    assert assert_problem(r, 422)["errors"] == [
        {"field": "world.zones[0].name", "message": r.json()["errors"][0]["message"]}
    ]
    world["zones"][0]["name"] = "Lobby"
    made = await client.post(
        "/api/rooms", json={"name": "Own", "template": "office", "world": world}, headers=me["headers"]
    )
    assert made.status_code == 201
    detail = (await client.get(f"/api/rooms/{made.json()['id']}", headers=me["headers"])).json()
    assert detail["world"]["name"] == "Hq"


async def test_the_realtime_token_carries_the_current_name_and_look(client, player, tokens):
    me = await player("Before")
    avatar = {"model": "slim", "colors": {"body": "#112233", "accent": "#ABCDEF"}}
    await client.patch("/api/users/me", json={"displayName": "After", "avatar": avatar}, headers=me["headers"])
    body = (await client.post("/api/rooms/join", json={"template": "bar"}, headers=me["headers"])).json()
    for token, kind in ((body["realtimeToken"], "realtime"), (body["voiceToken"], "voice")):
        claims = tokens.verify(token, kind)
        assert (claims.name, claims.avatar) == ("After", "slim-112233-abcdef")


async def test_names_stored_before_the_rule_are_replaced_by_the_migration(app):
    async with AsyncTestClient(app) as client:
        me, spoofer = await sign_in(client, "Fine"), await sign_in(client, "Spoof")
        room = (await client.post("/api/rooms", json={"name": "Pub", "template": "bar"}, headers=me["headers"])).json()
    await User.update({User.display_name: ""}).where(User.id == me["user"]["id"])
    await User.update({User.display_name: SPOOF}).where(User.id == spoofer["user"]["id"])
    await Room.update({Room.name: "   "}).where(Room.id == room["id"])
    db = app.state["services"].db
    await db.engine.run_ddl("DELETE FROM virtubar_migrations WHERE version = 4")  # a database from before the rule
    assert await db.migrate() == ["names: player and room names under the name rule"]
    assert await User.count().where(User.display_name == "") == 0
    async with AsyncTestClient(app) as client:
        for who in (me, spoofer):
            name = (await client.get("/api/users/me", headers=who["headers"])).json()["displayName"]
            assert name.strip() and name != SPOOF and "\n" not in name
        assert (await client.get(f"/api/rooms/{room['id']}", headers=me["headers"])).json()["name"] == "Room"


async def test_an_avatar_stored_before_colours_were_checked_whole_shows_the_default_look(app, nodes):
    """Its owner still signs in and joins (no 500); the room shows the default look."""
    async with AsyncTestClient(app) as client:
        me = await sign_in(client)
    bad = '{"model": "bot", "colors": {"body": "#112233\\n<b>", "accent": "#ffffff"}}'
    await User.update({User.avatar: bad}).where(User.id == me["user"]["id"])
    async with AsyncTestClient(app) as client:
        assert (await client.get("/api/users/me", headers=me["headers"])).json()["avatar"]["model"] == "round"
        r = await client.post("/api/rooms/join", json={"template": "bar"}, headers=me["headers"])
    assert r.status_code == 200, r.text
    assert app.state["services"].tokens.verify(r.json()["realtimeToken"], "realtime").avatar == "round-6c8cff-ffd166"
