"""coturn (the Debian package) as the TURN server: a member allowed only
relayed candidates still reaches the SFU, with the REST credentials the node
derives from the shared secret."""

import asyncio
import shutil

import pytest
from aiortc import RTCConfiguration, RTCIceServer
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from sfu_node.node import turn_credentials
from tests.sfu.client import VoiceClient
from tests.sfu.conftest import free_port
from tests.sfu.media import encode_opus
from tests.sfu.test_voice import until

TURN_SECRET = "turn-test-secret"


@pytest.fixture
async def coturn(tmp_path):
    if shutil.which("turnserver") is None:
        pytest.fail("coturn (turnserver) is not installed: apt-get install coturn")
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        "turnserver",
        *[
            "-n",
            "--listening-ip=127.0.0.1",
            f"--listening-port={port}",
            "--use-auth-secret",
            f"--static-auth-secret={TURN_SECRET}",
            "--realm=virtubar",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            "--min-port=49200",
            "--max-port=49300",
            f"--pidfile={tmp_path}/turn.pid",
            f"--log-file={tmp_path}/turn.log",
            "--simple-log",
        ],
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    yield f"turn:127.0.0.1:{port}"
    process.terminate()
    await asyncio.wait_for(process.wait(), 10)


async def test_a_member_behind_turn_only_is_heard(sfu, coturn):
    room = sfu.node.room("room-1")
    room.move("ann", 3, 3)
    room.move("bob", 4, 3)
    username, credential = turn_credentials(TURN_SECRET, "ann", 600)
    relay_only = RTCConfiguration(
        iceServers=[RTCIceServer(urls=[coturn], username=username, credential=credential)],
        iceTransportPolicy=RTCIceTransportPolicy.RELAY,
    )
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10), config=relay_only)
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: bob.received_from("ann") > 10, timeout=15)
        offer = next(line for line in ann.pc.localDescription.sdp.splitlines() if line.startswith("a=candidate"))
        assert "typ relay" in offer
    finally:
        await asyncio.gather(ann.close(), bob.close())
