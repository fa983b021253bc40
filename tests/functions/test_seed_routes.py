"""The REST shapes other clients expect: who is in a room now, joining and
leaving a room by its path, a public profile, and my session."""

from __future__ import annotations

from datetime import datetime

import msgspec

from virtubar import keys, wire


async def room_of(client, owner) -> str:
    r = await client.post("/api/rooms", json={"name": "Pub", "template": "bar"}, headers=owner["headers"])
    return r.json()["id"]


async def present(state, room_id: str, who: dict, **fields) -> None:
    """The player as the edge writes a connected member into presence."""
    member = wire.Member(userId=who["user"]["id"], displayName=who["user"]["displayName"], avatarId="a", **fields)
    await state.put(keys.room_members(room_id), who["user"]["id"], msgspec.json.encode(member), 60)


async def test_room_users_are_the_connected_members_less_those_blocked(client, player, state):
    ann, bob, cy = await player("Ann"), await player("Bob"), await player("Cy")
    room = await room_of(client, ann)
    await present(state, room, ann, status="working")
    await present(state, room, bob)
    r = await client.post(f"/api/rooms/{room}/join", headers=cy["headers"])  # a held place, not yet connected
    assert r.status_code == 200 and r.json()["roomId"] == room and r.json()["realtimeToken"]
    seen = (await client.get(f"/api/rooms/{room}/users", headers=cy["headers"])).json()
    assert [(m["displayName"], m.get("status")) for m in seen] == [("Ann", "working"), ("Bob", None)]
    await client.post("/api/blocks", json={"userId": bob["user"]["id"]}, headers=cy["headers"])
    seen = (await client.get(f"/api/rooms/{room}/users", headers=cy["headers"])).json()
    assert [m["displayName"] for m in seen] == ["Ann"]
    missing = await client.get(f"/api/rooms/{'0' * 32}/users", headers=cy["headers"])
    assert missing.status_code == 404 and missing.json()["detail"] == "No such room."


async def test_join_by_path_answers_as_the_join_route_and_leave_frees_the_place(client, player, state):
    owner, guest = await player("Owner"), await player("Guest")
    room = await room_of(client, owner)
    by_path = await client.post(f"/api/rooms/{room}/join", json={"platform": "mobile"}, headers=guest["headers"])
    by_body = await client.post("/api/rooms/join", json={"roomId": room, "platform": "mobile"},
                                headers=guest["headers"])
    assert by_path.status_code == by_body.status_code == 200
    assert set(by_path.json()) == set(by_body.json()) and by_path.headers["cache-control"] == "no-store"
    assert guest["user"]["id"] in await state.members(keys.room_members(room))
    left = await client.post(f"/api/rooms/{room}/leave", headers=guest["headers"])
    assert left.status_code == 204
    assert guest["user"]["id"] not in await state.members(keys.room_members(room))
    bad = await client.post(f"/api/rooms/{room}/join", json={"platform": "toaster"}, headers=guest["headers"])
    assert bad.status_code == 400 or bad.status_code == 422


async def test_a_public_profile_shows_name_and_avatar_and_nothing_private(client, player):
    reg = {"email": "gil@example.org", "username": "gil", "password": "correct horse battery", "displayName": "Gil G"}
    gil = (await client.post("/api/auth/register", json=reg)).json()
    other = await player()
    r = await client.get(f"/api/users/{gil['user']['id']}", headers=other["headers"])
    assert r.status_code == 200
    assert set(r.json()) == {"id", "displayName", "avatar", "anonymous", "deleted"}
    assert "gil@example.org" not in r.text and '"gil"' not in r.text
    assert (await client.get("/api/users/nope", headers=other["headers"])).status_code == 404


async def test_my_session_says_who_i_am_and_when_my_token_expires(client, player, tokens):
    me = await player("Ida")
    r = await client.get("/api/auth/session", headers=me["headers"])
    body = r.json()
    claims = tokens.verify(me["accessToken"], "api")
    assert body["user"]["displayName"] == "Ida"
    assert int(datetime.fromisoformat(body["expiresAt"]).timestamp()) == claims.exp
    assert 0 < body["expiresIn"] <= 900
    assert (await client.get("/api/auth/session")).status_code == 401


async def test_the_new_routes_are_in_the_api_reference(client):
    paths = (await client.get("/api/schema/openapi.json")).json()["paths"]
    for path in ("/api/rooms/{room_id}/users", "/api/rooms/{room_id}/join", "/api/rooms/{room_id}/leave",
                 "/api/users/{user_id}", "/api/auth/session", "/api/me/export", "/api/me",
                 "/api/auth/oidc/start", "/api/auth/oidc/callback", "/api/auth/oidc/session"):
        assert path in paths, path
