"""The functions suite runs twice: on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import itertools

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from virtubar.bus import LocalBus
from virtubar.registry import NodeInfo
from virtubar.settings import Settings
from virtubar.state import LocalState

_databases = itertools.count()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'api.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_url")
    name = f"api_test_{next(_databases)}"
    admin = await asyncpg.connect(server)
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    yield server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(
        data=tmp_path,
        database_url=database_url,
        region="eu",
        admin_emails=["boss@example.org"],
        stun_urls=["stun:stun.example.org:3478"],
        turn_urls=["turn:turn.example.org:3478?transport=udp"],
        turn_secret="turn-shared-secret",
        reservation_s=60,
    ).completed()


@pytest.fixture
def state() -> LocalState:
    return LocalState()


@pytest.fixture
async def nodes(state):
    """A live edge and SFU node, as the embedded mode registers them."""
    from virtubar.registry import Registry

    registry = Registry(state)
    edge = NodeInfo(id="edge-1", kind="edge", url="ws://edge-1.test/ws", region="eu", capacity=1000)
    sfu = NodeInfo(id="sfu-1", kind="sfu", url="ws://sfu-1.test/sfu", region="eu", capacity=1000)
    await registry.announce(edge)
    await registry.announce(sfu)
    return registry


@pytest.fixture
async def app(settings, state):
    app = create_app(settings, state)
    await app.state["services"].db.migrate()
    return app


@pytest.fixture
async def client(app, nodes):
    async with AsyncTestClient(app) as c:
        yield c


@pytest.fixture
def tokens(app):
    return app.state["services"].tokens


async def sign_in(client, name: str | None = None) -> dict:
    """An anonymous player: the session body plus ready-made auth headers."""
    r = await client.post("/api/auth/anonymous", json={"displayName": name} if name else {})
    assert r.status_code == 201, r.text
    session = r.json()
    session["headers"] = {"Authorization": f"Bearer {session['accessToken']}"}
    return session


@pytest.fixture
def player(client):
    return lambda name=None: sign_in(client, name)


@pytest.fixture
async def node_bus(app) -> LocalBus:
    """A node's view of the API's in-process streams, reading the control stream from now."""
    view = LocalBus(app.state["services"].bus.streams)
    await view.read(0)
    yield view
    await view.close()
