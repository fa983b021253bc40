"""A player's data: the export holds what the server keeps about me (and
not the reports others filed against me); erasing my account removes my
personal data, revokes every token, and leaves moderation records naming a
pseudonym."""

from __future__ import annotations

import json

from functions.privacy import pseudonym

from .oidc_fixtures import provider_url, settings, sign_in

__all__ = ["provider_url", "settings"]  # fixtures
REG = {"email": "erin@example.org", "username": "erin", "password": "correct horse battery"}


async def registered(client) -> dict:
    r = await client.post("/api/auth/register", json=REG)
    assert r.status_code == 201, r.text
    return r.json() | {"headers": {"Authorization": f"Bearer {r.json()['accessToken']}"}}


async def admin(client) -> dict:
    r = await client.post("/api/auth/register", json={"email": "boss@example.org", "username": "boss",
                                                       "password": "a long admin password"})
    return {"Authorization": f"Bearer {r.json()['accessToken']}"}


async def test_my_export_holds_what_i_did_and_not_what_others_said_about_me(client, player):
    me, other = await registered(client), await player("Other")
    await client.put("/api/users/preferences", json={"workStyle": "quiet"}, headers=me["headers"])
    await client.post("/api/blocks", json={"userId": other["user"]["id"]}, headers=me["headers"])
    mine = await client.post("/api/reports", json={"targetUserId": other["user"]["id"], "category": "spam",
                                                   "text": "my words"}, headers=me["headers"])
    await client.post("/api/reports", json={"targetUserId": me["user"]["id"], "category": "harassment",
                                            "text": "the other's words"}, headers=other["headers"])
    room = (await client.post("/api/rooms", json={"name": "Deep", "template": "focus"}, headers=me["headers"])).json()
    await client.post(f"/api/rooms/{room['id']}/join", headers=me["headers"])
    await client.post("/api/sessions", json={"roomId": room["id"], "goals": ["essay"]}, headers=me["headers"])

    r = await client.get("/api/me/export", headers=me["headers"])
    assert r.status_code == 200
    export = r.json()
    tables = export["tables"]
    assert [u["email"] for u in tables["users"]] == ["erin@example.org"]
    assert tables["user_preferences"][0]["document"]["workStyle"] == "quiet"
    assert [b["blocked"] for b in tables["blocks"]] == [other["user"]["id"]]
    assert [rep["id"] for rep in tables["reports"]] == [mine.json()["id"]]
    assert [s["goals"][0]["text"] for s in tables["focus_sessions"]] == ["essay"]
    assert [room_row["id"] for room_row in tables["rooms"]] == [room["id"]]
    assert len(tables["credentials"]) == 1 and len(tables["refresh_tokens"]) == 1
    text = json.dumps(export)
    assert "the other's words" not in text  # a report against me is the reporter's
    assert "argon2" not in text and "secret_hash" not in text and "password_hash" not in text
    assert "chat" in export["notStored"]


async def test_my_export_names_my_provider_link(client):
    me = await sign_in(client, "frank")
    links = (await client.get("/api/me/export", headers=me["headers"])).json()["tables"]["oidc_links"]
    assert [(link["subject"], link["email"]) for link in links] == [("frank", "frank@provider.test")]


async def test_erasing_my_account_revokes_every_token_and_pseudonymises_the_records(client, player):
    mod, me, other = await admin(client), await registered(client), await player("Other")
    my_id = me["user"]["id"]
    await client.post("/api/blocks", json={"userId": other["user"]["id"]}, headers=me["headers"])
    filed = (await client.post("/api/reports", json={"targetUserId": other["user"]["id"], "category": "spam"},
                               headers=me["headers"])).json()["id"]
    act = {"type": "mute", "userId": my_id, "reason": "shouting", "durationS": 600}
    assert (await client.post("/api/moderation/actions", json=act, headers=mod)).status_code == 201
    refresh = me["refreshToken"]

    assert (await client.delete("/api/me", headers=me["headers"])).status_code == 204

    assert (await client.get("/api/auth/me", headers=me["headers"])).status_code == 401  # the access token
    assert (await client.post("/api/auth/refresh", json={"refreshToken": refresh})).status_code == 401
    login = await client.post("/api/auth/login", json={"login": "erin", "password": REG["password"]})
    assert login.status_code == 401
    alias = pseudonym(my_id)
    profile = (await client.get(f"/api/users/{my_id}", headers=other["headers"])).json()
    assert (profile["displayName"], profile["deleted"]) == (alias, True)
    audit = (await client.get("/api/moderation/audit", headers=mod)).json()["items"]
    assert [(a["action"], a["targetUserId"]) for a in audit] == [("mute", alias)]
    assert my_id not in json.dumps(audit)
    reports = (await client.get("/api/moderation/reports", headers=mod)).json()["items"]
    assert [r["id"] for r in reports] == [filed]  # kept for the moderators, filed by the pseudonym's row
    again = await client.post("/api/auth/register", json=REG)  # the email and username are free again
    assert again.status_code == 201 and again.json()["user"]["id"] != my_id


async def befriend(client, a: dict, b: dict) -> None:
    r = await client.post("/api/friends/requests", json={"userId": b["user"]["id"]}, headers=a["headers"])
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/friends/requests/{a['user']['id']}/accept", headers=b["headers"])
    assert r.status_code == 200, r.text


async def test_erasing_my_account_ends_my_friendships(client, player):
    me, friend = await registered(client), await player("Pal")
    await befriend(client, me, friend)
    assert (await client.get("/api/me/export", headers=me["headers"])).json()["tables"]["friendships"]

    assert (await client.delete("/api/me", headers=me["headers"])).status_code == 204

    theirs = (await client.get("/api/friends", headers=friend["headers"])).json()
    assert theirs["friends"] == [] and theirs["incoming"] == [] and theirs["outgoing"] == []


async def test_a_guest_logging_in_brings_its_friends_to_the_account(client, player):
    account = await registered(client)
    guest, pal, both = await player("Visitor"), await player("Pal"), await player("Both")
    await befriend(client, guest, pal)
    await befriend(client, both, guest)  # asked by the other side
    await befriend(client, account, both)  # the account's own friendship with the same player wins

    r = await client.post("/api/auth/login", json={"login": "erin", "password": REG["password"]},
                          headers=guest["headers"])
    assert r.status_code == 200 and r.json()["user"]["id"] == account["user"]["id"]

    mine = (await client.get("/api/friends", headers=account["headers"])).json()
    assert sorted(f["displayName"] for f in mine["friends"]) == ["Both", "Pal"]
    pals = (await client.get("/api/friends", headers=pal["headers"])).json()
    assert [f["userId"] for f in pals["friends"]] == [account["user"]["id"]]
