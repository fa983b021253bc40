"""Whiteboards across edge nodes: real edge processes on one redis-server,
the functions served here (they store the boards), players speaking
y-protocols with pycrdt documents of their own."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from dataclasses import dataclass

import httpx
import pytest
import websockets
from pycrdt import Array, Awareness, Doc, Map

from functions import create_app as create_api
from infra.localservices import free_port
from tests.edge.client import Client
from tests.edge.conftest import ORIGIN, SECRET, EdgeProcess, eventually
from tests.sfu.conftest import serving
from virtubar import boards
from virtubar.registry import NodeInfo, Registry
from virtubar.settings import Settings
from virtubar.state import RedisState

UPDATE_LIMIT = 3000


@dataclass
class Platform:
    api: httpx.AsyncClient
    owner: dict
    room: str
    edges: list[EdgeProcess]

    async def sign_in(self, name: str) -> dict:
        me = (await self.api.post("/api/auth/anonymous", json={"displayName": name})).json()
        return me | {"headers": {"Authorization": f"Bearer {me['accessToken']}"}}


@pytest.fixture
async def platform(redis_url, tmp_path):
    api_port = free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    api = create_api(Settings(data=tmp_path / "api", port=api_port, redis_url=redis_url, token_secret=SECRET,
                              requests_per_minute=100_000, signups_per_hour=100_000,
                              board_update_max_bytes=UPDATE_LIMIT).completed())
    await api.state["services"].db.migrate()
    state = RedisState(redis_url)
    await Registry(state).announce(NodeInfo(id="sfu-test", kind="sfu", url="ws://127.0.0.1:9/sfu", region="local",
                                            capacity=1000))
    server = await serving(api, api_port)
    env = {"VIRTUBAR_API_URL": f"{api_url}/api", "VIRTUBAR_BOARD_UPDATE_MAX_BYTES": str(UPDATE_LIMIT)}
    edges = [EdgeProcess(redis_url, tmp_path, **env), EdgeProcess(redis_url, tmp_path, **env)]
    try:
        async with httpx.AsyncClient(base_url=api_url, timeout=10) as client:
            owner = (await client.post("/api/auth/anonymous", json={"displayName": "Owner"})).json()
            owner["headers"] = {"Authorization": f"Bearer {owner['accessToken']}"}
            r = await client.post("/api/rooms", json={"name": "Studio", "template": "office"},
                                  headers=owner["headers"])
            yield Platform(client, owner, r.json()["id"], edges)
    finally:
        for edge in edges:
            edge.stop()
        server[0].stop()
        await asyncio.wait_for(server[1], 10)
        await state.close()


class Drawer:
    """A player at a whiteboard: a socket and a Yjs document of its own."""

    def __init__(self, client: Client, room: str, board: str = "wb-a") -> None:
        self.client, self.room, self.board, self.doc, self.sent = client, room, board, Doc(), 0
        self.seen_updates = 0

    @classmethod
    async def enter(cls, platform: Platform, name: str, node: int) -> Drawer:
        who = await platform.sign_in(name)
        r = await platform.api.post("/api/rooms/join", json={"roomId": platform.room}, headers=who["headers"])
        assert r.status_code == 200, r.text
        client = await Client.connect(platform.edges[node].url, origin=ORIGIN)
        await client.join(platform.room, r.json()["realtimeToken"])
        drawer = cls(client, platform.room)
        drawer.user = who["user"]["id"]
        return drawer

    async def sync(self, message: bytes) -> None:
        self.sent += 1
        await self.client.send("board_sync", roomId=self.room, objectId=self.board,
                               data=base64.b64encode(message).decode(), id=self.sent)

    async def open(self) -> bytes:
        """Step1 with this document's state; the first ``board_state`` (step2) applied and returned."""
        await self.sync(boards.sync_message("step1", self.doc.get_state()))
        step2 = await self.client.wait("board_state")
        kind, update = boards.read_sync(base64.b64decode(step2["data"]))
        assert kind == "step2"
        self.doc.apply_update(update)
        return update

    async def draw(self, color: str, points: int = 3) -> int:
        """A stroke: sent as one update; its ``board_saved`` id."""
        before = self.doc.get_state()
        strokes = self.doc.get(boards.STROKES, type=Array)
        strokes.append(Map({"id": color, "by": self.user, "tool": "pen", "color": color,
                            "points": Array([float(i) for i in range(points)])}))
        await self.sync(boards.sync_message("update", self.doc.get_update(before)))
        return self.sent

    def take_updates(self) -> None:
        """Apply every ``board_update`` received since the last call."""
        found = self.client.events("board_update")
        for u in found[self.seen_updates:]:
            self.doc.apply_update(boards.read_sync(base64.b64decode(u["data"]))[1])
        self.seen_updates = len(found)

    def colors(self) -> list[str]:
        return sorted(s["color"] for s in self.doc.get(boards.STROKES, type=Array).to_py())


