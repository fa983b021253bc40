"""Sanctions survive a crash of the embedded server: `virtubar up` as a real
process, killed with SIGKILL and started again on the same data folder.
In-process shared state starts empty; the API writes every ban, mute and
block back from SQLite before the first socket is served, so a room-banned
player's OLD realtime and voice tokens are refused, a muted player stays
muted and a blocked player's chat never reaches the blocker. A kick keeps
the player out for the cool-down, at the REST join and at the edge."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.asyncio.client import connect

from infra.localservices import free_port

from .conftest import start_server
from .test_join_flow import envelope, next_event
from .test_moderation_live import act, admin, join, room, sign_in


class Server:
    """`virtubar up` on a data folder and port that outlive it (see ``start_server``)."""

    def __init__(self, data: Path, logs: Path) -> None:
        self.data, self.logs, self.port, self.starts = data, logs, free_port(), 0
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> None:
        self.starts += 1
        self.proc, self.url = start_server(self.data, self.port, self.logs / f"server-{self.starts}.log")

    def kill(self) -> None:
        """``kill -9`` of the server and its workers."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("log"))
    s.start()
    yield s
    s.stop()


async def edge_join(ticket: dict, origin: str) -> tuple[websockets.ClientConnection, str, dict]:
    """A socket to the ticket's edge, joined with its (possibly old) token:
    the first answer's type and payload."""
    ws = await connect(ticket["edgeUrl"], origin=origin)
    await ws.send(envelope("join_room", {"roomId": ticket["roomId"], "token": ticket["realtimeToken"]}))
    async with asyncio.timeout(15):
        while True:
            frame = json.loads(await ws.recv())
            for message in frame if isinstance(frame, list) else [frame]:
                if message["t"] in ("room_state", "auth_error", "reconnect"):
                    return ws, message["t"], message["payload"]


async def voice_join(ticket: dict) -> tuple[str, dict, int | None]:
    async with connect(ticket["sfuUrl"]) as ws:
        await ws.send(envelope("sfu_join", {"roomId": ticket["roomId"], "token": ticket["voiceToken"]}))
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        try:
            await asyncio.wait_for(ws.wait_closed(), 1)
        except TimeoutError:
            return first["t"], first["payload"], None
        return first["t"], first["payload"], ws.close_code


async def chats(ws, within_s: float = 1.5) -> list[str]:
    """Chat lines the socket receives within ``within_s``."""
    seen = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(within_s):
            while True:
                frame = json.loads(await ws.recv())
                seen += [m["payload"]["text"] for m in (frame if isinstance(frame, list) else [frame])
                         if m["t"] == "chat_broadcast"]
    return seen


async def test_a_kill_9_restart_keeps_a_room_ban_a_mute_and_a_block(server):
    url = server.url
    mod = admin(url)
    room_id = room(url, mod)
    troll, loud, ann, bob, obs = (sign_in(url, n) for n in ("Troll", "Loud", "Ann", "Bob", "Obs"))
    tickets = {}
    for who in (troll, loud, ann, bob, obs):
        r = join(url, who, room_id)  # taken before the sanctions: valid for 300 s, across the restart
        assert r.status_code == 200, r.text
        tickets[who["user"]["id"]] = r.json()
    assert act(url, mod, type="ban", userId=troll["user"]["id"], roomId=room_id).status_code == 201
    assert act(url, mod, type="mute", userId=loud["user"]["id"], roomId=room_id, channels="chat").status_code == 201
    blocked = httpx.post(f"{url}/api/blocks", json={"userId": bob["user"]["id"]}, headers=ann["headers"])
    assert blocked.status_code == 201

    server.kill()
    server.start()

    ws, answer, payload = await edge_join(tickets[troll["user"]["id"]], url)
    await ws.close()
    assert (answer, payload.get("code")) == ("auth_error", "banned")
    kind, payload, closed = await voice_join(tickets[troll["user"]["id"]])
    assert (kind, payload.get("code"), closed) == ("auth_error", "banned", 4003)
    kind, _, closed = await voice_join(tickets[obs["user"]["id"]])
    assert (kind, closed) == ("sfu_joined", None)

    sockets = {}
    for who in (loud, ann, bob, obs):
        sockets[who["user"]["displayName"]], answer, _ = await edge_join(tickets[who["user"]["id"]], url)
        assert answer == "room_state"
    try:
        await sockets["Loud"].send(envelope("local_chat", {"roomId": room_id, "text": "SPAM", "mode": "room"}))
        assert (await next_event(sockets["Loud"], "error"))["code"] == "muted"
        await sockets["Bob"].send(envelope("local_chat", {"roomId": room_id, "text": "from bob", "mode": "room"}))
        obs_heard, ann_heard = await asyncio.gather(chats(sockets["Obs"]), chats(sockets["Ann"]))
        assert obs_heard == ["from bob"] and ann_heard == []
        assert httpx.get(f"{url}/api/blocks/", headers=ann["headers"]).json()[0]["userId"] == bob["user"]["id"]
    finally:
        await asyncio.gather(*(s.close() for s in sockets.values()))


async def test_a_kick_keeps_the_player_out_at_the_edge_and_the_rest_join(server):
    url = server.url
    mod, kicked = admin(url), sign_in(url, "Kicked")
    room_id = room(url, mod)
    ticket = join(url, kicked, room_id).json()
    ws, answer, _ = await edge_join(ticket, url)
    assert answer == "room_state"
    assert act(url, mod, type="kick", userId=kicked["user"]["id"], roomId=room_id, reason="spam").status_code == 201
    assert (await next_event(ws, "moderation_action"))["type"] == "kicked"
    await asyncio.wait_for(ws.wait_closed(), 5)
    again, answer, payload = await edge_join(ticket, url)  # the same realtime token, still valid
    await again.close()
    assert (answer, payload.get("code")) == ("auth_error", "kicked") and "may return at" in payload["message"]
    denied = join(url, kicked, room_id)
    assert denied.status_code == 403 and "may return at" in denied.json()["detail"]
