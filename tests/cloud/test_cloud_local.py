"""End to end against the cloud-local mode (real redis-server, PostgreSQL,
coturn; the API under granian with two workers; two edge nodes; one SFU):
join through the API, meet across edge nodes, hear each other through the
SFU (relayed by coturn), and a moderator's kick travelling from the API to
whichever edge process holds the player."""

import asyncio
import json
import os
import subprocess
import sys
import time
from array import array
from pathlib import Path

import httpx
import pytest
from aioice.stun import TransactionFailed
from aioice.turn import create_turn_endpoint
from aiortc import RTCConfiguration, RTCIceServer
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from websockets.asyncio.client import connect

from tests.sfu.client import VoiceClient
from tests.sfu.media import ToneTrack, first_channel, frequency
from tests.sfu.test_voice import until
from virtubar.metricsauth import reader_headers
from virtubar.registry import Registry
from virtubar.state import RedisState


def quick_join(url: str, name: str, template: str = "focus") -> dict:
    me = httpx.post(f"{url}/api/auth/anonymous", json={"displayName": name}, timeout=10).json()
    headers = {"Authorization": f"Bearer {me['accessToken']}"}
    joined = httpx.post(f"{url}/api/rooms/join", json={"template": template}, headers=headers, timeout=10)
    assert joined.status_code == 200, joined.text
    return joined.json() | {"me": me}


def envelope(t: str, payload: dict) -> str:
    return json.dumps({"v": 1, "t": t, "ts": 0, "payload": payload})


async def next_event(ws, name: str, timeout: float = 10) -> dict:
    async def find() -> dict:
        while True:
            frame = json.loads(await ws.recv())
            for message in frame if isinstance(frame, list) else [frame]:
                if message["t"] == name:
                    return message["payload"]

    return await asyncio.wait_for(find(), timeout)


async def until_edge_carries(cloud, edge_url: str, players: int, timeout: float = 15) -> None:
    """The edge's heartbeat (every 5 s) has told the registry its load."""
    state = RedisState(cloud.env["VIRTUBAR_REDIS_URL"], cloud.redis_cluster)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(n.url == edge_url and n.load >= players for n in await Registry(state).live("edge")):
                return
            await asyncio.sleep(0.2)
    finally:
        await state.close()
    pytest.fail(f"{edge_url} never announced {players} player(s)")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_the_shape_is_running_with_several_api_workers(cloud):
    assert httpx.get(f"{cloud.public_url}/api/health", timeout=5).status_code == 200
    api = next(r for r in cloud.roles if r.name == "api")
    assert len(children(api.proc.pid)) >= 2  # granian's worker processes
    reader = reader_headers(cloud.env["VIRTUBAR_METRICS_TOKEN"])
    for url in cloud.edge_urls:
        metrics_url = url.replace("ws://", "http://").removesuffix("/ws") + "/metrics"
        assert httpx.get(metrics_url, timeout=5).status_code == 401  # the nodes' metrics need the token
        assert "virtubar_edge_connections" in httpx.get(metrics_url, headers=reader, timeout=5).text
    metrics_url = cloud.sfu_url.replace("ws://", "http://").removesuffix("/sfu") + "/metrics"
    assert httpx.get(metrics_url, timeout=5).status_code == 401
    assert httpx.get(metrics_url, headers=reader, timeout=5).is_success


async def test_players_on_two_edge_nodes_meet_move_and_chat_in_one_room(cloud):
    url = cloud.public_url
    ada = await asyncio.to_thread(quick_join, url, "Ada")
    assert ada["edgeUrl"] in cloud.edge_urls and ada["sfuUrl"] == cloud.sfu_url
    async with connect(ada["edgeUrl"], origin=url) as ws_a:
        await ws_a.send(envelope("join_room", {"roomId": ada["roomId"], "token": ada["realtimeToken"]}))
        assert (await next_event(ws_a, "room_state"))["roomId"] == ada["roomId"]
        await until_edge_carries(cloud, ada["edgeUrl"], 1)

        bo = await asyncio.to_thread(quick_join, url, "Bo")
        assert bo["roomId"] == ada["roomId"]  # fill rooms first
        assert bo["edgeUrl"] in cloud.edge_urls and bo["edgeUrl"] != ada["edgeUrl"]  # the emptier edge
        async with connect(bo["edgeUrl"], origin=url) as ws_b:
            await ws_b.send(envelope("join_room", {"roomId": bo["roomId"], "token": bo["realtimeToken"]}))
            state = await next_event(ws_b, "room_state")
            assert "Ada" in {m["displayName"] for m in state["members"]}
            joined = await next_event(ws_a, "member_joined")
            assert joined["member"]["displayName"] == "Bo"

            me = next(m for m in state["members"] if m["displayName"] == "Bo")
            step = {"roomId": bo["roomId"], "seq": 1, "x": me.get("x", 0) + 0.1, "y": me.get("y", 0),
                    "z": me.get("z", 0), "rotY": 0.5, "anim": "walk"}
            await asyncio.sleep(0.3)  # a real step takes time; the edge checks speed
            await ws_b.send(envelope("avatar_transform", step))
            moved = await next_event(ws_a, "avatar_transform_broadcast")
            assert moved["userId"] == bo["me"]["user"]["id"] and moved["x"] == pytest.approx(step["x"])

            await ws_a.send(envelope("local_chat", {"roomId": ada["roomId"], "text": "hi Bo", "mode": "room"}))
            chat = await next_event(ws_b, "chat_broadcast")
            assert chat["text"] == "hi Bo" and chat["userId"] == ada["me"]["user"]["id"]


