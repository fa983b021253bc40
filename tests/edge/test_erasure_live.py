"""Erasing an account reaches the live room: the API (on SQLite and on
PostgreSQL) announces it on the control stream of a real redis-server, and a
real edge process closes the player's socket within a second; the realtime
token handed out before is refused afterwards."""

from __future__ import annotations

import itertools
import time

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from tests.edge.client import Client
from tests.edge.conftest import SECRET
from virtubar.settings import Settings

_databases = itertools.count()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'api.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_url")
    name = f"erasure_test_{next(_databases)}"
    admin = await asyncpg.connect(server)
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    yield server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
async def api(redis_url, tmp_path, database_url):
    settings = Settings(data=tmp_path, redis_url=redis_url, token_secret=SECRET, database_url=database_url).completed()
    app = create_app(settings)
    await app.state["services"].db.migrate()
    async with AsyncTestClient(app) as client:
        yield client


async def test_erasing_my_account_closes_my_socket_within_a_second(api, edge, issuer):
    me = (await api.post("/api/auth/anonymous", json={"displayName": "Leaving"})).json()
    headers = {"Authorization": f"Bearer {me['accessToken']}"}
    room = (await api.post("/api/rooms", json={"name": "Pub", "template": "bar"}, headers=headers)).json()["id"]
    token = issuer.issue("realtime", me["user"]["id"], room=room, platform="desktop", name="Leaving")
    ws = await Client.connect(edge.url)
    try:
        await ws.join(room, token)
        started = time.monotonic()
        assert (await api.delete("/api/me", headers=headers)).status_code == 204
        assert await ws.wait_closed(timeout=1.0) == 4004
        assert time.monotonic() - started < 1.0
        assert ws.events("auth_error")[-1]["code"] == "token_revoked"
    finally:
        await ws.close()
    again = await Client.connect(edge.url)  # the token from before the erasure is refused at join
    try:
        await again.send("join_room", roomId=room, token=token)
        assert (await again.wait("auth_error"))["code"] == "token_revoked"
    finally:
        await again.close()
    assert (await api.get("/api/auth/me", headers=headers)).status_code == 401
