"""Room objects and whiteboards.

An owner places objects in a room (``room_objects``: whiteboards, screens,
tables and the world's other kinds, with a position, a size and the kind's
``config``); they join the room's world when it is published
(``rooms.room_world``), and each change republishes the world and tells
the room live (``room_objects_changed``).

A whiteboard's Yjs document is stored here, since the edge cannot read the
database: the edge appends each update through an internal route (a node
token) before it acknowledges it, one row per update; compaction folds the
rows into the board's snapshot every ``board_compact_every`` updates and
when the last viewer leaves. Owners download the board; staff and the owner
clear it (in the audit log). ``docs/architecture.md``, "Whiteboards".
"""

from __future__ import annotations

import base64
import json

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from functions.auditlog import audit
from functions.context import Services
from functions.models import BoardOut, ObjectIn, ObjectList, ObjectOut, ObjectPatch
from functions.moderation import STAFF, current_role
from functions.problems import ApiError, FieldError
from functions.rooms import load_room, publish_setup, room_world
from functions.security import bearer, new_id
from functions.tables import BoardSnapshot, BoardUpdate, RoomObject
from virtubar import boards, wire
from virtubar.tokens import Claims, TokenError
from virtubar.world import WorldError, parse_world

MAX_CONFIG_BYTES = 4096


def _out(row: dict) -> ObjectOut:
    config = row["config"]
    return ObjectOut(id=row["id"], roomId=row["room"], kind=row["kind"], x=row["x"], z=row["z"], w=row["w"],
                     d=row["d"], rot=row["rot"], label=row["label"],
                     config=json.loads(config) if isinstance(config, str) else config, createdAt=row["created_at"])


def _config(value: dict) -> str:
    text = json.dumps(value)
    if len(text) > MAX_CONFIG_BYTES:
        raise ApiError(422, "The object's config is too large.",
                       [FieldError(field="config", message=f"at most {MAX_CONFIG_BYTES} bytes of JSON")])
    return text


def _owner(caller: Claims, row: dict) -> None:
    if row["owner"] != caller.sub and caller.role != "admin":
        raise ApiError(403, "Only the room's owner or an admin can change its objects.")


async def _load_object(room_id: str, object_id: str) -> dict:
    row = await RoomObject.select().where((RoomObject.id == object_id) & (RoomObject.room == room_id)).first()
    if row is None:
        raise ApiError(404, "No such object in this room.")
    return row


async def _republish(services: Services, room: dict) -> None:
    """The world with its objects, checked first, to the edge and the SFU,
    and the objects to everyone in the room now."""
    world = await room_world(room)
    try:
        checked = parse_world(world)
    except WorldError as e:
        raise ApiError(422, "The object does not fit in the room's world.",
                       [FieldError(field="object", message=m) for m in e.errors]) from e
    await publish_setup(services, room, world)
    configs = {r["id"]: r["config"] for r in await RoomObject.select(RoomObject.id, RoomObject.config)
               .where(RoomObject.room == room["id"])}
    objects = [wire.RoomObject(id=o.id, kind=o.kind, x=o.x, z=o.z, w=o.w, d=o.d, rot=o.rot, label=o.label,
                               config=_parsed(configs[o.id]) if o.id in configs else None) for o in checked.objects]
    event = wire.RoomObjectsChanged(roomId=room["id"], objects=objects)
    await services.bus.publish(room["id"], msgspec.json.encode(wire.envelope(event)), durable=False)


def _parsed(config) -> dict:
    return json.loads(config) if isinstance(config, str) else config


async def whiteboard(room: dict, object_id: str) -> None:
    """Is ``object_id`` a whiteboard of the room's world? (A 404 when not.)"""
    world = await room_world(room)
    if not any(o.get("id") == object_id and o.get("kind") == "whiteboard" for o in world.get("objects", [])):
        raise ApiError(404, "No such whiteboard in this room.")


