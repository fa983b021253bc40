"""Whiteboards: a room's boards as Yjs documents, synced with y-protocols
(``board_sync``: step1, step2, update; ``board_awareness``: cursors) over
the room's socket; and the room's objects as the owner changes them
(``room_objects_changed``, from the functions).

Each node hosting a room keeps the document of every board one of its
members has open (``Boards``), read whole from the functions when the
first one opens it and kept current by every ``board_update`` on the
room's bus, its own included (updates commute and apply twice harmlessly,
so the read and the bus may overlap in any order). An update is stored by
the functions (``virtubar.boards.BoardClient``: the edge cannot read the
database) before it goes on the bus and before the sender gets
``board_saved``: a node killed after that loses nothing. When the last
member here closes a board (or leaves), the functions compact it and the
node forgets its document.

Awareness is live only, and hidden between members who blocked each other;
strokes reach every viewer and the client hides a blocked author's.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import msgspec
from pycrdt import Doc

from realtime_edge.connection import Conn
from realtime_edge.entries import Spot
from realtime_edge.feature import Edge, Feature, Route, Rule
from realtime_edge.logs import log
from realtime_edge.ratelimit import Budget
from realtime_edge.room import Room
from realtime_edge.tasks import spawn
from virtubar import boards, wire
from virtubar.world import WorldObject

NAME = "whiteboard"
UPDATES = Budget(20.0, burst=40.0)
"""A client sends a pen stroke's points a few times a second; twenty a second per member is a fast hand."""
CURSORS = Budget(10.0, burst=20.0)
CLOSES = Budget(2.0, burst=5.0)


@dataclass
class Board:
    """One open board on this node: its document, whether it was read
    whole from the functions yet, and the members here looking at it."""

    doc: Doc = field(default_factory=Doc)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    failed: bool = False
    viewers: set[str] = field(default_factory=set)


@dataclass
class Boards:
    open: dict[str, Board] = field(default_factory=dict)
    client: boards.BoardClient | None = None


def _boards(room: Room) -> Boards:
    found = room.data.get(NAME)
    if not isinstance(found, Boards):
        found = room.data[NAME] = Boards()
    return found


def _client(edge: Edge, room: Room) -> boards.BoardClient:
    held = _boards(room)
    if held.client is None:
        held.client = boards.BoardClient(edge.settings.api_url, edge.tokens, edge.id)
    return held.client


def is_board(room: Room, object_id: str) -> bool:
    return any(o.id == object_id and o.kind == "whiteboard" for o in room.world.objects)


async def _opened(edge: Edge, room: Room, object_id: str) -> Board | None:
    """The board's document here, read from the functions on first use
    (None if they could not be reached: nothing is kept)."""
    held = _boards(room)
    board = held.open.get(object_id)
    if board is None:
        board = held.open[object_id] = Board()
        try:
            board.doc.apply_update(await _client(edge, room).state(room.id, object_id))
        except Exception as e:
            log("board_load_failed", logging.WARNING, room=room.id, board=object_id, error=repr(e))
            board.failed = True
            held.open.pop(object_id, None)
        board.ready.set()
    await board.ready.wait()
    return None if board.failed else board


async def sync(edge: Edge, conn: Conn, p: wire.BoardSync) -> None:
    room, _ = conn.joined()
    if not is_board(room, p.objectId):
        edge.refuse(conn, "no_such_board", f"{p.objectId} is not a whiteboard of this room", p.name)
        return
    try:
        kind, body = boards.read_sync(p.data)
    except boards.BadSync as e:
        edge.refuse(conn, "bad_board_sync", str(e), p.name)
        return
    if kind == "step1":
        await _open(edge, conn, room, p.objectId, body)
        return
    board = _boards(room).open.get(p.objectId)
    if board is None or conn.user_id not in board.viewers:
        edge.refuse(conn, "board_not_open", "open the board first (board_sync step1)", p.name)
        return
    limit = edge.settings.board_update_max_bytes
    if len(body) > limit:
        edge.refuse(conn, "board_update_too_large",
                    f"the update is {len(body)} bytes; at most {limit} are allowed: nothing was stored", p.name)
        return
    if body != boards.EMPTY_UPDATE:
        try:
            await _client(edge, room).append(room.id, p.objectId, body, conn.user_id)
        except boards.Refused as e:
            code = "board_full" if "full" in e.detail else "bad_board_update"
            edge.refuse(conn, code, f"{e.detail} (nothing was stored)", p.name)
            return
        except Exception as e:
            log("board_store_failed", logging.WARNING, room=room.id, board=p.objectId, error=repr(e))
            edge.refuse(conn, "board_unavailable", "the board could not be saved: try again", p.name)
            return
        board.doc.apply_update(body)
        await edge.emit(conn, wire.BoardUpdate(objectId=p.objectId, userId=conn.user_id,
                                               data=boards.sync_message("update", body)))
    edge.send(conn, wire.BoardSaved(objectId=p.objectId, id=p.id))


