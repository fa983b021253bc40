"""A real embedded server killed with SIGKILL and started again on the same
data folder: a player who was away rejoins with its ``lastMessageId`` and
gets every chat line it missed, whole (no ``chat_gap``)."""

import asyncio
import json
import os
import signal

from websockets.asyncio.client import connect

from infra.localservices import free_port

from .conftest import start_server
from .test_join_flow import envelope, next_event
from .test_moderation_live import enter, join, room, sign_in


async def chat_lines(ws, count: int, within_s: float = 15) -> list[dict]:
    """The next ``count`` chat lines; a ``chat_gap`` before them fails."""
    lines = []
    while len(lines) < count:
        async with asyncio.timeout(within_s):
            frame = json.loads(await ws.recv())
        for message in frame if isinstance(frame, list) else [frame]:
            assert message["t"] != "chat_gap", f"chat_gap after {len(lines)} lines"
            if message["t"] == "chat_broadcast":
                lines.append(message["payload"])
    return lines


async def test_chat_missed_before_a_kill_9_is_recovered_whole_after_the_restart(tmp_path):
    data, port = tmp_path / "data", free_port()
    server, url = start_server(data, port, tmp_path / "first.log")
    try:
        ada, bo = sign_in(url, "Ada"), sign_in(url, "Bo")
        room_id = room(url, ada)
        ws_bo = await enter(url, bo, room_id)
        ws_ada = await enter(url, ada, room_id)
        await ws_ada.send(envelope("local_chat", {"roomId": room_id, "text": "hello Bo", "mode": "room"}))
        seen = (await chat_lines(ws_bo, 1))[0]
        await ws_bo.close()
        missed = [f"line {i} while Bo is away" for i in range(5)]
        for text in missed:
            await ws_ada.send(envelope("local_chat", {"roomId": room_id, "text": text, "mode": "room"}))
            await next_event(ws_ada, "chat_broadcast")  # the room got it
            await asyncio.sleep(0.55)  # within the chat rate limit
        await ws_ada.close()
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # the server and its workers, as kill -9 would
        server.wait(15)

    server, url = start_server(data, port, tmp_path / "second.log")
    try:
        ticket = join(url, bo, room_id).json()
        async with connect(ticket["edgeUrl"], origin=url) as ws:
            await ws.send(envelope("join_room", {"roomId": room_id, "token": ticket["realtimeToken"],
                                                 "lastMessageId": seen["messageId"]}))
            await next_event(ws, "room_state")
            recovered = await chat_lines(ws, len(missed))
        assert [line["text"] for line in recovered] == missed
    finally:
        server.terminate()
        server.wait(15)