class ObjectsController(Controller):
    path = "/rooms/{room_id:str}/objects"
    tags = ["objects"]

    @get("/", summary="The objects the owner placed in a room")
    async def list_objects(self, caller: NamedDependency[Claims], room_id: FromPath[str]) -> ObjectList:
        room = await load_room(room_id)
        rows = await RoomObject.select().where(RoomObject.room == room["id"]).order_by(RoomObject.created_at)
        return ObjectList(items=[_out(r) for r in rows])

    @post("/", status_code=HTTP_201_CREATED, summary="Place an object in a room (owner or admin)")
    async def place(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                    room_id: FromPath[str], data: JSONBody[ObjectIn]) -> ObjectOut:
        room = await load_room(room_id)
        _owner(caller, room)
        row_id = new_id()
        await RoomObject.insert(RoomObject(id=row_id, room=room_id, kind=data.kind, x=data.x, z=data.z, w=data.w,
                                           d=data.d, rot=data.rot, label=data.label, config=_config(data.config)))
        try:
            await _republish(services, room)
        except ApiError:
            await RoomObject.delete().where(RoomObject.id == row_id)
            raise
        return _out(await _load_object(room_id, row_id))

    @patch("/{object_id:str}", summary="Move, resize, relabel or reconfigure an object (owner or admin)")
    async def change(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                     room_id: FromPath[str], object_id: FromPath[str], data: JSONBody[ObjectPatch]) -> ObjectOut:
        room = await load_room(room_id)
        _owner(caller, room)
        before = await _load_object(room_id, object_id)
        changes = {getattr(RoomObject, f): getattr(data, f) for f in ("x", "z", "w", "d", "rot", "label")
                   if getattr(data, f) is not None}
        if data.config is not None:
            changes[RoomObject.config] = _config(data.config)
        if not changes:
            return _out(before)
        await RoomObject.update(changes).where(RoomObject.id == object_id)
        try:
            await _republish(services, room)
        except ApiError:
            undo = {getattr(RoomObject, f): before[f] for f in ("x", "z", "w", "d", "rot", "label", "config")}
            await RoomObject.update(undo).where(RoomObject.id == object_id)
            raise
        return _out(await _load_object(room_id, object_id))

    @delete("/{object_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Remove an object (owner or admin)")
    async def remove(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                     room_id: FromPath[str], object_id: FromPath[str]) -> None:
        room = await load_room(room_id)
        _owner(caller, room)
        await _load_object(room_id, object_id)
        await RoomObject.delete().where(RoomObject.id == object_id)
        await BoardUpdate.delete().where((BoardUpdate.room == room_id) & (BoardUpdate.board == object_id))
        await BoardSnapshot.delete().where(BoardSnapshot.id == _key(room_id, object_id))
        await _republish(services, room)

    @get("/{object_id:str}/board", summary="A whiteboard's whole document, one Yjs update (owner or admin)")
    async def board(self, caller: NamedDependency[Claims], room_id: FromPath[str],
                    object_id: FromPath[str]) -> BoardOut:
        room = await load_room(room_id)
        _owner(caller, room)
        await whiteboard(room, object_id)
        update, size = await board_state(room_id, object_id)
        return BoardOut(roomId=room_id, objectId=object_id, update=update, size=size)

    @delete("/{object_id:str}/board", status_code=HTTP_204_NO_CONTENT,
            summary="Clear a whiteboard for everyone (the room's owner, moderators, admins; audited)")
    async def clear(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                    room_id: FromPath[str], object_id: FromPath[str]) -> None:
        room = await load_room(room_id)
        if room["owner"] != caller.sub and await current_role(caller) not in STAFF:
            raise ApiError(403, "Only the room's owner or a moderator can clear a whiteboard.")
        await whiteboard(room, object_id)
        state, _ = await board_state(room_id, object_id)
        update = boards.clearing(state)
        await _append(room_id, object_id, update, caller.sub)
        await compact(room_id, object_id)
        await audit(caller.sub, "clear_board", "whiteboard cleared", room=room_id, board=object_id)
        event = wire.BoardUpdate(objectId=object_id, userId=caller.sub, data=boards.sync_message("update", update))
        await services.bus.publish(room_id, msgspec.json.encode(wire.envelope(event)))


# The board store ------------------------------------------------------------


def _key(room_id: str, object_id: str) -> str:
    return f"{room_id}:{object_id}"


def _bytes(text: str) -> bytes:
    return base64.b64decode(text) if text else b""


async def board_state(room_id: str, object_id: str) -> tuple[bytes, int]:
    """The board as one update and the bytes it holds (snapshot and stored updates)."""
    snap = await BoardSnapshot.select().where(BoardSnapshot.id == _key(room_id, object_id)).first()
    rows = await BoardUpdate.select(BoardUpdate.data, BoardUpdate.size).where(
        (BoardUpdate.room == room_id) & (BoardUpdate.board == object_id))
    parts = ([_bytes(snap["data"])] if snap else []) + [_bytes(r["data"]) for r in rows]
    return boards.merged(parts), (snap["size"] if snap else 0) + sum(r["size"] for r in rows)