async def _open(edge: Edge, conn: Conn, room: Room, object_id: str, vector: bytes) -> None:
    """The whole board (or what the socket lacks) in one message, then the
    edge's own state vector so the client sends what the board lacks."""
    board = await _opened(edge, room, object_id)
    if board is None:
        edge.refuse(conn, "board_unavailable", "the board could not be read: try again", wire.BoardSync.name)
        return
    try:
        missing = board.doc.get_update(vector)
    except Exception:
        edge.refuse(conn, "bad_board_sync", "the state vector is not valid", wire.BoardSync.name)
        return
    board.viewers.add(conn.user_id)
    edge.send(conn, wire.BoardState(objectId=object_id, data=boards.sync_message("step2", missing)))
    edge.send(conn, wire.BoardState(objectId=object_id, data=boards.sync_message("step1", board.doc.get_state())))


async def awareness(edge: Edge, conn: Conn, p: wire.BoardAwareness) -> None:
    room, _ = conn.joined()
    board = _boards(room).open.get(p.objectId)
    if board is None or conn.user_id not in board.viewers:
        edge.refuse(conn, "board_not_open", "open the board first (board_sync step1)", p.name)
        return
    await edge.emit(conn, wire.BoardAwarenessBroadcast(objectId=p.objectId, userId=conn.user_id, data=p.data))


async def close(edge: Edge, conn: Conn, p: wire.BoardClose) -> None:
    room, _ = conn.joined()
    board = _boards(room).open.get(p.objectId)
    if board is not None:
        board.viewers.discard(conn.user_id)
        _forget_if_unseen(edge, room, p.objectId, board)


def _forget_if_unseen(edge: Edge, room: Room, object_id: str, board: Board) -> None:
    """Nobody here looks at the board: compact it, forget its document."""
    if board.viewers or not board.ready.is_set():
        return
    _boards(room).open.pop(object_id, None)
    spawn(_client(edge, room).compact(room.id, object_id), "compact_board", room=room.id, board=object_id)


async def watch(edge: Edge, room: Room) -> None:
    """Members who left without closing a board stop being its viewers."""
    for object_id, board in list(_boards(room).open.items()):
        board.viewers &= set(room.local)
        _forget_if_unseen(edge, room, object_id, board)


def viewers(room: Room, e: wire.BoardUpdate, at: Spot | None, listener: wire.Member) -> bool:
    board = _boards(room).open.get(e.objectId)
    return board is not None and listener.userId in board.viewers and listener.userId != e.userId


def cursors(room: Room, e: wire.BoardAwarenessBroadcast, at: Spot | None, listener: wire.Member) -> bool:
    board = _boards(room).open.get(e.objectId)
    return (board is not None and listener.userId in board.viewers and listener.userId != e.userId
            and not room.hidden(e.userId, listener.userId))


def learn(room: Room, e: wire.BoardUpdate) -> None:
    """Every node's open copy of the board takes every stored update."""
    board = _boards(room).open.get(e.objectId)
    if board is not None:
        try:
            board.doc.apply_update(boards.read_sync(e.data)[1])
        except (boards.BadSync, ValueError) as error:
            log("bad_board_update", logging.WARNING, room=room.id, board=e.objectId, error=str(error))


def everyone(room: Room, e: wire.RoomObjectsChanged, at: Spot | None, listener: wire.Member) -> bool:
    return True


def placed(room: Room, e: wire.RoomObjectsChanged) -> None:
    """The room's objects as the owner left them, before the republished
    world is read again (a whiteboard placed now can be opened now)."""
    known = {o.id: o for o in room.world.objects}
    objects = []
    for o in e.objects:
        kept = known.get(o.id)
        if kept is not None and kept.kind == o.kind:  # keeps what the event leaves out (a seat's exclusivity)
            objects.append(msgspec.structs.replace(kept, x=o.x, z=o.z, w=o.w, d=o.d, rot=o.rot, label=o.label))
        else:
            objects.append(WorldObject(id=o.id, kind=o.kind, x=o.x, z=o.z, w=o.w, d=o.d, rot=o.rot,  # type: ignore[arg-type]
                                       label=o.label))
    room.world = msgspec.structs.replace(room.world, objects=objects)


FEATURE = Feature(
    NAME,
    routes={
        wire.BoardSync.name: Route(sync, UPDATES),
        wire.BoardAwareness.name: Route(awareness, CURSORS),
        wire.BoardClose.name: Route(close, CLOSES),
    },
    rules=(
        Rule(wire.BoardUpdate, viewers, durable=True, learn=learn),
        Rule(wire.BoardAwarenessBroadcast, cursors, durable=False),
        Rule(wire.RoomObjectsChanged, everyone, durable=False, learn=placed),
    ),
    watch=watch,
)
