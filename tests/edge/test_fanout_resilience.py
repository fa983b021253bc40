"""The node keeps going whatever happens around it: one message handler, delivery, tick,
housekeeping pass or background task that fails (each logged), or a wall
clock that steps back between two joins."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from realtime_edge.config import EdgeConfig
from realtime_edge.connection import Conn
from realtime_edge.node import EdgeNode
from virtubar import wire
from virtubar.bus import LocalBus
from virtubar.logs import JsonLines
from virtubar.settings import Settings
from virtubar.state import LocalState
from virtubar.tokens import TokenIssuer


async def test_a_failing_delivery_is_logged_and_the_next_one_still_goes_out(tmp_path):
    bus = LocalBus()
    node = EdgeNode(Settings(data=tmp_path, token_secret="x" * 32), LocalState(), bus, EdgeConfig())
    seen: list[bytes] = []

    def deliver(d):
        seen.append(d.data)
        if d.data == b"first":
            raise RuntimeError("a bug in one room's fan-out")

    node.delivery.deliver = deliver
    await bus.subscribe("room-1")
    node.start()
    try:
        await bus.publish("room-1", b"first")
        await bus.publish("room-1", b"second")
        async with asyncio.timeout(5):
            while len(seen) < 2:
                await asyncio.sleep(0.01)
    finally:
        await node.stop()
    assert seen == [b"first", b"second"]


async def test_a_member_already_here_is_told_of_a_newcomer_even_if_the_wall_clock_steps_back(tmp_path, monkeypatch):
    settings = Settings(data=tmp_path, token_secret="x" * 32)
    node = EdgeNode(settings, LocalState(), LocalBus(), EdgeConfig())
    tokens = TokenIssuer.from_settings(settings)
    heard: dict[str, list[str]] = {"ada": [], "bo": []}
    clock, readers = [2_000_000], []

    def join(user: str) -> tuple[Conn, str]:
        conn = Conn(False, 64)

        async def send(message: dict) -> None:
            heard[user] += [e["t"] for e in json.loads(message["text"])] if message["text"][0] == "[" else [
                json.loads(message["text"])["t"]]

        readers.append(asyncio.create_task(asyncio.sleep(3600)))  # stands in for the socket's reader
        conn.start(send, readers[-1])
        token = tokens.issue("realtime", user, name=user, room="room-1", platform="desktop")
        return conn, json.dumps({"v": 1, "t": "join_room", "ts": 0, "payload": {"roomId": "room-1", "token": token}})

    node.start()
    try:
        ada, ada_join = join("ada")
        bo, bo_join = join("bo")
        with monkeypatch.context() as m:
            m.setattr(wire, "now_ms", lambda: clock[0])
            await node.handle(ada, ada_join)
            clock[0] = 1_000_000  # the wall clock steps back before Bo joins
            await node.handle(bo, bo_join)
        async with asyncio.timeout(5):
            while "member_joined" not in heard["ada"]:
                await asyncio.sleep(0.01)
    finally:
        await node.stop()
        for reader in readers:
            reader.cancel()
    assert "member_joined" not in heard["bo"]  # Bo learnt of Ada from its room_state


@pytest.fixture
def logged():
    """The edge's log lines, as dicts."""
    lines: list[dict] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(JsonLines().format(record)))

    handler = Keep()
    logger = logging.getLogger("realtime_edge")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


class Player(Conn):
    """A socket of a player in this process; ``fail`` makes its next push
    (or close) raise, as a bug would."""

    __slots__ = ("fail", "heard", "task")

    def __init__(self) -> None:
        super().__init__(False, 256)
        self.fail: str | None = None
        self.heard: list[dict] = []

        async def send(message: dict) -> None:
            if "text" in message:
                data = json.loads(message["text"])
                self.heard += data if isinstance(data, list) else [data]

        self.task = asyncio.create_task(asyncio.sleep(3600))  # stands in for the socket's reader
        self.start(send, self.task)

    def push(self, frame):
        if self.fail == "push":
            self.fail = None
            raise RuntimeError("a bug while pushing a frame")
        return super().push(frame)

    def close(self, code: int, reason: str = "") -> None:
        if self.fail == "close":
            self.fail = None
            raise RuntimeError("a bug while closing")
        super().close(code, reason)

    def got(self, t: str, **match) -> list[dict]:
        return [e["payload"] for e in self.heard
                if e["t"] == t and all(e["payload"].get(k) == v for k, v in match.items())]


