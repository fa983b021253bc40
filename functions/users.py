"""Profiles: who a player is to others (display name, avatar)."""

from __future__ import annotations

import json
import random

import msgspec
from litestar import Controller, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody

from functions.models import Avatar, ProfilePatch, UserOut
from functions.problems import ApiError, FieldError
from functions.tables import User
from virtubar.names import DISPLAY_NAME_MAX, BadName, avatar_id, normalise_name
from virtubar.tokens import Claims
from virtubar.wire import AvatarLook

_MOODS = ("Mellow", "Sunny", "Quiet", "Brave", "Curious", "Gentle", "Lucky", "Swift", "Cosy", "Jolly")
_ANIMALS = ("Otter", "Fox", "Heron", "Panda", "Lynx", "Koala", "Robin", "Badger", "Seal", "Moth")


def friendly_name() -> str:
    return f"{random.choice(_MOODS)} {random.choice(_ANIMALS)} {random.randint(10, 99)}"


def checked_name(value: str, field: str = "displayName", max_length: int = DISPLAY_NAME_MAX) -> str:
    """A name as it enters: normalised, or 422 naming the field and why."""
    try:
        return normalise_name(value, max_length)
    except BadName as e:
        raise ApiError(422, f"This name cannot be used: it {e}.", [FieldError(field=field, message=str(e))]) from e


def stored_avatar(row: dict) -> Avatar:
    """The player's avatar; the default one if what is stored predates a
    check it now fails (a colour with a trailing newline)."""
    avatar = row["avatar"]
    if isinstance(avatar, str):
        avatar = json.loads(avatar or "{}")
    try:
        return msgspec.convert(avatar or {}, Avatar)
    except msgspec.ValidationError:
        return Avatar()


def look_of(row: dict) -> str:
    """The avatar id the room shows for this player (carried by the realtime token)."""
    avatar = stored_avatar(row)
    return avatar_id(avatar.model, avatar.colors.body, avatar.colors.accent)


def worn_look(row: dict) -> AvatarLook:
    """The whole look the player wears; before they chose one, the look of
    their older avatar (its model and two colours), so nobody changes face."""
    stored = row.get("avatar_config")
    if isinstance(stored, str):
        stored = json.loads(stored or "null")
    if stored:
        try:
            return msgspec.convert(stored, AvatarLook)
        except msgspec.ValidationError:
            pass  # written under an older catalogue: the older avatar's look instead
    avatar = stored_avatar(row)
    return AvatarLook(body=avatar.model, outfitColour=avatar.colors.body.lower(),
                      hatColour=avatar.colors.accent.lower(), hat="cap" if "hat" in avatar.accessories else "none")


def user_out(row: dict) -> UserOut:
    return UserOut(
        id=row["id"],
        displayName=row["display_name"],
        username=row["username"],
        anonymous=row["anonymous"],
        role=row["role"],
        avatar=stored_avatar(row),
        look=worn_look(row),
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
            changes[User.display_name] = checked_name(data.displayName)
        if data.avatar is not None:
            changes[User.avatar] = msgspec.json.encode(data.avatar).decode()
        if changes:
            await User.update(changes).where(User.id == caller.sub)
        return user_out(await load_user(caller.sub))
