"""Edge nodes run for real: granian subprocesses on free ports, bridged by a
real redis-server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import msgspec
import pytest

from infra.localservices import _wait_port, free_port
from realtime_edge import create_app
from realtime_edge.config import EdgeConfig
from realtime_edge.wsserve import run
from virtubar import keys
from virtubar.bus import RoomBus
from virtubar.moderation import mark_loaded
from virtubar.settings import Settings
from virtubar.state import RedisState, SharedState
from virtubar.tokens import TokenIssuer
from virtubar.world import World

SECRET = "edge-tests-secret-0123456789abcdef-0123456789"
ORIGIN = "http://game.example"
REPO = Path(__file__).resolve().parents[2]


class EdgeProcess:
    def __init__(self, redis_url: str, tmp: Path, server: str = "granian", **env: str) -> None:
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}/ws"
        self.http = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"edge-{self.port}.log"
        full = os.environ | {
            "PYTHONPATH": str(REPO), "VIRTUBAR_REDIS_URL": redis_url, "VIRTUBAR_TOKEN_SECRET": SECRET,
            "VIRTUBAR_DATA": str(tmp / "data"), "VIRTUBAR_PORT": str(self.port), "VIRTUBAR_ALLOWED_ORIGINS": ORIGIN,
        } | env
        cmd = {
            "granian": [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "realtime_edge.serve:app",
                        "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            "websockets": [sys.executable, "-m", "realtime_edge.wsserve"],
        }[server]
        self.proc = subprocess.Popen(
            cmd,
            env=full, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True,
        )
        _wait_port(self.port, 20, self.proc)

    def kill(self) -> None:
        """``kill -9`` of the node: granian's main process and its worker."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture(autouse=True)
def sanctions_loaded(request):
    """Nodes on Redis admit nobody until the functions have loaded every
    sanction into it (``virtubar.moderation.Admission``); no functions run
    here, so each test on Redis says they have (a test may flush it)."""
    if "redis_url" in request.fixturenames:
        state = RedisState(request.getfixturevalue("redis_url"))
        asyncio.run(_marked(state))


async def _marked(state: RedisState) -> None:
    await mark_loaded(state, "edge tests")
    await state.close()


@pytest.fixture(scope="session")
def start_edge(redis_url, tmp_path_factory):
    started: list[EdgeProcess] = []

    def start(server: str = "granian", **env: str) -> EdgeProcess:
        node = EdgeProcess(redis_url, tmp_path_factory.mktemp("edge"), server, **env)
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()


@pytest.fixture(scope="session")
def edge(start_edge) -> EdgeProcess:
    """One node shared by the protocol tests (each test uses its own room)."""
    return start_edge(VIRTUBAR_EDGE_IDLE_TIMEOUT_S="20")


@pytest.fixture(scope="session")
def issuer() -> TokenIssuer:
    return TokenIssuer(SECRET)


@pytest.fixture
def room() -> str:
    return f"room-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def put_world(redis_url):
    """Give a room a world, as the functions do."""
    state = RedisState(redis_url)

    async def put(room: str, world: World) -> None:
        await state.put(keys.room_setup(room), "world", msgspec.json.encode(world), 3600)

    yield put
    await state.close()


async def eventually(check, timeout: float = 5.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(every)


@pytest.fixture
async def serve_in_process(tmp_path):
    """``serve_in_process(state, bus, config)``: the URL of an edge served by
    ``wsserve`` in this process on ``state`` and ``bus`` (the embedded
    server's shape), stopped at the end of the test."""
    servers: list[tuple[asyncio.Future, asyncio.Task]] = []

    async def start(state: SharedState, bus: RoomBus, config: EdgeConfig) -> str:
        port = free_port()
        settings = Settings(token_secret=SECRET, data=tmp_path, port=port).completed()
        stop = asyncio.get_running_loop().create_future()
        app = create_app(settings, state, bus, config)
        servers.append((stop, asyncio.create_task(run(app, "127.0.0.1", port, stop))))
        await asyncio.sleep(0.3)
        return f"ws://127.0.0.1:{port}/ws"

    yield start
    for stop, task in servers:
        stop.done() or stop.set_result(None)
        await asyncio.wait_for(task, 10)
