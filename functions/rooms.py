"""Rooms: the directory, their worlds, and the join flow that hands a player
everything the realtime edge and the SFU need."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from piccolo.query import WhereRaw

from functions.builders import builders_of, may_build, set_builders
from functions.context import Services
from functions.friends import friend_rooms, remember_room
from functions.ice import ice_servers
from functions.matchmaking import Candidate, fill_order
from functions.models import JoinIn, JoinOut, RoomDetail, RoomIn, RoomOut, RoomPage, RoomPatch
from functions.preferences import preferences_of
from functions.problems import ApiError, FieldError, found
from functions.sanctions import active_ban, ban_for, bans_in_force, blocked_ids
from functions.security import new_id
from functions.tables import Room, RoomBuilder, RoomObject, World, WorldVersion
from functions.users import checked_name, load_user, look_of, worn_look
from virtubar import keys
from virtubar.focus import TimerPolicy
from virtubar.names import ROOM_NAME_MAX, BadName, normalise_name
from virtubar.tokens import Claims
from virtubar.world import WorldError, default_world, parse_world, to_json

DEFAULT_CAPACITY = {"bar": 30, "office": 50, "focus": 12, "world": 100}
TEMPLATE_TITLES = {"bar": "Bar", "office": "Office", "focus": "Focus Room", "world": "Town"}


def _document(raw: Any) -> Any:
    """A JSON column's value, given as text or already parsed (the engines differ)."""
    return json.loads(raw) if isinstance(raw, str) else raw


def room_out(row: dict, occupancy: int, builders: list[str]) -> RoomOut:
    return RoomOut(
        id=row["id"],
        name=row["name"],
        template=row["template"],
        capacity=row["capacity"],
        public=row["public"],
        ownerId=row["owner"],
        occupancy=occupancy,
        createdAt=row["created_at"],
        workStyle=row.get("work_style"),
        timerHostsOnly=bool(row.get("timer_hosts_only")),
        eventRoom=bool(row.get("event_room")),
        builders=builders,
    )


async def one_room_out(services: Services, row: dict) -> RoomOut:
    """A room as its own answers show it: live occupancy and its builders."""
    (count,) = await occupancy(services, [row["id"]])
    return room_out(row, count, (await builders_of([row["id"]]))[row["id"]])


async def occupancy(services: Services, room_ids: list[str]) -> list[int]:
    return await services.state.counts([keys.room_members(r) for r in room_ids])


async def load_room(room_id: str) -> dict:
    row = await Room.select().where(Room.id == room_id).first() if len(room_id) == 32 else None
    if row is None:
        raise ApiError(404, "No such room.")
    return row


WORLD_TTL_S = 24 * 3600


WORLDS_KEPT = 256
_world_texts: dict[str, str] = {}


async def _world_document(world_id: str) -> dict:
    """A world's document, a fresh copy each call. A saved world never
    changes (a change is a new version, ``functions/worldversions.py``), so
    the process keeps the text of the last few it read: a join reads it
    from memory, not the database."""
    text = _world_texts.get(world_id)
    if text is None:
        world = found(await World.select(World.document).where(World.id == world_id).first(), "No such room.")
        raw = world["document"]
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if len(_world_texts) >= WORLDS_KEPT:
            del _world_texts[next(iter(_world_texts))]
        _world_texts[world_id] = text
    return json.loads(text)


async def room_world(row: dict) -> dict:
    """The room's world document with the objects its owner placed
    (``functions/objects.py``); a placed object replaces one of the same id."""
    document = await _world_document(row["world"])
    placed = await RoomObject.select().where(RoomObject.room == row["id"]).order_by(RoomObject.created_at)
    if placed:
        ids = {p["id"] for p in placed}
        document["objects"] = [o for o in document.get("objects", []) if o.get("id") not in ids] + [
            {"id": p["id"], "kind": p["kind"], "x": p["x"], "z": p["z"], "w": p["w"], "d": p["d"], "rot": p["rot"]}
            | ({"label": p["label"]} if p["label"] else {}) for p in placed]
    return document


def chat_filter(row: dict) -> list[str]:
    return _document(row["chat_filter"] or "[]")


