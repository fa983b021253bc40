"""A room's worlds as immutable versions: Tiled map import, the list of
versions, rollback, and the assets (tileset images) the worlds draw with.

Every save of a room's world (creating the room, ``PATCH /api/rooms/{id}``
with a world, an import) is a new version (``rooms.store_world``); a restore
points the room back at an older one. Either way the world is republished
(``rooms.publish_setup``), and the edge switches the live room over
(``docs/worlds.md``). Conventions for maps are in ``docs/worlds.md``.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePath
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from functions.assets import ASSET_ID, served_type
from functions.builders import may_build
from functions.context import Services
from functions.models import WorldImportOut, WorldVersionOut, WorldVersionPage
from functions.problems import ApiError, FieldError, found
from functions.rooms import checked_world, load_room, publish_setup, room_world, store_world
from functions.tables import Room, World, WorldVersion
from functions.tiled import Limits, MapError, convert
from functions.tiledfiles import read_map
from virtubar.tokens import Claims

IMPORT_CEILING = 256 * 1024 * 1024
"""What Litestar reads of an import at most; ``VIRTUBAR_MAP_MAX_BYTES`` is checked below it."""
_CACHED = "public, max-age=31536000, immutable"  # an asset id is the hash of its bytes


def version_out(row: dict, name: str, current: str) -> WorldVersionOut:
    return WorldVersionOut(id=row["id"], roomId=row["room"], name=name, source=row["source"],
                           current=row["id"] == current, createdAt=row["created_at"], parentId=row["parent"],
                           createdById=row["created_by"])


async def _version(room: dict, version_id: str) -> WorldVersionOut:
    row = await WorldVersion.select().where(
        (WorldVersion.id == version_id) & (WorldVersion.room == room["id"])).first() if len(version_id) == 32 else None
    if row is None:
        raise ApiError(404, "No such world version of this room.")
    world = found(await World.select(World.name).where(World.id == version_id).first(), "No such world version.")
    return version_out(row, world["name"], room["world"])


def _map_problem(e: MapError) -> ApiError:
    return ApiError(422, "The map cannot be imported; nothing was saved.",
                    [FieldError(field=part, message=why) for part, why in e.problems])


async def _uploads(request: Request, limit: int) -> tuple[str, bytes, dict[str, bytes]]:
    """(map name, map bytes, other files by name) of a multipart import."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"A map import may be at most {limit} bytes (the map, tilesets and images together).")
    form = await request.form()
    the_map: tuple[str, bytes] | None = None
    files: dict[str, bytes] = {}
    total = 0
    for key, value in form.multi_items():
        if not isinstance(value, UploadFile) or key not in ("map", "files"):
            raise ApiError(422, "Send the map as 'map' and its tilesets and images as 'files'.",
                           [FieldError(field=key, message="not a file field of a map import")])
        name = PurePath((value.filename or "").replace("\\", "/")).name
        data = await value.read()
        total += len(data)
        if total > limit:
            raise ApiError(413, f"A map import may be at most {limit} bytes (the map, tilesets and images together).")
        if key == "map":
            the_map = (name, data)
        elif name in files:
            raise ApiError(422, "Two files have one name.", [FieldError(field=f"file {name!r}", message="sent twice")])
        else:
            files[name] = data
    if the_map is None:
        raise ApiError(422, "No map was sent.", [FieldError(field="map", message="a .tmj or .tmx file is required")])
    return the_map[0], the_map[1], files


class WorldController(Controller):
    path = "/rooms/{room_id:str}/world"
    tags = ["worlds"]

    @post("/import", status_code=HTTP_201_CREATED, request_max_body_size=IMPORT_CEILING,
          summary="Import a Tiled map (.tmj or .tmx; tilesets and images alongside) as the room's world "
                  "(owner, admin, builder)")
    async def import_map(
        self, request: Request, services: NamedDependency[Services], caller: NamedDependency[Claims],
        room_id: FromPath[str],
    ) -> WorldImportOut:
        room = await load_room(room_id)
        await may_build(caller, room)
        settings = services.settings
        map_name, map_data, files = await _uploads(request, settings.map_max_bytes)
        limits = Limits(tiles=settings.map_max_tiles, objects=settings.map_max_objects,
                        asset_bytes=settings.asset_max_bytes)
        try:
            tiled, images = await asyncio.to_thread(read_map, map_name, map_data, files)
            converted = convert(tiled, images, room["template"], PurePath(map_name).stem, limits)
        except MapError as e:
            raise _map_problem(e) from e
        document = checked_world(converted.world, room["template"])
        for sha, (data, content_type) in converted.assets.items():
            await services.assets.put(sha, data, content_type)  # content-addressed: a failed save leaves no wrong bytes
        async with services.db.transaction():
            version_id = await store_world(room["template"], document, room_id, room["world"], caller.sub, "import")
            await Room.update({Room.world: version_id}).where(Room.id == room_id)
        room = await load_room(room_id)
        await publish_setup(services, room, await room_world(room))
        return WorldImportOut(version=await _version(room, version_id), world=document,
                              assets=sorted(converted.assets))

    @get("/versions", summary="The room's saved worlds, newest first (owner, admin, builder)")
    async def versions(
        self, caller: NamedDependency[Claims], room_id: FromPath[str],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> WorldVersionPage:
        room = await load_room(room_id)
        await may_build(caller, room)
        where = WorldVersion.room == room_id
        total = await WorldVersion.count().where(where)
        rows = await WorldVersion.select().where(where).order_by(WorldVersion.created_at, ascending=False) \
            .limit(limit).offset(offset)
        names = {w["id"]: w["name"] for w in await World.select(World.id, World.name)
                 .where(World.id.is_in([r["id"] for r in rows] or [""]))}
        return WorldVersionPage(items=[version_out(r, names.get(r["id"], ""), room["world"]) for r in rows],
                                total=total, limit=limit, offset=offset)

    @post("/versions/{version_id:str}/restore", status_code=200,
          summary="Make an older saved world the room's world again; a live room switches over (owner, admin, builder)")
    async def restore(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], room_id: FromPath[str],
        version_id: FromPath[str],
    ) -> WorldVersionOut:
        room = await load_room(room_id)
        await may_build(caller, room)
        await _version(room, version_id)
        await Room.update({Room.world: version_id}).where(Room.id == room_id)
        room = await load_room(room_id)
        await publish_setup(services, room, await room_world(room))
        return await _version(room, version_id)


class AssetsController(Controller):
    path = "/assets"
    tags = ["worlds"]

    @get("/{asset_id:str}", summary="A world asset (a tileset image) by its sha256; cached for good", security=[{}])
    async def asset(self, services: NamedDependency[Services], asset_id: FromPath[str]) -> Response[bytes]:
        data = await services.assets.get(asset_id) if ASSET_ID.match(asset_id) else None
        if data is None:
            raise ApiError(404, "No such asset.")
        return Response(data, media_type=served_type(data), headers={
            "Cache-Control": _CACHED, "ETag": f'"{asset_id}"', "X-Content-Type-Options": "nosniff"})
