"""Rooms and people in the REST shapes other clients expect: who is in a
room now (from presence, as the edge writes it), joining and leaving a room
by its path, a player's public profile, and the caller's session."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath
from litestar.status_codes import HTTP_204_NO_CONTENT
from msgspec import Meta, Struct

from functions.context import Services
from functions.models import Avatar, JoinIn, JoinOut, UserOut
from functions.problems import ApiError
from functions.rooms import join_flow, load_room
from functions.sanctions import blocked_ids
from functions.users import load_user, stored_avatar, user_out
from virtubar import keys, wire
from virtubar.tokens import Claims

_MEMBER = msgspec.json.Decoder(wire.Member)


class RoomMemberOut(Struct, kw_only=True):
    userId: str
    displayName: str
    avatarId: str
    zoneId: str | None = None
    status: wire.Status | None = None


class RoomJoinIn(Struct, kw_only=True, forbid_unknown_fields=True):
    platform: wire.Platform = "desktop"
    region: Annotated[str, Meta(pattern=r"^[a-z0-9-]{1,32}$")] | None = None


class PublicProfile(Struct, kw_only=True):
    """What any signed-in player may see of another: nothing private (no
    username, email, role)."""

    id: str
    displayName: str
    avatar: Avatar
    anonymous: bool
    deleted: bool


class SessionInfo(Struct, kw_only=True):
    user: UserOut
    issuedAt: datetime
    expiresAt: datetime
    expiresIn: int


def members_of(present: dict[str, bytes], hidden: set[str]) -> list[RoomMemberOut]:
    """The connected members (a held place not yet taken has no data), less ``hidden``."""
    found = []
    for user_id, data in present.items():
        if not data or user_id in hidden:
            continue
        try:
            m = _MEMBER.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            continue
        found.append(RoomMemberOut(userId=m.userId, displayName=m.displayName, avatarId=m.avatarId,
                                   zoneId=m.zoneId, status=m.status))
    return sorted(found, key=lambda m: m.displayName.casefold())


class RoomPeopleController(Controller):
    path = "/rooms/{room_id:str}"
    tags = ["rooms"]

    @get("/users", summary="Who is in the room now (players I blocked, or who blocked me, left out)")
    async def users(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], room_id: FromPath[str]
    ) -> list[RoomMemberOut]:
        await load_room(room_id)
        present = await services.state.members(keys.room_members(room_id))
        return members_of(present, await blocked_ids(caller.sub))

    @post("/join", status_code=200, summary="Join this room (as POST /api/rooms/join with its roomId)")
    async def join(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        room_id: FromPath[str],
        data: Annotated[RoomJoinIn | None, Body()] = None,
    ) -> Response[JoinOut]:
        given = data or RoomJoinIn()
        return await join_flow(services, caller, JoinIn(roomId=room_id, platform=given.platform, region=given.region))

    @post("/leave", status_code=HTTP_204_NO_CONTENT, summary="Give up my place in this room")
    async def leave(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], room_id: FromPath[str]
    ) -> None:
        """A place held by a join and not yet taken is freed at once; a
        connected member's socket is what keeps them in (closing it leaves)."""
        await load_room(room_id)
        key = keys.room_members(room_id)
        if (await services.state.members(key)).get(caller.sub) == b"":
            await services.state.drop(key, caller.sub)


class PeopleController(Controller):
    tags = ["users"]
    path = "/"

    @get("/users/{user_id:str}", summary="A player's public profile")
    async def profile(self, caller: NamedDependency[Claims], user_id: FromPath[str]) -> PublicProfile:
        row = await load_user(user_id) if len(user_id) == 32 else None
        if row is None:
            raise ApiError(404, "No such user.")
        return PublicProfile(id=row["id"], displayName=row["display_name"], avatar=stored_avatar(row),
                             anonymous=row["anonymous"], deleted=row["deleted_at"] is not None)

    @get("/auth/session", summary="Who am I, and when my access token expires")
    async def session(self, caller: NamedDependency[Claims]) -> SessionInfo:
        expires = datetime.fromtimestamp(caller.exp, UTC)
        return SessionInfo(
            user=user_out(await load_user(caller.sub)),
            issuedAt=datetime.fromtimestamp(caller.iat, UTC),
            expiresAt=expires,
            expiresIn=max(0, int((expires - datetime.now(UTC)).total_seconds())),
        )
