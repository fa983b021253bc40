"""Profiles: who a player is to others (display name, avatar)."""

from __future__ import annotations

import json
import random

import msgspec
from litestar import Controller, get, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from functions.models import Avatar, ProfilePatch, UserOut
from functions.problems import ApiError
from functions.tables import User
from virtubar.tokens import Claims

_MOODS = ("Mellow", "Sunny", "Quiet", "Brave", "Curious", "Gentle", "Lucky", "Swift", "Cosy", "Jolly")
_ANIMALS = ("Otter", "Fox", "Heron", "Panda", "Lynx", "Koala", "Robin", "Badger", "Seal", "Moth")


def friendly_name() -> str:
    return f"{random.choice(_MOODS)} {random.choice(_ANIMALS)} {random.randint(10, 99)}"


def user_out(row: dict) -> UserOut:
    avatar = row["avatar"]
    if isinstance(avatar, str):
        avatar = json.loads(avatar or "{}")
    return UserOut(
        id=row["id"],
        displayName=row["display_name"],
        username=row["username"],
        anonymous=row["anonymous"],
        role=row["role"],
        avatar=msgspec.convert(avatar or {}, Avatar),
    )


async def load_user(user_id: str) -> dict:
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        raise ApiError(404, "No such user.")
    return row


class UsersController(Controller):
    path = "/users"
    tags = ["users"]

    @get("/me", summary="My profile")
    async def me(self, caller: NamedDependency[Claims]) -> UserOut:
        return user_out(await load_user(caller.sub))

    @patch("/me", summary="Change my display name or avatar")
    async def update_me(self, caller: NamedDependency[Claims], data: JSONBody[ProfilePatch]) -> UserOut:
        await load_user(caller.sub)
        changes: dict = {}
        if data.displayName is not None:
            changes[User.display_name] = data.displayName.strip() or friendly_name()
        if data.avatar is not None:
            changes[User.avatar] = msgspec.json.encode(data.avatar).decode()
        if changes:
            await User.update(changes).where(User.id == caller.sub)
        return user_out(await load_user(caller.sub))

    @get("/{user_id:str}", summary="A player's public profile")
    async def get_user(self, caller: NamedDependency[Claims], user_id: FromPath[str]) -> UserOut:
        return user_out(await load_user(user_id))
