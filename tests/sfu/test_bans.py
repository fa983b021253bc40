"""Bans reach the voice as they reach the edge: a banned (or kicked) member's
voice token is refused at ``sfu_join`` (the same mirrored sanctions the edge
reads), and a ban announced on the control stream ends its session."""

import asyncio
import json
import time

import msgspec
import websockets

from tests.sfu.test_platform import pair, stops_within
from tests.sfu.test_voice import until
from virtubar import keys, wire
from virtubar.moderation import SanctionInfo, encode_control


async def voice_join(url: str, room: str, token: str) -> tuple[dict, int | None]:
    """The SFU's first answer to ``sfu_join`` and how the socket closed (None: open)."""
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"v": 1, "t": "sfu_join", "ts": 0, "payload": {"roomId": room, "token": token}}))
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        try:
            await asyncio.wait_for(ws.wait_closed(), 1)
        except TimeoutError:
            return first, None
        return first, ws.close_code


async def sanction(state, user: str, kind: str, room: str | None, seconds: float = 600) -> None:
    info = SanctionInfo(kind=kind, reason="raids", room=room, expiresAtMs=wire.now_ms() + int(seconds * 1000))
    await state.put(keys.user_sanctions(user), f"{kind}-{room}", msgspec.json.encode(info), seconds)


async def test_a_banned_players_voice_token_is_refused_at_join(platform_sfu):
    sfu = platform_sfu
    await sanction(sfu.state, "troll", "ban", "room-1")
    first, closed = await voice_join(sfu.url, "room-1", sfu.voice_token("troll"))
    assert (first["t"], first["payload"]["code"], closed) == ("auth_error", "banned", 4003)
    assert "raids" in first["payload"]["message"]
    assert "room-1" not in sfu.node.rooms
    first, closed = await voice_join(sfu.url, "room-2", sfu.voice_token("troll", "room-2"))  # banned there only
    assert (first["t"], closed) == ("sfu_joined", None)


async def test_a_global_ban_and_a_kicks_cool_down_keep_the_voice_out_too(platform_sfu):
    sfu = platform_sfu
    await sanction(sfu.state, "raider", "ban", None)
    await sanction(sfu.state, "kicked", "kick", "room-1", seconds=300)
    first, closed = await voice_join(sfu.url, "room-9", sfu.voice_token("raider", "room-9"))
    assert (first["payload"]["code"], closed) == ("banned", 4003)
    first, closed = await voice_join(sfu.url, "room-1", sfu.voice_token("kicked"))
    assert (first["payload"]["code"], closed) == ("kicked", 4003)
    assert "may return at" in first["payload"]["message"]


async def test_a_ban_ends_the_voice_within_a_second_and_the_same_token_cannot_come_back(platform_sfu):
    sfu = platform_sfu
    ann, bob = await pair(sfu)
    token = ann.token
    try:
        await sanction(sfu.state, "ann", "ban", None)  # as the functions mirror it, before they announce it
        banned_at = time.monotonic()
        await sfu.edge.publish_control(encode_control(wire.ModerationAction(type="banned", userId="ann")))
        await until(lambda: ann._ws.close_code is not None, timeout=3)
        assert time.monotonic() - banned_at < 1.0 and ann._ws.close_code == 4003
        assert "ann" not in sfu.node.rooms["room-1"].peers
        await stops_within(bob, 1.0)
        first, closed = await voice_join(sfu.url, "room-1", token)
        assert (first["payload"]["code"], closed) == ("banned", 4003)
    finally:
        await asyncio.gather(ann.close(), bob.close())
