"""Signing in: anonymous, registered, refresh rotation, logout, upgrade."""

import time

import jwt

REG = {"email": "ada@example.org", "username": "ada", "password": "correct horse battery"}


async def test_anonymous_sign_in_gets_a_friendly_name_and_a_short_api_token(client, tokens):
    r = await client.post("/api/auth/anonymous")
    assert r.status_code == 201
    body = r.json()
    assert body["user"]["anonymous"] is True
    assert len(body["user"]["displayName"].split()) == 3  # "Mellow Otter 42"
    claims = tokens.verify(body["accessToken"], "api")
    assert claims.sub == body["user"]["id"] and claims.anon
    assert body["expiresIn"] <= 900 and claims.exp - claims.iat == body["expiresIn"]


async def test_anonymous_with_a_chosen_name(client, player):
    me = await player("Zoë")
    assert me["user"]["displayName"] == "Zoë"
    r = await client.get("/api/auth/me", headers=me["headers"])
    assert r.json()["displayName"] == "Zoë"


async def test_register_then_login_by_email_or_username(client):
    r = await client.post("/api/auth/register", json=REG)
    assert r.status_code == 201
    assert r.json()["user"]["username"] == "ada" and not r.json()["user"]["anonymous"]
    for login in ("ada@example.org", "ADA", "Ada@Example.org"):
        r = await client.post("/api/auth/login", json={"login": login, "password": REG["password"]})
        assert r.status_code == 200, login
        assert r.json()["user"]["id"]


async def test_passwords_are_stored_as_argon2_hashes(app):
    from litestar.testing import AsyncTestClient

    from functions.tables import Credential

    async with AsyncTestClient(app) as client:  # the app's pool lives in the client's loop
        await client.post("/api/auth/register", json=REG)
    (cred,) = await Credential.select()
    assert cred["password_hash"].startswith("$argon2id$")
    assert REG["password"] not in cred["password_hash"]


async def test_wrong_password_and_unknown_user_are_the_same_401(client):
    await client.post("/api/auth/register", json=REG)
    wrong = await client.post("/api/auth/login", json={"login": "ada", "password": "nope-nope-nope"})
    unknown = await client.post("/api/auth/login", json={"login": "bob", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_duplicate_email_or_username_is_409_naming_the_field(client):
    await client.post("/api/auth/register", json=REG)
    r = await client.post("/api/auth/register", json=REG | {"email": "other@example.org", "username": "ADA"})
    assert r.status_code == 409
    assert [e["field"] for e in r.json()["errors"]] == ["username"]


async def test_admin_email_from_configuration_gets_the_admin_role(client):
    r = await client.post("/api/auth/register", json={**REG, "email": "boss@example.org", "username": "boss"})
    assert r.json()["user"]["role"] == "admin"


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(client):
    first = (await client.post("/api/auth/register", json=REG)).json()
    r = await client.post("/api/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refreshToken"] != first["refreshToken"]
    # The old token is presented again: someone stole it. Both die.
    stolen = await client.post("/api/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert stolen.status_code == 401
    legit = await client.post("/api/auth/refresh", json={"refreshToken": second["refreshToken"]})
    assert legit.status_code == 401


async def test_logout_revokes_the_refresh_token(client, player):
    me = await player()
    assert (await client.post("/api/auth/logout", json={"refreshToken": me["refreshToken"]})).status_code == 204
    r = await client.post("/api/auth/refresh", json={"refreshToken": me["refreshToken"]})
    assert r.status_code == 401


async def test_forged_or_tampered_refresh_token_is_401(client, player):
    me = await player()
    token_id, _, secret = me["refreshToken"].partition(".")
    for bad in (f"{token_id}.{secret[:-1]}x", "x" * 32 + ".abc", "garbage"):
        r = await client.post("/api/auth/refresh", json={"refreshToken": bad})
        assert r.status_code == 401, bad


async def test_anonymous_account_upgrades_in_place(client, player):
    anon = await player("Guest")
    r = await client.post("/api/auth/register", json=REG, headers=anon["headers"])
    assert r.status_code == 201
    assert r.json()["user"]["id"] == anon["user"]["id"]
    assert r.json()["user"]["anonymous"] is False
    again = await client.post(
        "/api/auth/register",
        json=REG | {"username": "ada2", "email": "a2@example.org"},
        headers={"Authorization": f"Bearer {r.json()['accessToken']}"},
    )
    assert again.status_code == 409


async def test_api_rejects_expired_wrong_audience_and_forged_tokens(client, tokens, player, settings):
    me = await player()
    wrong_kind = tokens.issue("realtime", me["user"]["id"], room="r", platform="desktop")
    now = time.time()
    claims = {"sub": me["user"]["id"], "aud": "api", "iss": "virtubar", "exp": now + 60, "iat": now, "jti": "x"}
    forged = jwt.encode(claims, "not-the-secret-" * 4, algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    expired = jwt.encode(claims | {"exp": now - 5, "iat": now - 100}, settings.token_secret, algorithm="HS256")
    for token in (wrong_kind, forged, unsigned, expired):
        r = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/api/auth/me")).status_code == 401
