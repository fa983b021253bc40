"""HTTP hardening: undecodable bodies and absurd paging are the client's
error (4xx problem JSON, never a 500); every answer of the server (the API,
its docs page, the client page and its files) carries the security headers;
the data folder, the database and its journals are private to their owner."""

import sqlite3
import stat
from contextlib import closing

import httpx
import pytest

from functions.db import Database
from launcher import embedded
from virtubar.settings import Settings

from .test_bad_input import assert_problem
from .test_moderation import staff


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"name": "\xff\xfe", "template": "bar"}', "not UTF-8"),
        (b'{"name": "caf\xe9", "template": "bar"}', "not UTF-8"),  # Latin-1, not UTF-8
    ],
)
async def test_undecodable_bodies_are_400_and_change_nothing(client, player, body, detail):
    me = await player()
    r = await client.post("/api/rooms", content=body, headers=me["headers"] | {"content-type": "application/json"})
    assert detail in assert_problem(r, 400)["detail"]
    assert (await client.get("/api/rooms", headers=me["headers"])).json()["total"] == 0


@pytest.mark.parametrize("path", ["/api/moderation/reports", "/api/moderation/audit", "/api/rooms"])
@pytest.mark.parametrize("query", ["offset=99999999999999999999", "offset=9223372036854775808", "limit=10000000"])
async def test_huge_paging_values_are_422_naming_the_parameter(client, path, query):
    mod = await staff(client)
    problem = assert_problem(await client.get(f"{path}?{query}", headers=mod["headers"]), 422)
    assert problem["errors"][0]["field"] == query.split("=")[0]


@pytest.fixture
def embedded_app(tmp_path, monkeypatch):
    """The embedded server's one ASGI app, in process, with a built client."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/app.js"></script>')
    (dist / "assets" / "app.js").write_text("console.log('hi')")
    monkeypatch.setattr(embedded, "CLIENT_DIST", dist)
    monkeypatch.setenv("VIRTUBAR_DATA", str(tmp_path / "data"))
    return embedded.create_app()


def csp(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: d.partition(" ")[2] for d in (p.strip() for p in policy.split(";")) if d}


async def test_every_page_and_file_of_the_embedded_server_carries_the_security_headers(embedded_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=embedded_app), base_url="http://vb.test") as http:
        answers = {
            path: await http.get(path)
            for path in (
                "/",
                "/assets/app.js",
                "/api/health",
                "/api/nowhere",
                "/api/schema",
                "/api/docs",
                "/api/schema/openapi.json",
            )
        }
    for path, r in answers.items():
        assert r.status_code == (404 if path == "/api/nowhere" else 200), path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "no-referrer", path
        assert csp(r)["frame-ancestors"] == "'none'", path
        assert r.headers.get_list("content-security-policy") == [r.headers["content-security-policy"]], path
    page = csp(answers["/"])
    assert page["script-src"].startswith("'self'") and "'unsafe-inline'" not in page["script-src"]
    assert page["connect-src"] == "'self'" and page["object-src"] == "'none'"
    assert csp(answers["/assets/app.js"]) == page
    assert csp(answers["/api/health"])["default-src"] == "'none'"
    for docs_page in ("/api/docs", "/api/schema"):  # Scalar, from this origin only, no inline script
        docs = csp(answers[docs_page])
        assert docs["script-src"] == "'self'" and docs["connect-src"] == "'self'", docs_page
        assert '<script src="/vendor/scalar/standalone.js">' in answers[docs_page].text, docs_page


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_data_folder_and_the_database_are_private(tmp_path):
    data = tmp_path / "new" / "data"
    settings = Settings(data=data).completed()
    assert mode(tmp_path / "new") == mode(data) == 0o700
    assert mode(data / "token-secret") == 0o600
    db = Database(settings.database_url)
    await db.migrate()
    await db.close()
    with closing(sqlite3.connect(data / "virtubar.sqlite3")) as live:  # the journals exist while it is open
        live.execute("INSERT INTO virtubar_migrations VALUES (999, 'a write')")
        live.commit()
        files = sorted(data.glob("virtubar.sqlite3*"))
        assert [f.name for f in files] == ["virtubar.sqlite3", "virtubar.sqlite3-shm", "virtubar.sqlite3-wal"]
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}


async def test_a_database_left_world_readable_by_an_older_release_is_tightened(tmp_path):
    old = tmp_path / "old.sqlite3"
    old.write_bytes(b"")
    old.chmod(0o644)
    Database(f"sqlite:///{old}")
    assert mode(old) == 0o600


async def test_the_api_alone_carries_the_security_headers_too(client, player):
    """As it runs on its own (``virtubar api``, Lambda), errors included."""
    me = await player()
    for r in (
        await client.get("/api/health"),
        await client.get("/api/nowhere"),
        await client.get("/api/rooms"),
        await client.post(
            "/api/rooms", content=b"[" * 50_000, headers=me["headers"] | {"content-type": "application/json"}
        ),
    ):
        assert r.status_code in (200, 400, 401, 404), r.text
        assert r.headers["x-content-type-options"] == "nosniff" and csp(r)["default-src"] == "'none'"
