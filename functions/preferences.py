"""A player's preferences: work style, room categories, notifications and
accessibility. Kept as one document: the client reads it at sign-in and
applies it everywhere; quick-join reads the work style."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import msgspec
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from functions.models import Preferences
from functions.tables import UserPreferences
from virtubar.tokens import Claims


async def preferences_of(user_id: str) -> Preferences:
    """The player's preferences; the defaults when they never saved any."""
    row = await UserPreferences.select(UserPreferences.document).where(UserPreferences.user == user_id).first()
    if row is None:
        return Preferences()
    raw = row["document"]
    return msgspec.convert(json.loads(raw) if isinstance(raw, str) else raw, Preferences)


class PreferencesController(Controller):
    path = "/users/preferences"
    tags = ["users"]

    @get("/", summary="My preferences (defaults until I save some)")
    async def read(self, caller: NamedDependency[Claims]) -> Preferences:
        return await preferences_of(caller.sub)

    @put("/", summary="Replace my preferences")
    async def replace(
        self, caller: NamedDependency[Claims], data: JSONBody[Preferences]
    ) -> Preferences:
        document = msgspec.json.encode(data).decode()
        await UserPreferences.insert(UserPreferences(user=caller.sub, document=document)).on_conflict(
            target=UserPreferences.user,
            action="DO UPDATE",
            values=[UserPreferences.document, (UserPreferences.updated_at, datetime.now(UTC))],
        )
        return await preferences_of(caller.sub)
