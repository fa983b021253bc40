"""An edge node's metrics are not public: with ``VIRTUBAR_METRICS_TOKEN``
they need it as a bearer token, without one only this machine's own clients
(not through a proxy) read them; under both servers an edge runs on."""

from __future__ import annotations

import httpx
import pytest

from tests.sfu.test_access import other_address

TOKEN = "edge-metrics-" + "t" * 32


@pytest.mark.parametrize("server", ["granian", "websockets"])
def test_metrics_need_the_bearer_token_when_one_is_set(start_edge, server):
    edge = start_edge(server, VIRTUBAR_METRICS_TOKEN=TOKEN)
    refused = httpx.get(f"{edge.http}/metrics", timeout=10)
    assert refused.status_code == 401 and "virtubar_edge" not in refused.text
    assert refused.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.get(f"{edge.http}/metrics", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401
    page = httpx.get(f"{edge.http}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert page.status_code == 200 and "virtubar_edge_connections" in page.text
    assert httpx.get(f"{edge.http}/healthz", timeout=10).status_code == 200  # health checks need no token


@pytest.mark.parametrize("server", ["granian", "websockets"])
def test_without_a_token_only_this_machines_clients_read_metrics(start_edge, server):
    edge = start_edge(server)
    assert "virtubar_edge_connections" in httpx.get(f"{edge.http}/metrics", timeout=10).text
    proxied = httpx.get(f"{edge.http}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert proxied.status_code == 403 and "virtubar_edge" not in proxied.text


def test_a_remote_client_gets_403_without_a_token(start_edge):
    edge = start_edge("websockets", VIRTUBAR_HOST="0.0.0.0")
    remote = httpx.get(f"http://{other_address()}:{edge.port}/metrics", timeout=10)
    assert remote.status_code == 403
