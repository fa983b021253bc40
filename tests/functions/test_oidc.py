"""Sign in with an OpenID Connect provider: a real one (Authlib's
authorization server, its own process on loopback), the app as the relying
party; the attacks a relying party must refuse; a guest keeping its data."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from litestar.testing import AsyncTestClient

from functions import create_app

from .oidc_fixtures import at_provider, provider_url, rows, settings, sign_in, start, with_state

__all__ = ["provider_url", "settings"]  # fixtures


@pytest.fixture
def users(database_url):
    async def count() -> int:
        return len(await rows(database_url, "SELECT id FROM users"))

    return count


async def test_the_sign_in_screen_learns_the_providers_name(client):
    r = await client.get("/api/auth/oidc")
    assert r.json() == {"enabled": True, "name": "Test ID"}


async def test_sign_in_with_the_provider_gives_the_apps_own_tokens_and_links_the_account(
    client, tokens, provider_url, database_url
):
    url = await start(client)
    asked = parse_qs(urlparse(url).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"] and asked["nonce"]
    session = await sign_in(client, "alice")
    assert "accessToken" not in session["code"] and len(session["code"]) > 30  # the URL only carried a code
    assert tokens.verify(session["accessToken"], "api").sub == session["user"]["id"]
    assert session["user"]["anonymous"] is False and session["user"]["displayName"] == "Alice Example"
    me = await client.get("/api/auth/session", headers=session["headers"])
    assert me.json()["user"]["id"] == session["user"]["id"]
    (link,) = await rows(database_url, "SELECT issuer, subject, \"user\" FROM oidc_links")
    assert (link["issuer"], link["subject"], link["user"]) == (provider_url, "alice", session["user"]["id"])
    again = await sign_in(client, "alice")  # the same person, later: the same account
    assert again["user"]["id"] == session["user"]["id"]
    r = await client.post("/api/auth/refresh", json={"refreshToken": again["refreshToken"]})
    assert r.status_code == 200


async def test_the_one_time_code_signs_in_once(client):
    session = await sign_in(client)
    r = await client.post("/api/auth/oidc/session", json={"code": session["code"]})
    assert r.status_code == 401 and "sign in again" in r.json()["detail"]


async def test_a_wrong_state_is_refused_and_creates_nobody(client, users):
    before = await users()
    query = await at_provider(await start(client))
    r = await client.get("/api/auth/oidc/callback?" + with_state(query, "forged-state"))
    assert r.status_code == 400 and "state" in r.json()["detail"]
    assert await users() == before


async def test_a_replayed_callback_and_a_replayed_code_are_refused(client, users):
    query = await at_provider(await start(client))
    assert (await client.get("/api/auth/oidc/callback?" + query, follow_redirects=False)).status_code == 303
    before = await users()
    replay = await client.get("/api/auth/oidc/callback?" + query)  # the state is spent
    assert replay.status_code == 400
    fresh_state = parse_qs(urlparse(await start(client)).query)["state"][0]
    stolen = await client.get("/api/auth/oidc/callback?" + with_state(query, fresh_state))  # the code is spent
    assert stolen.status_code == 400 and "invalid_grant" in stolen.json()["detail"]
    assert await users() == before


async def test_an_id_token_for_another_audience_is_refused(client, provider_url, users):
    before = await users()
    query = await at_provider(await start(client))
    httpx.post(f"{provider_url}/test/next", json={"aud": "some-other-app"})
    r = await client.get("/api/auth/oidc/callback?" + query)
    assert r.status_code == 400 and "aud" in r.json()["detail"]
    assert await users() == before


async def test_an_id_token_with_another_nonce_is_refused(client, provider_url, users):
    before = await users()
    query = await at_provider(await start(client))
    httpx.post(f"{provider_url}/test/next", json={"nonce": "a-nonce-from-another-sign-in"})
    r = await client.get("/api/auth/oidc/callback?" + query)
    assert r.status_code == 400 and "nonce" in r.json()["detail"]
    assert await users() == before


async def test_the_callback_may_land_on_another_instance_without_a_pool(client, settings, state):
    """Lambda: each invocation may be another process; the sign-in is in the database."""
    query = await at_provider(await start(client))
    async with AsyncTestClient(create_app(settings, state, pool=False)) as other:
        back = await other.get("/api/auth/oidc/callback?" + query, follow_redirects=False)
        assert back.status_code == 303, back.text


async def test_a_guest_who_signs_in_becomes_the_account_and_keeps_its_data(client, player):
    guest, other = await player("Guesty"), await player("Other")
    await client.post("/api/blocks", json={"userId": other["user"]["id"]}, headers=guest["headers"])
    await client.post("/api/reports", json={"targetUserId": other["user"]["id"], "category": "spam"},
                      headers=guest["headers"])
    session = await sign_in(client, "bob", headers=guest["headers"])
    assert session["user"]["id"] == guest["user"]["id"]  # upgraded in place
    assert session["user"]["anonymous"] is False and session["user"]["displayName"] == "Guesty"
    blocks = (await client.get("/api/blocks", headers=session["headers"])).json()
    assert [b["userId"] for b in blocks] == [other["user"]["id"]]
    mine = (await client.get("/api/me/export", headers=session["headers"])).json()["tables"]
    assert len(mine["reports"]) == 1


async def test_a_guest_signing_in_to_an_existing_account_brings_its_data_along(client, player):
    account = await sign_in(client, "carol")
    guest, other = await player("Wanderer"), await player("Noisy")
    await client.post("/api/blocks", json={"userId": other["user"]["id"]}, headers=guest["headers"])
    session = await sign_in(client, "carol", headers=guest["headers"])
    assert session["user"]["id"] == account["user"]["id"]
    blocks = (await client.get("/api/blocks", headers=session["headers"])).json()
    assert [b["userId"] for b in blocks] == [other["user"]["id"]]
    gone = await client.get("/api/auth/me", headers=guest["headers"])  # the guest is now the account
    assert gone.status_code == 401


async def test_a_guest_logging_in_with_a_password_brings_its_data_along(client, player):
    reg = {"email": "dora@example.org", "username": "dora", "password": "correct horse battery"}
    account = (await client.post("/api/auth/register", json=reg)).json()
    guest, other = await player("Visitor"), await player("Rude")
    await client.post("/api/blocks", json={"userId": other["user"]["id"]}, headers=guest["headers"])
    r = await client.post("/api/auth/login", json={"login": "dora", "password": reg["password"]},
                          headers=guest["headers"])
    assert r.status_code == 200 and r.json()["user"]["id"] == account["user"]["id"]
    headers = {"Authorization": f"Bearer {r.json()['accessToken']}"}
    assert [b["userId"] for b in (await client.get("/api/blocks", headers=headers)).json()] == [other["user"]["id"]]
