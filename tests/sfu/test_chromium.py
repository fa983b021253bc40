"""Chromium's WebRTC against the SFU: the browser publishes its (fake)
microphone to an aiortc listener and hears an aiortc speaker's tone, with
the signaling a browser client uses (trickle ICE, SFU-led renegotiation)."""

import asyncio
import json
import shutil
import urllib.request
from pathlib import Path

import pytest
import websockets

from tests.sfu.client import VoiceClient
from tests.sfu.conftest import free_port
from tests.sfu.media import ToneTrack
from tests.sfu.test_voice import until

PAGE = (Path(__file__).parent / "chromium_client.html").read_bytes()


def _read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=1) as reply:
        return reply.read()


class Browser:
    """Headless Chromium driven over the DevTools protocol."""

    def __init__(self, ws) -> None:
        self.ws, self.next_id = ws, 0

    async def evaluate(self, expression: str):
        self.next_id += 1
        await self.ws.send(
            json.dumps(
                {
                    "id": self.next_id,
                    "method": "Runtime.evaluate",
                    "params": {"expression": expression, "awaitPromise": True, "returnByValue": True},
                }
            )
        )
        while True:
            reply = json.loads(await self.ws.recv())
            if reply.get("id") == self.next_id:
                result = reply["result"]
                assert "exceptionDetails" not in result, result
                return result["result"].get("value")


@pytest.fixture
async def page_url():
    async def serve(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(PAGE), PAGE))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    server.close()


@pytest.fixture
def sfu_origins(page_url) -> list[str]:
    return [page_url]


@pytest.fixture
async def browser(tmp_path, page_url):
    if shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: apt-get install chromium")
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        "chromium",
        *[
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
            f"--remote-debugging-port={port}",
            page_url,
        ],
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        target = None
        for _ in range(200):
            try:
                targets = json.loads(await asyncio.to_thread(_read, f"http://127.0.0.1:{port}/json"))
                target = next((t for t in targets if t["type"] == "page" and t["url"] == page_url), None)
                if target:
                    break
            except OSError:
                pass
            await asyncio.sleep(0.1)
        assert target, "chromium did not open the page"
        async with websockets.connect(target["webSocketDebuggerUrl"], max_size=None) as ws:
            page = Browser(ws)
            for _ in range(100):
                if await page.evaluate("typeof window.join") == "function":
                    break
                await asyncio.sleep(0.1)
            yield page
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)


async def test_chromium_speaks_to_and_hears_aiortc_members(sfu, browser):
    room = sfu.node.room("room-1")
    for uid, x in (("carla", 3), ("ann", 4), ("bob", 5)):
        room.move(uid, x, 3)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), track=ToneTrack(440))
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    try:
        await ann.connect()
        await bob.connect()
        assert (
            await browser.evaluate(f"join({json.dumps(sfu.url)}, 'room-1', {json.dumps(sfu.voice_token('carla'))})")
            == "carla"
        )
        await until(lambda: bob.received_from("carla") > 25, timeout=20)  # the browser's microphone reached bob
        assert bob.levels  # with its RFC 6464 audio level

        async def hears_ann() -> bool:
            owners = await browser.evaluate("window.owners")
            stats = await browser.evaluate("window.inbound()")
            return any(owners.get(s["mid"]) == "ann" and s["packets"] > 25 and s["energy"] > 0 for s in stats)

        for _ in range(100):
            if await hears_ann():
                break
            await asyncio.sleep(0.2)
        assert await hears_ann(), (await browser.evaluate("window.owners"), await browser.evaluate("window.inbound()"))
        assert await browser.evaluate("window.errors") == []
    finally:
        await asyncio.gather(ann.close(), bob.close())
