"""Who may reach an SFU node besides its members' voice: only pages of the
allowed origins open signaling sockets, and metrics need the bearer secret
(``VIRTUBAR_METRICS_TOKEN``) or, without one, a client on the node's own
machine (see docs/operators.md)."""

from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager

import httpx
import pytest
import websockets

from sfu_node import create_app
from tests.sfu.conftest import SECRET, free_port, serving
from virtubar.settings import Settings


def other_address() -> str:
    """One of this machine's addresses that is not loopback (the one its
    default route leaves from): a client there is not a local one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("10.255.255.255", 1))  # UDP: picks the route, sends nothing
        return s.getsockname()[0]


@asynccontextmanager
async def sfu_node(tmp_path, address: str = "127.0.0.1", **settings):
    port = free_port()
    app = create_app(Settings(host="127.0.0.1", port=port, data=tmp_path, token_secret=SECRET, **settings).completed())
    server, task = await serving(app, port, address)
    try:
        yield port
    finally:
        server.stop()
        await asyncio.wait_for(task, 10)


async def test_a_page_of_another_site_cannot_open_signaling(sfu):
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(sfu.url, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with websockets.connect(sfu.url, origin=sfu.http) as ws:  # the node's own site (VIRTUBAR_ALLOWED_ORIGINS)
        await ws.send("hello")
        assert "join_first" in await asyncio.wait_for(ws.recv(), 10)


async def test_an_allowed_origin_from_the_setting_opens_signaling(tmp_path):
    async with sfu_node(tmp_path, allowed_origins=["https://bar.example"]) as port:
        url = f"ws://127.0.0.1:{port}/sfu"
        async with websockets.connect(url, origin="https://bar.example") as ws:
            await ws.send("hello")
            assert "join_first" in await asyncio.wait_for(ws.recv(), 10)
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(url, origin=f"http://127.0.0.1:{port}"):
                pass


async def test_metrics_need_the_bearer_token_when_one_is_set(tmp_path):
    async with sfu_node(tmp_path, metrics_token="m" * 32) as port, httpx.AsyncClient() as http:
        url = f"http://127.0.0.1:{port}/metrics"
        assert (await http.get(url)).status_code == 401
        assert (await http.get(url, headers={"Authorization": "Bearer " + "x" * 32})).status_code == 401
        page = await http.get(url, headers={"Authorization": "Bearer " + "m" * 32})
        assert page.status_code == 200 and "virtubar_sfu_peers" in page.text


async def test_without_a_token_metrics_are_for_this_machine_only(tmp_path):
    async with sfu_node(tmp_path, address="0.0.0.0") as port, httpx.AsyncClient() as http:
        assert "virtubar_sfu_peers" in (await http.get(f"http://127.0.0.1:{port}/metrics")).text
        assert (await http.get(f"http://{other_address()}:{port}/metrics")).status_code == 403
        proxied = await http.get(f"http://127.0.0.1:{port}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403