async def _size(room_id: str, object_id: str) -> tuple[int, int]:
    """(the board's bytes, its stored updates not yet compacted)."""
    snap = await BoardSnapshot.select(BoardSnapshot.size).where(BoardSnapshot.id == _key(room_id, object_id)).first()
    rows = await BoardUpdate.select(BoardUpdate.size).where(
        (BoardUpdate.room == room_id) & (BoardUpdate.board == object_id))
    return (snap["size"] if snap else 0) + sum(r["size"] for r in rows), len(rows)


async def _append(room_id: str, object_id: str, update: bytes, author: str) -> None:
    await BoardUpdate.insert(BoardUpdate(id=new_id(), room=room_id, board=object_id,
                                         data=base64.b64encode(update).decode(), size=len(update), author=author))


async def compact(room_id: str, object_id: str) -> int:
    """Fold the stored updates into the snapshot; the board's bytes after.
    Written only over the snapshot version read, so two compactions at once
    cannot drop each other's updates (the loser leaves its rows for later)."""
    key = _key(room_id, object_id)
    snap = await BoardSnapshot.select().where(BoardSnapshot.id == key).first()
    if snap is None:
        await BoardSnapshot.insert(BoardSnapshot(id=key, room=room_id)).on_conflict(action="DO NOTHING")
        snap = await BoardSnapshot.select().where(BoardSnapshot.id == key).first()
        assert snap is not None
    rows = await BoardUpdate.select(BoardUpdate.id, BoardUpdate.data).where(
        (BoardUpdate.room == room_id) & (BoardUpdate.board == object_id))
    if not rows:
        return snap["size"]
    state = boards.merged([_bytes(snap["data"])] + [_bytes(r["data"]) for r in rows])
    won = await BoardSnapshot.update({
        BoardSnapshot.data: base64.b64encode(state).decode(), BoardSnapshot.size: len(state),
        BoardSnapshot.version: snap["version"] + 1,
    }).where((BoardSnapshot.id == key) & (BoardSnapshot.version == snap["version"])).returning(BoardSnapshot.id)
    if won:
        await BoardUpdate.delete().where(BoardUpdate.id.is_in([r["id"] for r in rows]))
    return len(state)


# Internal: the edge's calls -----------------------------------------------------


def _node(request: Request, services: Services) -> None:
    try:
        services.tokens.verify(bearer(request) or "", "node")
    except TokenError as e:
        raise ApiError(401, f"A node token is required: {e.message}") from e


@post("/internal/boards/{room_id:str}/{object_id:str}/updates", status_code=200, tags=["internal"],
      summary="Nodes: store a whiteboard update")
async def append_update(request: Request, services: NamedDependency[Services], room_id: FromPath[str],
                        object_id: FromPath[str], data: JSONBody[boards.Append]) -> boards.Stored:
    """Stored before the edge acknowledges it; refused (413) past the
    per-update or per-board limit, with nothing stored."""
    _node(request, services)
    settings = services.settings
    if len(data.update) > settings.board_update_max_bytes:
        raise ApiError(413, f"The whiteboard update is {len(data.update)} bytes; "
                            f"at most {settings.board_update_max_bytes} are allowed.")
    try:
        boards.checked_update(data.update)
    except boards.BadSync as e:
        raise ApiError(422, str(e), [FieldError(field="update", message=str(e))]) from e
    await whiteboard(await load_room(room_id), object_id)
    size, waiting = await _size(room_id, object_id)
    if size + len(data.update) > settings.board_max_bytes:
        raise ApiError(413, f"The whiteboard is full ({size} of {settings.board_max_bytes} bytes): "
                            "a moderator or the room's owner can clear it.")
    await _append(room_id, object_id, data.update, data.userId[:32])
    if waiting + 1 >= settings.board_compact_every:
        return boards.Stored(size=await compact(room_id, object_id))
    return boards.Stored(size=size + len(data.update))


@get("/internal/boards/{room_id:str}/{object_id:str}/state", tags=["internal"],
     summary="Nodes: a whiteboard as one update")
async def read_state(request: Request, services: NamedDependency[Services], room_id: FromPath[str],
                     object_id: FromPath[str]) -> boards.BoardState:
    _node(request, services)
    await whiteboard(await load_room(room_id), object_id)
    update, size = await board_state(room_id, object_id)
    return boards.BoardState(update=update, size=size)


@post("/internal/boards/{room_id:str}/{object_id:str}/compact", status_code=200, tags=["internal"],
      summary="Nodes: fold a whiteboard's updates into its snapshot (its last viewer left)")
async def compact_board(request: Request, services: NamedDependency[Services], room_id: FromPath[str],
                        object_id: FromPath[str]) -> boards.Stored:
    _node(request, services)
    return boards.Stored(size=await compact(room_id, object_id))


INTERNAL = [append_update, read_state, compact_board]
