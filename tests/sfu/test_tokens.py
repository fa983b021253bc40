"""Only a valid voice token for this room opens the SFU's signaling."""

import jwt
import pytest
import websockets

from virtubar.signaling import SfuJoin, signaling_client_codec
from virtubar.tokens import TokenIssuer
from virtubar.wire import AuthError, Error

codec = signaling_client_codec()


async def refusal(url: str, message: str):
    async with websockets.connect(url) as ws:
        await ws.send(message)
        reply = codec.decode(await ws.recv()).payload
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    return reply, closed.value.rcvd


async def join(url: str, token: str, room: str = "room-1"):
    return await refusal(url, codec.encode(SfuJoin(roomId=room, token=token)).decode())


async def test_a_token_for_another_room_is_refused(sfu):
    reply, close = await join(sfu.url, sfu.voice_token("ann", room="room-2"))
    assert isinstance(reply, AuthError) and reply.code == "token_wrong_room"
    assert close.code == 4401 and "another room" in close.reason
    assert not sfu.node.rooms


async def test_an_expired_token_is_refused(sfu):
    expired = TokenIssuer(sfu.tokens._secret, ttl={"voice": -10}).issue(
        "voice", "ann", room="room-1", platform="desktop"
    )
    reply, close = await join(sfu.url, expired)
    assert isinstance(reply, AuthError) and reply.code == "token_expired"
    assert close.code == 4401


async def test_a_forged_token_is_refused(sfu):
    claims = jwt.decode(sfu.voice_token("ann"), options={"verify_signature": False})
    forged = jwt.encode(claims, "an attacker's secret that is long enough!!", algorithm="HS256")
    reply, close = await join(sfu.url, forged)
    assert isinstance(reply, AuthError) and reply.code == "token_invalid"
    assert close.code == 4401


async def test_a_realtime_token_is_not_a_voice_token(sfu):
    token = sfu.tokens.issue("realtime", "ann", room="room-1", platform="desktop")
    reply, _ = await join(sfu.url, token)
    assert isinstance(reply, AuthError) and reply.code == "token_invalid"


async def test_anything_but_a_join_first_is_refused(sfu):
    reply, close = await refusal(sfu.url, '{"v":1,"t":"sdp","ts":1,"payload":{"type":"offer","sdp":"x"}}')
    assert isinstance(reply, Error) and reply.code == "join_first"
    assert close.code == 4400