async def publish_setup(services: Services, row: dict, world: dict) -> None:
    """Hand the room's world, chat filter, capacity, timer setting
    (``focus.TimerPolicy``) and whether it is an event room
    (``virtubar/stage.py``) to the edge and the SFU, which cannot read the
    database; every join and change refreshes them."""
    key = keys.room_setup(row["id"])
    await services.state.put(key, "world", msgspec.json.encode(world), WORLD_TTL_S)
    await services.state.put(key, "capacity", msgspec.json.encode(row["capacity"]), WORLD_TTL_S)
    await services.state.put(key, "chatFilter", msgspec.json.encode(chat_filter(row)), WORLD_TTL_S)
    policy = TimerPolicy(hostsOnly=bool(row.get("timer_hosts_only")), hosts=[row["owner"]] if row["owner"] else [])
    await services.state.put(key, "timer", msgspec.json.encode(policy), WORLD_TTL_S)
    await services.state.put(key, "event", msgspec.json.encode(bool(row.get("event_room"))), WORLD_TTL_S)


def room_name(value: str) -> str:
    return checked_name(value, "name", ROOM_NAME_MAX)


def _named_parts(world) -> list[tuple[str, object, str]]:
    """Every name a world shows to players: (field, holder, attribute)."""
    parts: list[tuple[str, object, str]] = [("world.name", world, "name")]
    parts += [(f"world.zones[{i}].name", z, "name") for i, z in enumerate(world.zones)]
    parts += [(f"world.objects[{i}].label", o, "label") for i, o in enumerate(world.objects) if o.label is not None]
    return parts


def checked_world(document: dict, template: str) -> dict:
    try:
        world = parse_world(document)
    except WorldError as e:
        raise ApiError(
            422, "The world document is not valid.", [FieldError(field="world", message=m) for m in e.errors]
        ) from e
    errors = []
    for field, holder, attribute in _named_parts(world):
        try:
            setattr(holder, attribute, normalise_name(getattr(holder, attribute), ROOM_NAME_MAX))
        except BadName as e:
            errors.append(FieldError(field=field, message=str(e)))
    if errors:
        raise ApiError(422, "A name in the world document cannot be used.", errors)
    if world.template != template:
        raise ApiError(
            422,
            f"The world is for template {world.template!r}, the room is {template!r}.",
            [FieldError(field="world.template", message="does not match the room's template")],
        )
    return to_json(world)


async def store_world(template: str, document: dict, room_id: str, parent: str | None, created_by: str | None,
                      source: str) -> str:
    """Keep a checked world as a new immutable version of the room; its id."""
    world_id = new_id()
    await World.insert(World(id=world_id, template=template, name=document["name"], document=json.dumps(document)))
    await WorldVersion.insert(WorldVersion(id=world_id, room=room_id, parent=parent, created_by=created_by,
                                           source=source))
    return world_id


async def create_room(
    name: str,
    template: str,
    capacity: int,
    public: bool,
    owner: str | None,
    document: dict | None,
    words: Sequence[str] = (),
    work_style: str | None = None,
    timer_hosts_only: bool = False,
) -> dict:
    document = document or to_json(default_world(template))
    room_id = new_id()
    await Room.insert(
        Room(
            id=room_id,
            name=name,
            template=template,
            capacity=capacity,
            public=public,
            owner=owner,
            world=await store_world(template, document, room_id, None, owner, "create"),
            chat_filter=json.dumps(sorted({w.lower() for w in words})),
            work_style=work_style,
            timer_hosts_only=timer_hosts_only,
        )
    )
    return await load_room(room_id)


def _settings_in(data: RoomPatch) -> bool:
    """Whether the patch changes more than the world and its builders (the owner's or an admin's call)."""
    return any(getattr(data, f) is not None for f in data.__struct_fields__ if f not in ("world", "builders"))


def may_manage(caller: Claims, row: dict) -> None:
    if row["owner"] != caller.sub and caller.role != "admin":
        raise ApiError(403, "Only the room's owner or an admin can change it.")


