"""A newcomer's whole path in the embedded mode: sign in, quick-join, open
the edge socket the join named, and meet another player there."""

import asyncio
import json

import httpx
from websockets.asyncio.client import connect


def quick_join(url: str, name: str, template: str = "bar") -> dict:
    me = httpx.post(f"{url}/api/auth/anonymous", json={"displayName": name}).json()
    headers = {"Authorization": f"Bearer {me['accessToken']}"}
    return httpx.post(f"{url}/api/rooms/join", json={"template": template}, headers=headers).json() | {"me": me}


def envelope(t: str, payload: dict) -> str:
    return json.dumps({"v": 1, "t": t, "ts": 0, "payload": payload})


async def next_event(ws, name: str, within_s: float = 15) -> dict:
    seen = []
    try:
        async with asyncio.timeout(within_s):
            while True:
                frame = json.loads(await ws.recv())
                for message in frame if isinstance(frame, list) else [frame]:
                    if message["t"] == name:
                        return message["payload"]
                    seen.append(message["t"])
    except TimeoutError:
        raise AssertionError(f"no {name} within {within_s} s; got {seen}") from None


async def test_join_then_edge_then_each_other(embedded):
    url, _ = embedded
    ada, bo = quick_join(url, "Ada", "focus"), quick_join(url, "Bo", "focus")
    assert ada["roomId"] == bo["roomId"]  # fill rooms first
    assert ada["edgeUrl"] == url.replace("http", "ws") + "/ws" and ada["sfuUrl"].endswith("/sfu")
    async with connect(ada["edgeUrl"], origin=url) as ws_a, connect(bo["edgeUrl"], origin=url) as ws_b:
        await ws_a.send(envelope("join_room", {"roomId": ada["roomId"], "token": ada["realtimeToken"]}))
        state = await next_event(ws_a, "room_state")
        assert state["roomId"] == ada["roomId"]
        await ws_b.send(envelope("join_room", {"roomId": bo["roomId"], "token": bo["realtimeToken"]}))
        assert (await next_event(ws_b, "room_state"))["roomId"] == bo["roomId"]
        joined = await next_event(ws_a, "member_joined")
        assert joined["member"]["displayName"] == "Bo"
        await ws_b.send(envelope("local_chat", {"roomId": bo["roomId"], "text": "hi Ada", "mode": "room"}))
        chat = await next_event(ws_a, "chat_broadcast")
        assert chat["text"] == "hi Ada" and chat["userId"] == bo["me"]["user"]["id"]


async def test_a_page_from_another_origin_cannot_open_the_socket(embedded):
    url, _ = embedded
    ada = quick_join(url, "Ada")
    try:
        async with connect(ada["edgeUrl"], origin="https://evil.example") as ws:
            await ws.recv()
        opened = True
    except Exception:
        opened = False
    assert not opened
