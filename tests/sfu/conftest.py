"""A real SFU node served by granian (embedded, in the test's event loop),
so tests drive its rooms directly while clients connect over the network."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import pytest
from granian.constants import Interfaces
from granian.server.embed import Server

from sfu_node import create_app
from sfu_node.node import SfuNode
from virtubar.bus import LocalBus, LocalStreams
from virtubar.settings import Settings
from virtubar.state import LocalState
from virtubar.tokens import TokenIssuer

SECRET = "sfu-tests-" + "s" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Running:
    node: SfuNode
    url: str
    http: str
    tokens: TokenIssuer

    def voice_token(self, user_id: str, room: str = "room-1") -> str:
        return self.tokens.issue("voice", user_id, room=room, platform="desktop")


async def serving(app, port: int, address: str = "127.0.0.1"):
    """Serve ``app`` with granian in this event loop until the block ends."""
    server = Server(app, address=address, port=port, interface=Interfaces.ASGI, log_enabled=False)
    task = asyncio.create_task(server.serve())
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    return server, task


@pytest.fixture
def sfu_origins() -> list[str]:
    """Pages that may open signaling sockets (none: the node's own origin only)."""
    return []


@pytest.fixture
async def sfu(tmp_path, sfu_origins):
    port = free_port()
    settings = Settings(host="127.0.0.1", port=port, data=tmp_path, token_secret=SECRET,
                        allowed_origins=sfu_origins).completed()
    app = create_app(settings)
    server, task = await serving(app, port)
    yield Running(app.state.sfu, f"ws://127.0.0.1:{port}/sfu", f"http://127.0.0.1:{port}", TokenIssuer(SECRET))
    server.stop()
    await asyncio.wait_for(task, 10)


@dataclass
class OnPlatform(Running):
    """An SFU on shared state and a bus; ``edge`` is another node's view of
    the same streams (what the realtime edge and the functions publish on)."""

    state: LocalState = None
    edge: LocalBus = None


@pytest.fixture
async def platform_sfu(tmp_path):
    port = free_port()
    settings = Settings(host="127.0.0.1", port=port, data=tmp_path, token_secret=SECRET).completed()
    state, streams = LocalState(), LocalStreams()
    app = create_app(settings, state, LocalBus(streams))
    server, task = await serving(app, port)
    yield OnPlatform(
        app.state.sfu,
        f"ws://127.0.0.1:{port}/sfu",
        f"http://127.0.0.1:{port}",
        TokenIssuer(SECRET),
        state,
        LocalBus(streams),
    )
    server.stop()
    await asyncio.wait_for(task, 10)