class RoomsController(Controller):
    path = "/rooms"
    tags = ["rooms"]

    @get("/", summary="The room directory: public rooms (and my own), with live occupancy")
    async def list_rooms(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        template: Annotated[str | None, QueryParameter(pattern=r"^(bar|office|focus|world)$")] = None,
        q: Annotated[str | None, QueryParameter(max_length=80)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> RoomPage:
        where = (Room.public == True) | (Room.owner == caller.sub)  # noqa: E712
        if template:
            where &= Room.template == template
        if q:
            escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where &= WhereRaw("lower(name) LIKE {} ESCAPE '\\'", f"%{escaped.lower()}%")
        total = await Room.count().where(where)
        rows = await Room.select().where(where).order_by(Room.created_at, ascending=False).limit(limit).offset(offset)
        counts = await occupancy(services, [r["id"] for r in rows])
        builders = await builders_of([r["id"] for r in rows])
        return RoomPage(items=[room_out(r, n, builders[r["id"]]) for r, n in zip(rows, counts, strict=False)],
                        total=total, limit=limit, offset=offset)

    @post("/", status_code=HTTP_201_CREATED, summary="Create a room from a template (optionally with its own world)")
    async def create(self, caller: NamedDependency[Claims], data: JSONBody[RoomIn]) -> RoomOut:
        document = checked_world(data.world, data.template) if data.world is not None else None
        name = room_name(data.name)
        row = await create_room(
            name,
            data.template,
            data.capacity or DEFAULT_CAPACITY[data.template],
            data.public,
            caller.sub,
            document,
            data.chatFilter,
            data.workStyle,
            data.timerHostsOnly,
        )
        return room_out(row, 0, [])

    @get("/{room_id:str}", summary="A room and its world")
    async def get_room(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], room_id: FromPath[str]
    ) -> RoomDetail:
        row = await load_room(room_id)
        return RoomDetail(**msgspec.structs.asdict(await one_room_out(services, row)), world=await room_world(row),
                          chatFilter=chat_filter(row))

    @patch("/{room_id:str}", summary="Rename, resize, publish/unpublish a room (owner or admin); re-world it (also "
                                     "its builders); choose its builders (owner)")
    async def update(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        room_id: FromPath[str],
        data: JSONBody[RoomPatch],
    ) -> RoomOut:
        row = await load_room(room_id)
        if _settings_in(data):
            may_manage(caller, row)
        if data.world is not None:
            await may_build(caller, row)
        builders_changed = data.builders is not None and await set_builders(caller, row, data.builders)
        changes: dict = {}
        if data.name is not None:
            changes[Room.name] = room_name(data.name)
        if data.capacity is not None:
            changes[Room.capacity] = data.capacity
        if data.public is not None:
            changes[Room.public] = data.public
        if data.world is not None:
            changes[Room.world] = await store_world(row["template"], checked_world(data.world, row["template"]),
                                                    room_id, row["world"], caller.sub, "edit")
        if data.chatFilter is not None:
            changes[Room.chat_filter] = json.dumps(sorted({w.lower() for w in data.chatFilter}))
        if data.workStyle is not None:
            changes[Room.work_style] = data.workStyle
        if data.timerHostsOnly is not None:
            changes[Room.timer_hosts_only] = data.timerHostsOnly
        if data.eventRoom is not None:
            changes[Room.event_room] = data.eventRoom
        if changes:
            await Room.update(changes).where(Room.id == room_id)
            row = await load_room(room_id)
            await publish_setup(services, row, await room_world(row))
        elif builders_changed:
            row = await load_room(room_id)
        return await one_room_out(services, row)

    @delete("/{room_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Close a room for good (owner or admin)")
    async def remove(self, caller: NamedDependency[Claims], room_id: FromPath[str]) -> None:
        row = await load_room(room_id)
        may_manage(caller, row)
        versions = [v["id"] for v in await WorldVersion.select(WorldVersion.id).where(WorldVersion.room == room_id)]
        await RoomBuilder.delete().where(RoomBuilder.room == room_id)
        await Room.delete().where(Room.id == room_id)
        await World.delete().where(World.id.is_in([row["world"], *versions]))
        await WorldVersion.delete().where(WorldVersion.room == room_id)

    @post("/join", status_code=200, summary="Join a room, or quick-join a template (fill rooms first)")
    async def join(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], data: JSONBody[JoinIn]
    ) -> Response[JoinOut]:
        return await join_flow(services, caller, data)


