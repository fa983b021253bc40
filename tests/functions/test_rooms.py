"""The room directory: create, list, search, occupancy, manage."""

from virtubar import keys
from virtubar.world import default_world, to_json


async def make_room(client, who, **fields) -> dict:
    body = {"name": "Room", "template": "bar"} | fields
    r = await client.post("/api/rooms", json=body, headers=who["headers"])
    assert r.status_code == 201, r.text
    return r.json()


async def test_create_room_from_each_template_with_its_default_world(client, player):
    owner = await player()
    for template in ("bar", "office", "focus", "world"):
        room = await make_room(client, owner, name=f"My {template}", template=template)
        assert room["ownerId"] == owner["user"]["id"] and room["occupancy"] == 0
        detail = (await client.get(f"/api/rooms/{room['id']}", headers=owner["headers"])).json()
        assert detail["world"]["template"] == template
        assert detail["world"]["zones"] == to_json(default_world(template))["zones"]


async def test_list_filters_by_template_searches_by_name_and_pages(client, player):
    owner = await player()
    for name, template in [("Moon Bar", "bar"), ("Sun Bar", "bar"), ("Deep Work", "focus"), ("100% Fun_Bar", "bar")]:
        await make_room(client, owner, name=name, template=template)
    h = owner["headers"]
    bars = (await client.get("/api/rooms?template=bar", headers=h)).json()
    assert bars["total"] == 3 and {r["template"] for r in bars["items"]} == {"bar"}
    found = (await client.get("/api/rooms?q=moon", headers=h)).json()
    assert [r["name"] for r in found["items"]] == ["Moon Bar"]
    literal = (await client.get("/api/rooms", params={"q": "0% F"}, headers=h)).json()
    assert [r["name"] for r in literal["items"]] == ["100% Fun_Bar"]
    assert (await client.get("/api/rooms", params={"q": "n_B"}, headers=h)).json()["total"] == 1
    page = (await client.get("/api/rooms?limit=2&offset=2", headers=h)).json()
    assert page["total"] == 4 and len(page["items"]) == 2 and page["offset"] == 2


async def test_private_rooms_are_listed_only_for_their_owner(client, player):
    owner, other = await player(), await player()
    await make_room(client, owner, name="Secret", public=False)
    assert (await client.get("/api/rooms", headers=owner["headers"])).json()["total"] == 1
    assert (await client.get("/api/rooms", headers=other["headers"])).json()["total"] == 0


async def test_an_unlisted_room_is_joined_by_its_link_only(client, player):
    owner, guest = await player(), await player()
    room = await make_room(client, owner, name="Quiz night", template="office", public=False)
    assert (await client.get("/api/rooms", params={"q": "Quiz"}, headers=guest["headers"])).json()["total"] == 0
    quick = await client.post("/api/rooms/join", json={"template": "office", "platform": "desktop"},
                              headers=guest["headers"])
    assert quick.status_code == 200 and quick.json()["roomId"] != room["id"]  # quick-join never lands there
    by_link = await client.post("/api/rooms/join", json={"roomId": room["id"], "platform": "desktop"},
                                headers=guest["headers"])
    assert by_link.status_code == 200 and by_link.json()["room"]["name"] == "Quiz night"


async def test_listing_shows_live_occupancy(client, player, state):
    owner = await player()
    room = await make_room(client, owner)
    for user in ("u1", "u2", "u3"):
        await state.put(keys.room_members(room["id"]), user, b"", 30)
    (listed,) = (await client.get("/api/rooms", headers=owner["headers"])).json()["items"]
    assert listed["occupancy"] == 3


async def test_only_owner_or_admin_changes_or_deletes_a_room(client, player):
    owner, other = await player(), await player()
    room = await make_room(client, owner)
    url = f"/api/rooms/{room['id']}"
    assert (await client.patch(url, json={"name": "Hijacked"}, headers=other["headers"])).status_code == 403
    assert (await client.delete(url, headers=other["headers"])).status_code == 403
    r = await client.patch(url, json={"name": "Renamed", "capacity": 8, "public": False}, headers=owner["headers"])
    assert r.status_code == 200 and (r.json()["name"], r.json()["capacity"], r.json()["public"]) == (
        "Renamed",
        8,
        False,
    )
    admin = (
        await client.post(
            "/api/auth/register", json={"email": "boss@example.org", "username": "boss", "password": "a long password"}
        )
    ).json()
    assert (await client.delete(url, headers={"Authorization": f"Bearer {admin['accessToken']}"})).status_code == 204
    assert (await client.get(url, headers=owner["headers"])).status_code == 404


async def test_custom_world_is_validated_with_clear_errors(client, player):
    owner = await player()
    world = to_json(default_world("office"))
    world["name"] = "Tiny office"
    room = await make_room(client, owner, template="office", world=world)
    assert (await client.get(f"/api/rooms/{room['id']}", headers=owner["headers"])).json()["world"][
        "name"
    ] == "Tiny office"
    broken = world | {"grid": world["grid"][:-1]}
    r = await client.post(
        "/api/rooms", json={"name": "x", "template": "office", "world": broken}, headers=owner["headers"]
    )
    assert r.status_code == 422 and "rows" in r.json()["errors"][0]["message"]
    r = await client.post("/api/rooms", json={"name": "x", "template": "bar", "world": world}, headers=owner["headers"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "world.template"
    assert (await client.get("/api/rooms", headers=owner["headers"])).json()["total"] == 1


async def test_owner_sets_a_chat_word_filter_that_reaches_the_edge(client, player, state):
    import msgspec

    from virtubar import keys

    owner = await player()
    room = await make_room(client, owner, chatFilter=["Darn", "heck"])
    detail = (await client.get(f"/api/rooms/{room['id']}", headers=owner["headers"])).json()
    assert detail["chatFilter"] == ["darn", "heck"]
    await client.patch(f"/api/rooms/{room['id']}", json={"chatFilter": ["drat"]}, headers=owner["headers"])
    published = await state.members(keys.room_setup(room["id"]))
    assert msgspec.json.decode(published["chatFilter"]) == ["drat"]
    bad = await client.patch(f"/api/rooms/{room['id']}", json={"chatFilter": ["two words"]}, headers=owner["headers"])
    assert bad.status_code == 422


def test_masking_stars_out_whole_words_in_any_case():
    from virtubar.moderation import mask_words

    assert mask_words("Darn it, darnation! DARN.", ["darn"]) == "**** it, darnation! ****."
    assert mask_words("all fine", []) == "all fine"


async def test_owner_makes_an_event_room_that_the_sfu_reads_others_cannot(client, player, state):
    from virtubar import stage

    owner, guest = await player(), await player()
    room = await make_room(client, owner, template="office")
    assert room["eventRoom"] is False
    r = await client.patch(f"/api/rooms/{room['id']}", json={"eventRoom": True}, headers=owner["headers"])
    assert r.status_code == 200 and r.json()["eventRoom"] is True
    assert stage.is_event((await state.members(keys.room_setup(room["id"])))["event"])
    denied = await client.patch(f"/api/rooms/{room['id']}", json={"eventRoom": False}, headers=guest["headers"])
    assert denied.status_code == 403
    detail = (await client.get(f"/api/rooms/{room['id']}", headers=guest["headers"])).json()
    assert detail["eventRoom"] is True
