"""A room's playlists (its owner and moderators keep them): ordered tracks
of the room's library; the default one is what the jukebox plays when
nobody has queued anything (mirrored for the edge, ``functions.tracks``)."""

from __future__ import annotations

import json

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from functions.context import Services
from functions.models import PlaylistIn, PlaylistOut, PlaylistPage, PlaylistPatch
from functions.problems import ApiError, FieldError, found
from functions.rooms import load_room, room_name
from functions.security import new_id
from functions.tables import Playlist
from functions.tracks import library, may_host_music, publish_catalog
from virtubar.tokens import Claims


def playlist_out(row: dict) -> PlaylistOut:
    tracks = json.loads(row["tracks"]) if isinstance(row["tracks"], str) else row["tracks"]
    return PlaylistOut(id=row["id"], roomId=row["room"], name=row["name"], trackIds=tracks,
                       default=row["is_default"], createdAt=row["created_at"])


async def _hosted(caller: Claims, room_id: str) -> dict:
    room = await load_room(room_id)
    if not await may_host_music(caller, room):
        raise ApiError(403, "Only the room's owner and moderators keep its playlists.")
    return room


async def _checked_tracks(room_id: str, track_ids: list[str]) -> str:
    """The ids as stored, or 422 naming each one that is not in the room's library."""
    known = {r["id"] for r in await library(room_id)}
    errors = [FieldError(field=f"trackIds[{i}]", message="not a track of this room's library")
              for i, t in enumerate(track_ids) if t not in known]
    if errors:
        raise ApiError(422, "A playlist holds only tracks of the room's library.", errors)
    return json.dumps(track_ids)


async def _only_default(room_id: str, playlist_id: str) -> None:
    await Playlist.update({Playlist.is_default: False}).where(
        (Playlist.room == room_id) & (Playlist.id != playlist_id)
    )


async def _load(room_id: str, playlist_id: str) -> dict:
    row = await Playlist.select().where((Playlist.id == playlist_id) & (Playlist.room == room_id)).first()
    return found(row, "No such playlist in this room.")


class PlaylistsController(Controller):
    path = "/rooms/{room_id:str}/playlists"
    tags = ["music"]

    @get("/", summary="The room's playlists")
    async def list_playlists(self, caller: NamedDependency[Claims], room_id: FromPath[str]) -> PlaylistPage:
        await load_room(room_id)
        rows = await Playlist.select().where(Playlist.room == room_id).order_by(Playlist.created_at)
        return PlaylistPage(items=[playlist_out(r) for r in rows])

    @post("/", status_code=HTTP_201_CREATED, summary="Make a playlist (owner or moderators)")
    async def create(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], room_id: FromPath[str],
        data: JSONBody[PlaylistIn],
    ) -> PlaylistOut:
        await _hosted(caller, room_id)
        playlist_id = new_id()
        async with services.db.transaction():
            await Playlist.insert(Playlist(id=playlist_id, room=room_id, name=room_name(data.name),
                                           tracks=await _checked_tracks(room_id, data.trackIds),
                                           is_default=data.default))
            if data.default:
                await _only_default(room_id, playlist_id)
        await publish_catalog(services, room_id)
        return playlist_out(await _load(room_id, playlist_id))

    @patch("/{playlist_id:str}", summary="Rename, reorder or make default (owner or moderators)")
    async def update(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], room_id: FromPath[str],
        playlist_id: FromPath[str], data: JSONBody[PlaylistPatch],
    ) -> PlaylistOut:
        await _hosted(caller, room_id)
        await _load(room_id, playlist_id)
        changes: dict = {}
        if data.name is not None:
            changes[Playlist.name] = room_name(data.name)
        if data.trackIds is not None:
            changes[Playlist.tracks] = await _checked_tracks(room_id, data.trackIds)
        if data.default is not None:
            changes[Playlist.is_default] = data.default
        async with services.db.transaction():
            if changes:
                await Playlist.update(changes).where(Playlist.id == playlist_id)
            if data.default:
                await _only_default(room_id, playlist_id)
        await publish_catalog(services, room_id)
        return playlist_out(await _load(room_id, playlist_id))

    @delete("/{playlist_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Remove a playlist (owner or moderators)")
    async def remove(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], room_id: FromPath[str],
        playlist_id: FromPath[str],
    ) -> None:
        await _hosted(caller, room_id)
        await _load(room_id, playlist_id)
        await Playlist.delete().where(Playlist.id == playlist_id)
        await publish_catalog(services, room_id)
