"""Cosmetics and looks: a starter set for everyone, admin grants (audited),
only owned items worn, and the look carried to the room by the join."""

from .test_moderation import staff

CROWNED = {"body": "slim", "skin": "#8d5524", "hair": "long", "hairColour": "#aa3355", "outfit": "hoodie",
           "outfitColour": "#22aa66", "hat": "crown", "hatColour": "#ffd700"}


async def test_everyone_owns_the_starter_set_and_wears_a_look(client, player):
    ada = await player("Ada")
    body = (await client.get("/api/inventory", headers=ada["headers"])).json()
    owned = {i["id"] for i in body["items"] if i["owned"]}
    assert {"hair:short", "outfit:tee", "hat:cap"} <= owned and "hat:crown" not in owned
    assert body["look"]["outfitColour"].startswith("#")


async def test_wearing_an_unowned_item_is_refused_and_changes_nothing(client, player):
    ada = await player("Ada")
    before = (await client.get("/api/users/me", headers=ada["headers"])).json()
    r = await client.put("/api/inventory/look", json=CROWNED, headers=ada["headers"])
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"] == [{"field": "hat", "message": "you do not own Crown (hat:crown)"}]
    assert (await client.get("/api/users/me", headers=ada["headers"])).json() == before


async def test_a_bad_look_is_a_clear_422(client, player):
    ada = await player("Ada")
    for bad in ({**CROWNED, "hat": "halo"}, {**CROWNED, "skin": "#12345"}, {**CROWNED, "skin": "#123456\n"},
                {**CROWNED, "wings": True}):
        r = await client.put("/api/inventory/look", json=bad, headers=ada["headers"])
        assert r.status_code == 422, bad


async def test_an_admin_grants_an_item_which_can_then_be_worn_and_travels_in_the_join(client, player, tokens):
    ada = await player("Ada")
    admin = await staff(client, "admin")
    grant = {"userId": ada["user"]["id"], "itemId": "hat:crown", "reason": "won the quiz"}
    r = await client.post("/api/admin/inventory/grants", json=grant, headers=ada["headers"])
    assert r.status_code == 403  # players cannot grant themselves anything
    r = await client.post("/api/admin/inventory/grants", json={**grant, "itemId": "hat:halo"}, headers=admin["headers"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "itemId"
    r = await client.post("/api/admin/inventory/grants", json=grant, headers=admin["headers"])
    assert r.status_code == 201 and r.json()["itemId"] == "hat:crown"
    audit = (await client.get("/api/moderation/audit", headers=admin["headers"])).json()["items"]
    assert audit[0]["action"] == "grant_item" and audit[0]["details"] == {"item": "hat:crown"}
    r = await client.put("/api/inventory/look", json=CROWNED, headers=ada["headers"])
    assert r.status_code == 200 and r.json() == CROWNED
    me = (await client.get("/api/users/me", headers=ada["headers"])).json()
    assert me["look"] == CROWNED and me["avatar"]["model"] == "slim"
    room = await client.post("/api/rooms", json={"name": "Bar", "template": "bar"}, headers=ada["headers"])
    joined = await client.post("/api/rooms/join", json={"roomId": room.json()["id"]}, headers=ada["headers"])
    claims = tokens.verify(joined.json()["realtimeToken"], "realtime")
    assert claims.look is not None and claims.look.hat == "crown" and claims.avatar == "slim-22aa66-ffd700"
