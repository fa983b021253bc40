"""A room's music library: upload tracks (type and duration read from the
bytes, ``functions.trackfiles``), list them, play them (immutable, long
cache, byte ranges), and who may add music.

The edge cannot read the database, yet its jukebox must know each track's
real duration (a client's word never counts): the library of a room is
mirrored in shared state (``keys.room_music``) whenever it changes and
whenever a player reads it, which is what the jukebox panel does when it
opens; a mirror lost with the shared state is so rebuilt on the next read.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Stream
from litestar.status_codes import HTTP_201_CREATED

from functions.context import Services
from functions.models import MusicSettings, TrackIn, TrackOut, TrackPage, TrackUpload
from functions.moderation import STAFF, current_role
from functions.problems import ApiError, found
from functions.rooms import load_room
from functions.sanctions import active_ban
from functions.security import new_id
from functions.tables import EvidenceUpload, Playlist, Room, Track
from functions.trackfiles import TICKET_TTL_S, LocalTracks
from functions.uploads import _spend
from functions.users import checked_name
from virtubar import keys, wire
from virtubar.tokens import Claims

CATALOG_TTL_S = 24 * 3600
_CACHED = "public, max-age=31536000, immutable"  # a track id never names other bytes
_CHUNK = 64 * 1024
_REFUSED = (413, 415)  # the file is what is wrong: the track is dropped, not left pending
UNFINISHED_S = 2 * TICKET_TTL_S
"""A pending track this old is dropped: its ticket ran out, and an upload begun at its last second had as long again."""


def track_out(row: dict, public_url: str) -> TrackOut:
    return TrackOut(
        id=row["id"],
        roomId=row["room"],
        title=row["title"],
        status=row["status"],
        contentType=row["content_type"],
        durationMs=row["duration_ms"],
        size=row["size"],
        uploaderId=row["uploader"],
        url=f"{public_url}/api/tracks/{row['id']}/audio",
        createdAt=row["created_at"],
    )


async def may_host_music(caller: Claims, room: dict) -> bool:
    """The room's owner and moderators run its music."""
    return room["owner"] == caller.sub or await current_role(caller) in STAFF


async def _may_add(services: Services, caller: Claims, room: dict) -> None:
    """Hosts add music; any member of the room too, if the room allows it."""
    if await may_host_music(caller, room):
        return
    if not room.get("members_add_tracks"):
        raise ApiError(403, "In this room only its owner and moderators add music.")
    present = await services.state.members(keys.room_members(room["id"]))
    if caller.sub not in present or await active_ban(caller.sub, room["id"]) is not None:
        raise ApiError(403, "Only members in the room can add music to it.")


async def library(room_id: str) -> list[dict]:
    """The ready tracks a room plays: its own and the house tracks."""
    return await Track.select().where(
        (Track.status == "ready") & ((Track.room == room_id) | Track.room.is_null())
    ).order_by(Track.created_at)


async def publish_catalog(services: Services, room_id: str) -> list[dict]:
    """Mirror the room's library and default playlist for the edge's jukebox."""
    rows = await library(room_id)
    key = keys.room_music(room_id)
    for row in rows:
        info = wire.TrackInfo(trackId=row["id"], title=row["title"], durationMs=row["duration_ms"],
                              uploaderId=row["uploader"])
        await services.state.put(key, keys.music_track(row["id"]), msgspec.json.encode(info), CATALOG_TTL_S)
    default = await Playlist.select(Playlist.tracks).where(
        (Playlist.room == room_id) & (Playlist.is_default == True)  # noqa: E712
    ).first()
    order = default["tracks"] if default else []
    order = msgspec.json.decode(order) if isinstance(order, str) else order
    await services.state.put(key, keys.MUSIC_PLAYLIST, msgspec.json.encode(order), CATALOG_TTL_S)
    return rows


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) bytes a ``Range`` header asks for, None for the
    whole file; 416 when it asks for none of it."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            start, end = max(size - int(last), 0), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None
    if start > end or start >= size:
        raise ApiError(416, "The range asked for is outside the track.", headers={"Content-Range": f"bytes */{size}"})
    return start, end


