"""Bad input gets a 4xx problem JSON naming the problem; never a 5xx, and
nothing changes."""

import pytest

PROBLEM = "application/problem+json"


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


async def test_malformed_json_is_400(client, player):
    me = await player()
    r = await client.post(
        "/api/rooms", content=b'{"name": "x",', headers=me["headers"] | {"content-type": "application/json"}
    )
    assert_problem(r, 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template": "bar"}, "name"),
        ({"name": "x", "template": "pub"}, "template"),
        ({"name": 5, "template": "bar"}, "name"),
        ({"name": "x" * 81, "template": "bar"}, "name"),
        ({"name": "x", "template": "bar", "capacity": 0}, "capacity"),
        ({"name": "x", "template": "bar", "capacity": "many"}, "capacity"),
        ({"name": "x", "template": "bar", "owner": "me"}, "owner"),
        ({"name": "\u0000evil", "template": "bar"}, "name"),
    ],
)
async def test_schema_violations_are_422_naming_the_field(client, player, body, field):
    me = await player()
    problem = assert_problem(await client.post("/api/rooms", json=body, headers=me["headers"]), 422)
    assert problem["errors"][0]["field"] == field
    assert (await client.get("/api/rooms", headers=me["headers"])).json()["total"] == 0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/register", {"email": "not-an-email", "username": "ok_name", "password": "long enough"}),
        ("/api/auth/register", {"email": "a@b.org", "username": "x", "password": "long enough"}),
        ("/api/auth/register", {"email": "a@b.org", "username": "ok_name", "password": "short"}),
        ("/api/auth/register", {"email": "a@b.org", "username": "ok_name", "password": "p" * 257}),
        ("/api/auth/login", {"login": "", "password": "x"}),
        ("/api/auth/anonymous", {"displayName": "x" * 41}),
        ("/api/auth/refresh", {"refreshToken": 12}),
        ("/api/auth/anonymous", ["not", "an", "object"]),
    ],
)
async def test_auth_bad_input_is_422(client, path, body):
    assert_problem(await client.post(path, json=body), 422)


async def test_oversized_body_is_413(client, player):
    me = await player()
    r = await client.post(
        "/api/rooms",
        content=b"[" + b"1," * 600_000 + b"1]",
        headers=me["headers"] | {"content-type": "application/json"},
    )
    assert_problem(r, 413)


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic abc", "Bearer a.b.c", "Bearer " + "x" * 5000])
async def test_bad_authorization_headers_are_401(client, header):
    assert_problem(await client.get("/api/rooms", headers={"Authorization": header}), 401)


async def test_unknown_routes_and_methods_are_problems_too(client, player):
    me = await player()
    assert_problem(await client.get("/api/nowhere", headers=me["headers"]), 404)
    assert_problem(await client.put("/api/rooms", json={}, headers=me["headers"]), 405)
    assert_problem(await client.get("/api/rooms/not-a-room", headers=me["headers"]), 404)
    assert_problem(await client.get("/api/rooms?limit=abc", headers=me["headers"]), 422)