async def join_flow(services: Services, caller: Claims, data: JoinIn) -> Response[JoinOut]:
    """A place held in the room and the tokens and addresses to take it."""
    if data.roomId is not None and data.template is None:
        joining = partial(_join_room, services, caller, data.roomId)
    elif data.template is not None and data.roomId is None:
        joining = partial(_quick_join, services, caller, data.template)
    else:
        raise ApiError(
            422,
            "Give either roomId or template.",
            [FieldError(field="roomId", message="exactly one of roomId and template")],
        )
    region = data.region or services.settings.region
    edge = await services.registry.pick_edge(region)
    if edge is None:
        raise ApiError(503, "No realtime edge node is available; try again shortly.", headers={"Retry-After": "5"})
    row = await joining()
    await remember_room(services, caller.sub, row["id"])
    sfu = await services.registry.sfu_for_room(row["id"], region)
    if sfu is None:
        raise ApiError(503, "No voice node is available; try again shortly.", headers={"Retry-After": "5"})
    world = await room_world(row)
    await publish_setup(services, row, world)
    me = await load_user(caller.sub)  # the name and look as they are now, not as at sign-in
    grant = {"room": row["id"], "platform": data.platform, "role": caller.role, "name": me["display_name"],
             "avatar": look_of(me), "look": worn_look(me)}
    tokens = services.tokens
    return Response(
        JoinOut(
            roomId=row["id"],
            room=await one_room_out(services, row),
            realtimeToken=tokens.issue("realtime", caller.sub, **grant),
            voiceToken=tokens.issue("voice", caller.sub, **grant),
            edgeUrl=edge.url,
            sfuUrl=sfu.url,
            iceServers=ice_servers(services.settings, caller.sub),
            expiresIn=tokens.ttl["realtime"],
            world=world,
        ),
        headers={"Cache-Control": "no-store"},
    )


async def _reserve(services: Services, row: dict, user_id: str, avoid: frozenset[str] = frozenset()) -> bool:
    """Hold a place for the player until the edge sees them connect; False
    (and nothing held) when the room is full or holds someone in ``avoid``."""
    key = keys.room_members(row["id"])
    present = await services.state.members(key)
    if user_id in present:
        return True
    if len(present) >= row["capacity"] or avoid.intersection(present):
        return False
    await services.state.put(key, user_id, b"", services.settings.reservation_s)
    if len(await services.state.members(key)) > row["capacity"]:  # lost a race for the last place
        await services.state.drop(key, user_id)
        return False
    return True


def _banned(ban: dict) -> ApiError:
    if ban["kind"] == "kick":
        back, wait_s = ban["expires_at"], (ban["expires_at"] - datetime.now(UTC)).total_seconds()
        return ApiError(
            403,
            f"A moderator removed you from this room; you may return at {back.isoformat(timespec='seconds')}: "
            f"{ban['reason']}",
            headers={"Retry-After": str(max(1, math.ceil(wait_s)))},
        )
    until = f"until {ban['expires_at'].isoformat()}" if ban["expires_at"] else "permanently"
    where = "from this room" if ban["room"] else "from every room"
    return ApiError(403, f"You are banned {where} {until}: {ban['reason']}")


async def _join_room(services: Services, caller: Claims, room_id: str) -> dict:
    row = await load_room(room_id)
    if (ban := await active_ban(caller.sub, room_id)) is not None:
        raise _banned(ban)
    if not row["public"] and row["owner"] in await blocked_ids(caller.sub):
        raise ApiError(403, "The owner of this private room does not admit you.")
    if not await _reserve(services, row, caller.sub):
        raise ApiError(409, f"The room is full ({row['capacity']} players).")
    return row


async def _quick_join(services: Services, caller: Claims, template: str) -> dict:
    """Fill rooms first, a room where a friend is before any other, focus
    rooms of the player's work style before the rest; never into a room holding someone the player blocked or was
    blocked by, nor one they are banned from. A room made because none had
    space takes the player's work style."""
    bans = await bans_in_force(caller.sub)
    if (ban := ban_for(bans, None)) is not None:
        raise _banned(ban)
    blocked = await blocked_ids(caller.sub)
    avoid = frozenset(blocked)
    style = (await preferences_of(caller.sub)).workStyle if template == "focus" else None
    rows = await Room.select().where((Room.template == template) & (Room.public == True))  # noqa: E712
    by_id = {r["id"]: r for r in rows}
    counts = await occupancy(services, list(by_id))
    friends_in = await friend_rooms(services, caller.sub, blocked)
    candidates = [
        Candidate(r["id"], n, r["capacity"], preferred=style is not None and r["work_style"] == style,
                  friend_here=r["id"] in friends_in)
        for r, n in zip(rows, counts, strict=True)
    ]
    for candidate in fill_order(candidates):
        if ban_for(bans, candidate.room_id) is None and await _reserve(
            services, by_id[candidate.room_id], caller.sub, avoid
        ):
            return by_id[candidate.room_id]
    number = len(rows) + 1
    row = await create_room(
        f"{TEMPLATE_TITLES[template]} #{number}", template, DEFAULT_CAPACITY[template], True, None, None,
        work_style=style,
    )
    await _reserve(services, row, caller.sub)
    return row