async def test_the_sfu_accepts_the_joins_voice_token_and_refuses_another_rooms(cloud):
    carol = await asyncio.to_thread(quick_join, cloud.public_url, "Carol", "bar")
    voice = VoiceClient(carol["sfuUrl"], carol["roomId"], carol["voiceToken"])
    try:
        await voice.connect()  # waits for sfu_joined
        assert voice.joined.is_set()
    finally:
        await voice.close()
    stranger = VoiceClient(carol["sfuUrl"], "another-room", carol["voiceToken"])
    with pytest.raises(TimeoutError):  # never joined
        await stranger.connect()
    await stranger.close()
    assert [getattr(s, "code", None) for s in stranger.signals] == ["token_wrong_room"]


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        self.transport.sendto(b"echo:" + data, addr)


class Inbox(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr) -> None:
        self.received.put_nowait(data)


def turn_server(join: dict) -> tuple[tuple[str, int], str, str]:
    server = next(s for s in join["iceServers"] if any(u.startswith("turn:") for u in s["urls"]))
    host, port = server["urls"][0].removeprefix("turn:").split("?")[0].rsplit(":", 1)
    return (host, int(port)), server["username"], server["credential"]


async def test_the_joins_turn_credential_relays_through_coturn(cloud):
    dave = await asyncio.to_thread(quick_join, cloud.public_url, "Dave", "bar")
    address, username, credential = turn_server(dave)
    assert username.endswith(":" + dave["me"]["user"]["id"])  # expiry:userId, coturn's use-auth-secret scheme
    loop = asyncio.get_running_loop()
    echo, _ = await loop.create_datagram_endpoint(Echo, local_addr=("127.0.0.1", 0))
    relay, inbox = await create_turn_endpoint(Inbox, address, username, credential)
    try:
        relayed = relay.get_extra_info("sockname")
        assert relayed[0] == "127.0.0.1"  # an allocation on the coturn relay
        relay.sendto(b"hello", echo.get_extra_info("sockname"))
        assert await asyncio.wait_for(inbox.received.get(), 5) == b"echo:hello"
    finally:
        relay.close()
        echo.close()
    with pytest.raises(TransactionFailed) as refused:
        forged, _ = await create_turn_endpoint(Inbox, address, username, credential[:-4] + "AAA=")
        forged.close()
    assert refused.value.response.attributes["ERROR-CODE"][0] == 401


def test_the_client_is_served_on_the_apis_origin(cloud, client_dist):
    page = httpx.get(f"{cloud.public_url}/", timeout=5)
    assert page.status_code == 200 and page.text == (client_dist / "index.html").read_text()
    assert httpx.get(f"{cloud.public_url}/assets/app.js", timeout=5).text == "console.log('virtubar')"
    assert httpx.get(f"{cloud.public_url}/api/health", timeout=5).status_code == 200
    missing = httpx.get(f"{cloud.public_url}/assets/gone.js", timeout=5)  # the API's error shape there too
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["title"] == "Not found"


