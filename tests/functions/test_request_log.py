"""API logs: JSON lines that carry the request's id (also on the response)
and the signed-in user, so an operator finds the lines behind a request."""

from __future__ import annotations

import io
import json
import logging

import pytest

from virtubar.logs import JsonLines


@pytest.fixture
def lines():
    """What the API logs during the test, one parsed JSON line each."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("functions")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    logger.removeHandler(handler)


async def test_each_request_logs_one_json_line_with_its_request_id_and_user(client, player, lines):
    me = await player("Ada")
    first = await client.get("/api/users/me", headers=me["headers"])
    second = await client.get("/api/users/me", headers=me["headers"])
    assert first.status_code == second.status_code == 200
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert ids[0] != ids[1]
    logged = [line for line in lines() if line["event"] == "request" and line["path"] == "/api/users/me"]
    assert [line["requestId"] for line in logged] == ids
    for line in logged:
        assert line["userId"] == me["user"]["id"] and line["status"] == 200 and line["method"] == "GET"
        assert line["level"] == "info" and line["time"].endswith("Z") and line["durationMs"] >= 0


async def test_an_anonymous_or_refused_request_is_logged_without_a_user(client, lines):
    r = await client.get("/api/users/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    (line,) = [x for x in lines() if x["event"] == "request"]
    assert line["status"] == 401 and line["requestId"] == r.headers["x-request-id"] and "userId" not in line


async def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client, player, lines):
    me = await player()
    traced = await client.get("/api/users/me", headers={**me["headers"], "X-Request-Id": "trace-0123456789"})
    assert traced.headers["x-request-id"] == "trace-0123456789"
    odd = await client.get("/api/users/me", headers={**me["headers"], "X-Request-Id": '"}\n{"event":"forged"'})
    assert odd.headers["x-request-id"] != '"}\n{"event":"forged"' and len(odd.headers["x-request-id"]) == 32
    assert "forged" not in {line["event"] for line in lines()}


async def test_an_unexpected_error_is_logged_with_the_request_id(app, client, lines, monkeypatch):
    class BrokenEngine:
        async def run_ddl(self, _sql):
            raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(app.state["services"].db, "engine", BrokenEngine())
    r = await client.get("/api/health")
    assert r.status_code == 500 and "fire" not in r.text
    (line,) = [x for x in lines() if x["event"] == "unhandled_error"]
    assert line["requestId"] == r.headers["x-request-id"] and line["level"] == "error"
    assert "RuntimeError: the disk is on fire" in line["error"] and line["path"] == "/api/health"
