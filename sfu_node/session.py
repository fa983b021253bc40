"""One member's signaling socket: authenticate with the voice token, then
relay offers, answers and candidates between the socket and the member's
peer. Bad messages get an ``error`` and change nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import msgspec
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from sfu_node.node import SfuNode
from sfu_node.peer import SignalError
from sfu_node.tasks import spawn
from virtubar import logs
from virtubar.signaling import (
    MAX_SIGNAL_BYTES,
    IceCandidate,
    Publish,
    SessionDescription,
    SfuJoin,
    SfuJoined,
    sfu_codec,
)
from virtubar.tokens import TokenError
from virtubar.wire import AuthError, Error, Event, Reconnect

JOIN_TIMEOUT_S = 10.0
CLOSE_AUTH = 4401  # policy close codes the client can tell apart
CLOSE_PROTOCOL = 4400
CLOSE_DRAINING = 4503  # also while the sanctions reload: come back after delayMs
CLOSE_REMOVED = 4003  # kicked or banned, as the edge closes
log = logging.getLogger(__name__)


async def serve(socket: WebSocket, node: SfuNode) -> None:
    await socket.accept()
    codec = sfu_codec()

    async def send(event: Event) -> None:
        await socket.send_text(codec.encode(event).decode())

    async def refuse(event: AuthError | Error | Reconnect, code: int) -> None:
        await send(event)
        await socket.close(code=code, reason=event.reason if isinstance(event, Reconnect) else event.message)

    try:
        raw = await asyncio.wait_for(socket.receive_text(), JOIN_TIMEOUT_S)
        join = codec.decode(raw).payload if len(raw) <= MAX_SIGNAL_BYTES else None
    except (TimeoutError, msgspec.DecodeError, msgspec.ValidationError):
        join = None
    except WebSocketDisconnect:
        return
    if not isinstance(join, SfuJoin):
        return await refuse(Error(code="join_first", message="send sfu_join with a voice token first"), CLOSE_PROTOCOL)
    try:
        claims = node.tokens.verify(join.token, "voice", room=join.roomId)
    except TokenError as e:
        return await refuse(AuthError(code=e.code, message=e.message), CLOSE_AUTH)
    if node.admission is not None:  # bans and kick cool-downs, as the edge checks them
        refusal, _ = await node.admission.check(claims.sub, join.roomId)
        if refusal is not None:
            return await refuse(refusal, CLOSE_DRAINING if isinstance(refusal, Reconnect) else CLOSE_REMOVED)
    if node.draining:
        return await refuse(Reconnect(delayMs=1000, reason="the voice node is draining"), CLOSE_DRAINING)

    outbox: asyncio.Queue[Event] = asyncio.Queue()
    room = await node.open_room(join.roomId)
    peer = node.peer(claims.sub, outbox.put_nowait)
    previous = room.admit(peer)
    if previous is not None:
        await previous.close()
    removed = asyncio.Event()
    node.sessions[peer] = removed.set
    await node.admitted(room, peer.user_id)
    logs.bind(roomId=room.id, userId=peer.user_id)  # this member's lines from here on, not the room's loops
    outbox.put_nowait(SfuJoined(roomId=room.id, userId=peer.user_id, maxSpeakers=room.scape.max_speakers))

    async def write() -> None:
        while True:
            await send(await outbox.get())

    writer = spawn(write(), "sending signals", room=room.id, member=peer.user_id)
    try:
        while True:
            raw = await _receive(socket, removed)
            if raw is None:
                await socket.close(code=CLOSE_REMOVED, reason="removed from the room by a moderator")
                break
            try:
                if len(raw) > MAX_SIGNAL_BYTES:
                    raise SignalError("too_large", f"messages are limited to {MAX_SIGNAL_BYTES} bytes")
                await _handle(codec.decode(raw).payload, peer, room)
            except (msgspec.DecodeError, msgspec.ValidationError) as e:
                outbox.put_nowait(Error(code="bad_message", message=str(e)))
            except SignalError as e:
                outbox.put_nowait(Error(code=e.code, message=e.message))
            except Exception:  # a bug must not take the member's voice down
                log.exception("signal from %s in room %s failed", peer.user_id, room.id)
                outbox.put_nowait(Error(code="internal", message="the SFU could not handle that message"))
    except WebSocketDisconnect:
        pass
    finally:
        writer.cancel()
        await asyncio.wait({writer})  # however it ended (a failure is logged), the member leaves
        node.sessions.pop(peer, None)
        room.leave(peer)
        await peer.close()
        await node.close_room(room)


async def _receive(socket: WebSocket, removed: asyncio.Event) -> str | None:
    """The next message, or None once a moderator removed the member."""
    receiving = asyncio.ensure_future(socket.receive_text())
    ending = asyncio.ensure_future(removed.wait())
    await asyncio.wait((receiving, ending), return_when=asyncio.FIRST_COMPLETED)
    ending.cancel()
    if receiving.done():
        return receiving.result()
    receiving.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await receiving
    return None


async def _handle(signal: Event, peer, room) -> None:
    if isinstance(signal, SessionDescription) and signal.type == "offer":
        room.publish(peer.user_id, await peer.offer_received(signal.sdp), peer.sending)
        room.reselect()
    elif isinstance(signal, SessionDescription):
        peer.answer_received(signal.sdp)
    elif isinstance(signal, IceCandidate):
        await peer.candidate_received(signal)
    elif isinstance(signal, Publish):
        peer.declare(signal.tracks)
    else:
        raise SignalError("already_joined", "this socket has already joined its room")