def test_migrate_again_while_serving_changes_nothing(cloud):
    again = subprocess.run([sys.executable, "-m", "launcher.cli", "migrate"], env=os.environ | cloud.env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and again.stdout.strip() == "the database is up to date", again.stderr
    assert httpx.get(f"{cloud.public_url}/api/health", timeout=5).status_code == 200


def anonymous(url: str, name: str) -> dict:
    me = httpx.post(f"{url}/api/auth/anonymous", json={"displayName": name}, timeout=10).json()
    return me | {"headers": {"Authorization": f"Bearer {me['accessToken']}"}}


async def joined_socket(edge_url: str, origin: str, room: str, token: str):
    ws = await connect(edge_url, origin=origin)
    await ws.send(envelope("join_room", {"roomId": room, "token": token}))
    await next_event(ws, "room_state")
    return ws


async def test_a_kick_in_the_api_closes_the_players_socket_on_either_edge_within_a_second(cloud):
    url = cloud.public_url
    owner = anonymous(url, "Owner")
    room = httpx.post(f"{url}/api/rooms", json={"name": "Pub", "template": "bar"}, headers=owner["headers"],
                      timeout=10).json()["id"]
    trolls = [anonymous(url, f"Troll {i}") for i in (1, 2)]
    sockets = []
    for troll, edge_url in zip(trolls, cloud.edge_urls, strict=True):  # one on each edge node
        joined = httpx.post(f"{url}/api/rooms/join", json={"roomId": room}, headers=troll["headers"], timeout=10)
        sockets.append(await joined_socket(edge_url, url, room, joined.json()["realtimeToken"]))
    try:
        for i, (troll, ws) in enumerate(zip(trolls, sockets, strict=True)):
            kick = {"type": "kick", "userId": troll["user"]["id"], "roomId": room, "reason": "spamming"}
            asked = time.monotonic()
            r = await asyncio.to_thread(httpx.post, f"{url}/api/moderation/actions", json=kick,
                                        headers=owner["headers"], timeout=10)
            assert r.status_code == 201, r.text
            assert await next_event(ws, "moderation_action") == {"type": "kicked", "reason": "spamming"}
            await asyncio.wait_for(ws.wait_closed(), 5)
            assert time.monotonic() - asked < 1.0, f"the kick took {time.monotonic() - asked:.2f}s on edge {i + 1}"
            assert ws.close_code == 4003
            assert all(other.close_code is None for other in sockets[i + 1:])  # only the target leaves
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))
    ban = {"type": "ban", "userId": trolls[0]["user"]["id"], "roomId": room, "durationS": 3600, "reason": "slurs"}
    r = httpx.post(f"{url}/api/moderation/actions", json=ban, headers=owner["headers"], timeout=10)
    assert r.status_code == 201, r.text
    again = httpx.post(f"{url}/api/rooms/join", json={"roomId": room}, headers=trolls[0]["headers"], timeout=10)
    assert again.status_code == 403 and "slurs" in again.json()["detail"]


async def test_a_listener_on_relay_only_ice_hears_a_speaker_through_the_sfu(cloud):
    """Join -> edge -> SFU: two players meet in an office on the edges, open
    voice with the join's tokens, and B, whose network allows media only via
    TURN (relay-only ICE with the join's coturn credential), hears A's tone."""
    url = cloud.public_url
    ada, bo = [await asyncio.to_thread(quick_join, url, name, "office") for name in ("Ada", "Bo")]
    room, ada_id = ada["roomId"], ada["me"]["user"]["id"]
    assert bo["roomId"] == room and ada["sfuUrl"] == bo["sfuUrl"] == cloud.sfu_url
    sockets = [await joined_socket(p["edgeUrl"], url, room, p["realtimeToken"]) for p in (ada, bo)]
    turn = next(s for s in bo["iceServers"] if s.get("username"))
    relay_only = RTCConfiguration(
        iceServers=[RTCIceServer(urls=turn["urls"], username=turn["username"], credential=turn["credential"])],
        iceTransportPolicy=RTCIceTransportPolicy.RELAY,
    )
    ann = VoiceClient(ada["sfuUrl"], room, ada["voiceToken"], track=ToneTrack(440))
    bob = VoiceClient(bo["sfuUrl"], room, bo["voiceToken"], config=relay_only)
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: bob.received_from(ada_id) > 25, timeout=15)
        track = bob.tracks[bob.mids_of(ada_id)[0]]
        samples = array("h")
        while len(samples) < 48_000 * 3 // 2:  # 1.5 s of what B decodes
            samples += first_channel(await asyncio.wait_for(track.recv(), 5))
        thirds = sorted(frequency(samples[i : i + 24_000]) for i in range(0, len(samples) - 23_999, 24_000))
        assert abs(thirds[1] - 440) < 5, thirds  # the median half second: a lost packet's glitch is outvoted
        ice = bob.pc.getTransceivers()[0].receiver.transport.transport
        assert {c.type for c in ice._connection.local_candidates} == {"relay"}
    finally:
        await asyncio.gather(ann.close(), bob.close(), *(ws.close() for ws in sockets))