def clocks(state_vector: bytes) -> dict[int, int]:
    """A Yjs state vector as {client: clock}: its encoding lists clients in no fixed order."""
    def varint(at: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = state_vector[at]
            value |= (byte & 0x7F) << shift
            at, shift = at + 1, shift + 7
            if byte < 0x80:
                return value, at

    count, at = varint(0)
    out = {}
    for _ in range(count):
        client, at = varint(at)
        out[client], at = varint(at)
    return out


async def test_two_players_on_two_nodes_draw_on_one_board_and_a_latecomer_gets_it_in_one_message(platform):
    ann, bob = await Drawer.enter(platform, "Ann", 0), await Drawer.enter(platform, "Bob", 1)
    try:
        await ann.open()
        await bob.open()
        saved = await ann.draw("#ff0000")
        await ann.client.wait("board_saved", id=saved)
        saved = await bob.draw("#0000ff", points=50)
        await bob.client.wait("board_saved", id=saved)

        def converged() -> None:
            ann.take_updates()
            bob.take_updates()
            assert ann.colors() == bob.colors() == ["#0000ff", "#ff0000"]
        await eventually(converged, timeout=15)
        assert clocks(ann.doc.get_state()) == clocks(bob.doc.get_state())  # each has all of the other's changes

        cat = await Drawer.enter(platform, "Cat", 1)
        await cat.open()
        assert cat.colors() == ["#0000ff", "#ff0000"]  # the whole board in the first board_state
        assert len(cat.client.events("board_state")) <= 2 and not cat.client.events("board_update")
        points = next(s for s in cat.doc.get(boards.STROKES, type=Array).to_py() if s["color"] == "#0000ff")["points"]
        assert points == [float(i) for i in range(50)]
        await cat.client.close()
    finally:
        await asyncio.gather(ann.client.close(), bob.client.close())


async def test_a_stroke_acknowledged_by_a_node_killed_at_once_is_kept(platform):
    ann = await Drawer.enter(platform, "Ann", 0)
    await ann.open()
    saved = await ann.draw("#123456")
    await ann.client.wait("board_saved", id=saved)
    platform.edges[0].kill()  # kill -9, right after the acknowledgement

    got = await platform.api.get(f"/api/rooms/{platform.room}/objects/wb-a/board", headers=platform.owner["headers"])
    stored = Doc()
    stored.apply_update(base64.b64decode(got.json()["update"]))
    assert [s["color"] for s in stored.get(boards.STROKES, type=Array).to_py()] == ["#123456"]

    back = await Drawer.enter(platform, "Ann again", 1)  # reconnecting, to the node still up
    try:
        await back.open()
        assert back.colors() == ["#123456"]
    finally:
        await back.client.close()


async def test_an_oversized_update_is_refused_clearly_and_nothing_else_changes(platform):
    ann, bob = await Drawer.enter(platform, "Ann", 0), await Drawer.enter(platform, "Bob", 1)
    try:
        await ann.open()
        await bob.open()
        await ann.client.wait("board_saved", id=await ann.draw("#00ff00"))
        await bob.client.wait("board_update")  # the stroke reached the other node before Cat joins there
        before = ann.doc.get_state()
        ann.doc.get(boards.STROKES, type=Array).append("x" * (UPDATE_LIMIT + 100))
        await ann.sync(boards.sync_message("update", ann.doc.get_update(before)))
        error = await ann.client.wait("error", event="board_sync")
        assert error["code"] == "board_update_too_large" and f"at most {UPDATE_LIMIT}" in error["message"]
        assert not ann.client.events("board_saved", id=ann.sent)

        await ann.client.send("heartbeat", roomId=platform.room, clientTimeMs=1)
        await ann.client.wait("heartbeat_ack")
        cat = await Drawer.enter(platform, "Cat", 1)
        await cat.open()
        assert cat.colors() == ["#00ff00"]  # only the stroke that was accepted
        await cat.client.close()
        bob.take_updates()
        assert bob.colors() == ["#00ff00"]
    finally:
        await asyncio.gather(ann.client.close(), bob.client.close())


async def test_cursors_reach_the_other_viewers_live_and_a_board_must_be_open_first(platform):
    ann, bob = await Drawer.enter(platform, "Ann", 0), await Drawer.enter(platform, "Bob", 1)
    try:
        await ann.client.send("board_awareness", roomId=platform.room, objectId="wb-a", data="AQ==")
        assert (await ann.client.wait("error", event="board_awareness"))["code"] == "board_not_open"
        await ann.sync(boards.sync_message("step1", b"\x00"))
        await ann.client.wait("board_state")
        await bob.open()
        cursor = Awareness(ann.doc)
        cursor.set_local_state({"user": {"name": "Ann"}, "cursor": {"x": 0.4, "y": 0.2}})
        data = cursor.encode_awareness_update([ann.doc.client_id])
        await ann.client.send("board_awareness", roomId=platform.room, objectId="wb-a",
                              data=base64.b64encode(data).decode())
        seen = await bob.client.wait("board_awareness_broadcast")
        assert (seen["userId"], base64.b64decode(seen["data"])) == (ann.user, data)
        await bob.client.send("board_sync", roomId=platform.room, objectId="no-such-board",
                              data=base64.b64encode(boards.sync_message("step1", b"\x00")).decode())
        assert (await bob.client.wait("error", event="board_sync"))["code"] == "no_such_board"
    finally:
        await asyncio.gather(ann.client.close(), bob.client.close())


async def test_a_flood_of_updates_is_refused_past_the_budget_and_the_board_keeps_only_what_was_within_it(platform):
    ann, bob = await Drawer.enter(platform, "Ann", 0), await Drawer.enter(platform, "Bob", 0)
    try:
        await ann.open()
        await bob.open()
        started = time.monotonic()
        sent = 0
        with contextlib.suppress(websockets.ConnectionClosed):
            for n in range(600):  # each stroke from a document of its own: none depends on a dropped one
                doc = Doc()
                doc.get(boards.STROKES, type=Array).append(Map({"id": f"s{n}", "by": ann.user, "color": f"#{n:06x}"}))
                await ann.sync(boards.sync_message("update", doc.get_update()))
                sent += 1
        assert await ann.client.wait_closed(timeout=15) == 4008  # flooding
        elapsed = time.monotonic() - started
        told = ann.client.events("error", code="rate_limited", event="board_sync")
        assert 1 <= len(told) <= 1 + elapsed

        cat = await Drawer.enter(platform, "Cat", 1)
        await cat.open()
        kept = [s["id"] for s in cat.doc.get(boards.STROKES, type=Array).to_py()]
        assert set(kept) >= {f"s{n}" for n in range(40)}  # the burst
        assert len(kept) <= 40 + 20 * elapsed + 1, (len(kept), elapsed)  # then twenty a second
        assert len(kept) < sent
        saved = {e["id"] for e in ann.client.events("board_saved")}
        assert {f"s{i - 2}" for i in saved if i >= 2} <= set(kept)  # every acknowledged stroke is kept
        await cat.client.close()

        def bob_sees_what_was_kept() -> None:
            bob.take_updates()
            assert sorted(s["id"] for s in bob.doc.get(boards.STROKES, type=Array).to_py()) == sorted(kept)
        await eventually(bob_sees_what_was_kept, timeout=15)
    finally:
        await asyncio.gather(ann.client.close(), bob.client.close())
