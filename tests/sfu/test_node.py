"""The node as operators see it: registry, /metrics, drain; and signaling
mistakes answered with clear errors."""

import asyncio
import os
import signal
import sys

import httpx
import websockets

from sfu_node.node import SfuNode, turn_credentials
from tests.sfu.client import VoiceClient
from tests.sfu.conftest import SECRET, free_port
from tests.sfu.media import encode_opus
from tests.sfu.test_voice import until
from virtubar.registry import Registry
from virtubar.settings import Settings
from virtubar.signaling import (
    IceCandidate,
    SessionDescription,
    SfuJoin,
    signaling_client_codec,
)
from virtubar.state import LocalState
from virtubar.tokens import TokenIssuer
from virtubar.wire import Error, Reconnect

codec = signaling_client_codec()


async def test_the_node_registers_with_its_load_and_withdraws_when_it_stops(tmp_path):
    state = LocalState()
    settings = Settings(
        data=tmp_path, token_secret=SECRET, region="eu", node_capacity=300, public_url="https://voice.example"
    ).completed()
    node = SfuNode(settings, state)
    await node.start()
    await asyncio.sleep(0.05)
    (info,) = await Registry(state).live("sfu")
    assert (info.id, info.url, info.region, info.capacity, info.load) == (
        node.id,
        "wss://voice.example/sfu",
        "eu",
        300,
        0,
    )
    await node.stop()
    assert await Registry(state).live("sfu") == []


async def test_metrics_count_peers_tracks_packets_and_selection_changes(sfu):
    room = sfu.node.room("room-1")
    room.move("ann", 3, 3)
    room.move("bob", 4, 3)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10))
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: bob.received_from("ann") > 10)
        async with httpx.AsyncClient() as http:
            text = (await http.get(sfu.http + "/metrics")).text
    finally:
        await asyncio.gather(ann.close(), bob.close())
    values = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line[0] != "#"}
    assert values["virtubar_sfu_peers"] == 2
    assert values['virtubar_sfu_tracks{direction="in"}'] == 1
    assert values['virtubar_sfu_tracks{direction="out"}'] >= 1
    assert (
        values['virtubar_sfu_packets_total{direction="in"}']
        >= values['virtubar_sfu_packets_total{direction="out"}']
        >= 10
    )
    assert values["virtubar_sfu_selection_changes_total"] >= 1
    assert values["virtubar_sfu_shed_total"] == 0
    assert (
        values["virtubar_sfu_forwarding_latency_seconds_count"] == values['virtubar_sfu_packets_total{direction="out"}']
    )


async def test_draining_tells_members_to_reconnect_and_refuses_new_ones(sfu):
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), raw=True)
    try:
        await ann.connect()
        await sfu.node.stop()
        await until(lambda: any(isinstance(s, Reconnect) for s in ann.signals), timeout=3)
        async with websockets.connect(sfu.url) as ws:
            await ws.send(codec.encode(SfuJoin(roomId="room-1", token=sfu.voice_token("bob"))).decode())
            assert isinstance(codec.decode(await ws.recv()).payload, Reconnect)
    finally:
        await ann.close()


async def test_signaling_mistakes_get_clear_errors_and_the_session_lives_on(sfu):
    async with websockets.connect(sfu.url) as ws:

        async def say(message: str):
            await ws.send(message)
            return codec.decode(await ws.recv()).payload

        await ws.send(codec.encode(SfuJoin(roomId="room-1", token=sfu.voice_token("ann"))).decode())
        await ws.recv()  # sfu_joined
        reply = await say(codec.encode(SessionDescription(type="answer", sdp="v=0")).decode())
        assert isinstance(reply, Error) and reply.code == "unexpected_answer"
        reply = await say(codec.encode(IceCandidate(candidate="candidate:garbage")).decode())
        assert isinstance(reply, Error) and reply.code == "bad_candidate"
        reply = await say('{"v":1,"t":"sdp","ts":1,"payload":{"type":"pranswer","sdp":"x"}}')
        assert isinstance(reply, Error) and reply.code == "bad_message" and "type" in reply.message
        reply = await say(codec.encode(SfuJoin(roomId="room-1", token="again")).decode())
        assert isinstance(reply, Error) and reply.code == "already_joined"
        reply = await say("x" * 70_000)
        assert isinstance(reply, Error) and reply.code == "too_large"
        assert "ann" in sfu.node.room("room-1").peers


async def test_trickled_candidates_reach_the_sfu_and_connect(sfu):
    room = sfu.node.room("room-1")
    room.move("ann", 3, 3)
    room.move("bob", 4, 3)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10), trickle=True)
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: bob.received_from("ann") > 10)
        (transceiver, *_) = room.peers["ann"].pc.getTransceivers()
        remote = transceiver.receiver.transport.transport.getRemoteCandidates()
        assert remote and all(c.type == "host" for c in remote)
        assert not [s for s in ann.signals if isinstance(s, Error)]
    finally:
        await asyncio.gather(ann.close(), bob.close())


def test_turn_credentials_follow_coturns_rest_scheme():
    username, credential = turn_credentials("s3cret", "sfu-1", 3600, now=1_000)
    assert username == "4600:sfu-1"
    assert credential == "QaZrQ3TFF0rTH2pmcA4ekbjI3a0="


async def test_sigterm_drains_the_node_served_by_granian(tmp_path):
    port = free_port()
    env = {**os.environ, "VIRTUBAR_TOKEN_SECRET": SECRET, "VIRTUBAR_DATA": str(tmp_path), "VIRTUBAR_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "sfu_node.serve:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:

        async def up() -> bool:
            try:
                async with httpx.AsyncClient() as http:
                    return (await http.get(f"http://127.0.0.1:{port}/metrics")).status_code == 200
            except httpx.TransportError:
                return False

        for _ in range(100):
            if await up():
                break
            await asyncio.sleep(0.1)
        member = VoiceClient(
            f"ws://127.0.0.1:{port}/sfu",
            "room-1",
            TokenIssuer(SECRET).issue("voice", "ann", room="room-1", platform="desktop"),
            raw=True,
        )
        await member.connect()
        process.send_signal(signal.SIGTERM)
        await until(lambda: any(isinstance(s, Reconnect) for s in member.signals), timeout=10)
        await member.close()
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