async def until(check, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


async def in_room(tmp_path, config: EdgeConfig, users=("ada", "bo")) -> tuple[EdgeNode, list[Player]]:
    settings = Settings(data=tmp_path, token_secret="x" * 32)
    node = EdgeNode(settings, LocalState(), LocalBus(), config)
    tokens = TokenIssuer.from_settings(settings)
    node.start()
    players = []
    for user in users:
        player = Player()
        node.conns.add(player)
        token = tokens.issue("realtime", user, name=user, room="room-1", platform="desktop")
        await node.handle(player, json.dumps({"v": 1, "t": "join_room", "ts": 0,
                                              "payload": {"roomId": "room-1", "token": token}}))
        players.append(player)
    await until(lambda: players[0].got("member_joined"))
    return node, players


def message(t: str, **payload) -> str:
    return json.dumps({"v": 1, "t": t, "ts": 0, "payload": {"roomId": "room-1", **payload}})


async def test_a_tick_that_fails_is_logged_and_the_next_tick_still_relays(tmp_path, logged):
    node, (ada, bo) = await in_room(tmp_path, EdgeConfig())
    try:
        bo.fail = "push"
        await node.handle(ada, message("avatar_transform", seq=1, x=10.6, y=0.0, z=7.5, rotY=0.0))
        await until(lambda: bo.fail is None)  # the tick hit the bug
        await asyncio.sleep(0.1)
        await node.handle(ada, message("avatar_transform", seq=2, x=10.7, y=0.0, z=7.5, rotY=0.0))
        await until(lambda: bo.got("avatar_transform_broadcast", seq=2))
    finally:
        await node.stop()
    assert [line["error"] for line in logged if line["event"] == "tick_failed"] == [
        "RuntimeError('a bug while pushing a frame')"]


async def test_a_bus_read_that_fails_is_logged_and_reading_goes_on(tmp_path, logged):
    node, (ada, bo) = await in_room(tmp_path, EdgeConfig())
    observe, calls = node.metrics.observe_fanout_ms, []

    def observe_once_failing(ms: float) -> None:
        calls.append(ms)
        if len(calls) == 1:
            raise RuntimeError("a bug after a delivery")
        observe(ms)

    node.metrics.observe_fanout_ms = observe_once_failing
    try:
        await node.handle(ada, message("local_chat", text="one", mode="room"))
        await until(lambda: calls)
        await node.handle(ada, message("local_chat", text="two", mode="room"))
        await until(lambda: bo.got("chat_broadcast", text="two"))
    finally:
        await node.stop()
    assert [line["event"] for line in logged if line["event"].endswith("_failed")] == ["read_failed"]


async def test_a_housekeeping_pass_that_fails_is_logged_and_the_next_pass_runs(tmp_path, logged):
    node, (ada, bo) = await in_room(tmp_path, EdgeConfig(idle_timeout_s=0.3, presence_every_s=0.1))
    ada.fail = "close"  # the idle check's close of ada hits a bug once
    try:
        await until(lambda: ada.closed and bo.closed)  # the next passes close both silent sockets
    finally:
        await node.stop()
    assert "housekeeping_failed" in [line["event"] for line in logged]


async def test_a_failed_background_task_is_logged_with_its_context(logged):
    from realtime_edge.tasks import spawn

    async def load() -> None:
        raise ConnectionError("state unreachable")

    task = spawn(load(), "load_blocks", room="room-1", user="ada")
    await asyncio.wait({task})
    await asyncio.sleep(0)  # done callbacks run
    failed = [line for line in logged if line["event"] == "task_failed"]
    assert [{k: v for k, v in line.items() if k not in ("time", "logger", "error")} for line in failed] == [{
        "event": "task_failed", "level": "error", "what": "load_blocks", "roomId": "room-1", "userId": "ada"}]
    assert failed[0]["error"].endswith("ConnectionError: state unreachable")  # the traceback


async def test_a_message_whose_handler_fails_is_logged_and_the_socket_stays_open(tmp_path, logged):
    """``EdgeApp`` driven as its server would: the first message hits a bug
    in its handler; the player keeps the socket and the next message (the
    join) is answered."""
    from realtime_edge.app import EdgeApp

    settings = Settings(data=tmp_path, token_secret="x" * 32, allowed_origins=("http://game.example",))
    app = EdgeApp(settings, LocalState(), LocalBus(), EdgeConfig())
    handle, calls = app.node.handle, []

    async def handle_once_failing(conn, data):
        calls.append(data)
        if len(calls) == 1:
            raise RuntimeError("a bug in a handler")
        await handle(conn, data)

    app.node.handle = handle_once_failing
    inbox: asyncio.Queue[dict] = asyncio.Queue()
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "headers": [(b"origin", b"http://game.example")], "subprotocols": []}
    token = TokenIssuer.from_settings(settings).issue("realtime", "ada", name="ada", room="room-1", platform="desktop")
    await inbox.put({"type": "websocket.connect"})
    await inbox.put({"type": "websocket.receive", "text": message("local_chat", text="hi", mode="room")})
    await inbox.put({"type": "websocket.receive", "text": json.dumps(
        {"v": 1, "t": "join_room", "ts": 0, "payload": {"roomId": "room-1", "token": token}})})
    socket = asyncio.create_task(app(scope, inbox.get, send))
    try:
        await until(lambda: any('"room_state"' in m.get("text", "") for m in sent))
        assert not [m for m in sent if m["type"] == "websocket.close"]
    finally:
        await inbox.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(socket, 5)
        await app.node.stop()
    failed = [line for line in logged if line["event"] == "handle_failed"]
    assert [line["error"] for line in failed] == ["RuntimeError('a bug in a handler')"]
