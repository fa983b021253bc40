"""The OpenID Connect test provider as a fixture (a separate process on
loopback) and the browser's part of a sign-in, played by the test."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from infra.localservices import free_port

CLIENT_ID, CLIENT_SECRET = "virtubar-test", "provider-test-secret-0123456789"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def provider_url():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.functions.oidc_provider", str(port), CLIENT_ID, CLIENT_SECRET],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/.well-known/openid-configuration", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError(proc.communicate()[0])
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def settings(settings, provider_url):
    """The suite's settings with the test provider configured."""
    settings.oidc_issuer = provider_url
    settings.oidc_client_id = CLIENT_ID
    settings.oidc_client_secret = CLIENT_SECRET
    settings.oidc_name = "Test ID"
    return settings


async def at_provider(authorization_url: str, subject: str = "alice") -> str:
    """The browser at the provider: the query of its redirect back to us."""
    async with httpx.AsyncClient() as browser:
        r = await browser.get(authorization_url + f"&login_hint={subject}")
    assert r.status_code == 302, r.text
    return urlparse(r.headers["location"]).query


def with_state(query: str, state: str) -> str:
    values = parse_qs(query)
    values["state"] = [state]
    return "&".join(f"{k}={v[0]}" for k, v in values.items())


async def start(client, headers: dict | None = None) -> str:
    r = await client.post("/api/auth/oidc/start", headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()["authorizationUrl"]


async def sign_in(client, subject: str = "alice", headers: dict | None = None) -> dict:
    """The whole sign-in: start, the provider, the callback, the code traded for the app's session."""
    query = await at_provider(await start(client, headers), subject)
    back = await client.get("/api/auth/oidc/callback?" + query, follow_redirects=False)
    assert back.status_code == 303, back.text
    code = urlparse(back.headers["location"]).fragment.removeprefix("oidc-code=")
    r = await client.post("/api/auth/oidc/session", json={"code": code})
    assert r.status_code == 200, r.text
    session = r.json()
    return session | {"headers": {"Authorization": f"Bearer {session['accessToken']}"}, "code": code}


async def rows(database_url: str, sql: str) -> list[dict]:
    """Read the database on a connection of the test's own (the app's pool
    lives in the test client's event loop)."""
    if database_url.startswith("sqlite"):
        import sqlite3
        from contextlib import closing
        from urllib.parse import unquote

        with closing(sqlite3.connect(unquote(urlparse(database_url).path))) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute(sql)]
    import asyncpg

    db = await asyncpg.connect(database_url)
    try:
        return [dict(r) for r in await db.fetch(sql)]
    finally:
        await db.close()


async def execute(database_url: str, sql: str) -> None:
    """Change the database behind the app's back (back-dating rows), on a connection of the test's own."""
    if database_url.startswith("sqlite"):
        import sqlite3
        from contextlib import closing
        from urllib.parse import unquote

        with closing(sqlite3.connect(unquote(urlparse(database_url).path), timeout=30)) as db:
            db.execute(sql)
            db.commit()
        return
    import asyncpg

    db = await asyncpg.connect(database_url)
    try:
        await db.execute(sql)
    finally:
        await db.close()


def days_ago(days: int) -> str:
    """A timestamp literal both engines read."""
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=days)).isoformat()