async def _read(path: Path, start: int, end: int) -> AsyncIterator[bytes]:
    with open(path, "rb") as f:
        f.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = f.read(min(_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def _local(services: Services) -> LocalTracks:
    if not isinstance(services.tracks, LocalTracks):
        raise ApiError(404, "Tracks are uploaded to object storage in this deployment.")
    return services.tracks


async def _ready(services: Services, track: dict, content_type: str, duration_ms: int) -> TrackOut:
    await Track.update({Track.status: "ready", Track.content_type: content_type, Track.duration_ms: duration_ms}).where(
        Track.id == track["id"]
    )
    if track["room"]:
        await publish_catalog(services, track["room"])
    row = found(await Track.select().where(Track.id == track["id"]).first(), "No such track.")
    return track_out(row, services.settings.public_url)


async def drop_track(services: Services, track_id: str) -> None:
    """Remove a track that never became ready: its row and any bytes (a
    ready track is immutable and stays)."""
    pending = (Track.id == track_id) & (Track.status == "pending")
    if await Track.exists().where(pending):
        await Track.delete().where(pending)
        await services.tracks.forget(track_id)


async def drop_unfinished(services: Services, now: datetime | None = None) -> int:
    """Remove the uploads begun and never finished (the API's housekeeping).
    Returns how many were dropped."""
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=UNFINISHED_S)
    rows = await Track.select(Track.id).where((Track.status == "pending") & (Track.created_at < cutoff))
    for row in rows:
        await drop_track(services, row["id"])
    return len(rows)


async def _pending(track_id: str) -> dict:
    row = await Track.select().where(Track.id == track_id).first() if len(track_id) == 32 else None
    if row is None:
        raise ApiError(404, "No such track.")
    return row


class RoomTracksController(Controller):
    path = "/rooms/{room_id:str}"
    tags = ["music"]

    @get("/tracks", summary="The room's music library (its tracks and the house tracks)")
    async def list_tracks(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], room_id: FromPath[str]
    ) -> TrackPage:
        await load_room(room_id)
        rows = await publish_catalog(services, room_id)
        return TrackPage(items=[track_out(r, services.settings.public_url) for r in rows])

    @post("/tracks", status_code=HTTP_201_CREATED, summary="Start uploading a track (hosts; members if allowed)")
    async def add_track(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        room_id: FromPath[str],
        data: JSONBody[TrackIn],
    ) -> TrackUpload:
        room = await load_room(room_id)
        await _may_add(services, caller, room)
        limit = services.settings.track_max_bytes
        if data.size > limit:
            raise ApiError(413, f"A track may be at most {limit} bytes.")
        row = Track(id=new_id(), room=room_id, uploader=caller.sub, title=checked_name(data.title, "title"),
                    size=data.size)
        await Track.insert(row)
        upload = await services.tracks.ticket(row.id, limit)
        created = found(await Track.select().where(Track.id == row.id).first(), "No such track.")
        return TrackUpload(track=track_out(created, services.settings.public_url), upload=upload)

    @patch("/music", summary="Whether any member may add music to the room (owner or moderators)")
    async def settings(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        room_id: FromPath[str],
        data: JSONBody[MusicSettings],
    ) -> MusicSettings:
        room = await load_room(room_id)
        if not await may_host_music(caller, room):
            raise ApiError(403, "Only the room's owner and moderators run its music.")
        await Room.update({Room.members_add_tracks: data.membersAddTracks}).where(Room.id == room_id)
        return data


class TracksController(Controller):
    path = "/tracks"
    tags = ["music"]

    @put(
        "/{track_id:str}/file",
        request_max_body_size=None,  # held to the ticket's size while streaming
        summary="Upload a track's file with its signed ticket, once (embedded)",
    )
    async def upload(
        self,
        request: Request,
        services: NamedDependency[Services],
        track_id: FromPath[str],
        max_bytes: Annotated[int, QueryParameter(name="max", ge=1)],
        expires: Annotated[int, QueryParameter(name="exp")],
        sig: Annotated[str, QueryParameter(max_length=64)],
    ) -> TrackOut:
        store = _local(services)
        if not store.valid(track_id, max_bytes, expires, sig):
            raise ApiError(403, "The upload ticket is not valid or has expired.")
        track = await _pending(track_id)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            await drop_track(services, track_id)
            raise ApiError(413, f"The file is larger than {max_bytes} bytes.")
        spent = f"tracks/{track_id}"
        await _spend(spent, "track")
        try:
            content_type, duration_ms = await store.receive(track_id, max_bytes, request.stream())
        except ApiError as e:
            await _unspend(spent)
            if e.status_code in _REFUSED:
                await drop_track(services, track_id)
            raise
        except Exception:
            await _unspend(spent)  # a broken connection: the ticket may be tried again
            raise
        return await _ready(services, track, content_type, duration_ms)

    @post("/{track_id:str}/done", status_code=200, summary="Finish an upload to object storage (cloud)")
    async def done(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], track_id: FromPath[str]
    ) -> TrackOut:
        track = await _pending(track_id)
        if track["uploader"] != caller.sub:
            raise ApiError(403, "Only the uploader finishes a track's upload.")
        if track["status"] == "ready":
            return track_out(track, services.settings.public_url)
        try:
            content_type, duration_ms = await services.tracks.received(track_id)
        except ApiError as e:
            if e.status_code in _REFUSED:
                await drop_track(services, track_id)
            raise
        return await _ready(services, track, content_type, duration_ms)

    @get("/{track_id:str}/audio", summary="Play a track (byte ranges; cached for good)", security=[{}])
    async def audio(self, request: Request, services: NamedDependency[Services], track_id: FromPath[str]) -> Response:
        track = await _pending(track_id)
        ready = track["status"] == "ready"
        where = await services.tracks.where(track_id, track["content_type"] or "") if ready else None
        if where is None:
            raise ApiError(404, "No such track.")
        if isinstance(where, str):
            return Redirect(where, status_code=307, headers={"Cache-Control": "private, max-age=3600"})
        size = os.path.getsize(where)
        wanted = byte_range(request.headers.get("range"), size)
        start, end = wanted or (0, size - 1)
        headers = {
            "Cache-Control": _CACHED,
            "Accept-Ranges": "bytes",
            "Content-Length": str(end - start + 1),
            "ETag": f'"{track_id}"',
            "X-Content-Type-Options": "nosniff",
        }
        if wanted is not None:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Stream(_read(where, start, end), status_code=206 if wanted else 200,
                      media_type=track["content_type"], headers=headers)


async def _unspend(key: str) -> None:
    await EvidenceUpload.delete().where(EvidenceUpload.key == key)
