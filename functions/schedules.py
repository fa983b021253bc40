"""Scheduled focus sessions: a room's host schedules one (start time,
work/break cycle, number of cycles, capacity, title), players see the
upcoming ones and RSVP, and at the start the room's timer starts by itself.

The functions answer requests and keep no process awake until a start
time, so they hand each session to the edge in shared state
(``keys.room_schedule``, expiring when the session ends): the edge node
hosting the room starts its timer when due (``realtime_edge/features/timer.py``).

Shared state can lose that copy (a Redis FLUSHALL or failover, a restart of
the embedded mode). Like the sanctions (``virtubar/moderation.py``), a
marker (``focus.SCHEDULE_LOADED``) goes with it: every schedule request
checks it and, when it is gone, hands every session not yet over to the
edge again. The players who took a place have the app open and read the
schedule each minute (``client/src/focus/scheduleAlerts.ts``), so the copy
is back within a minute, with no new RSVP needed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from functions.context import Services
from functions.db import is_unique_violation
from functions.models import ScheduledOut, ScheduleIn, SchedulePage
from functions.problems import ApiError, FieldError, found
from functions.rooms import load_room
from functions.security import new_id
from functions.tables import Room, Rsvp, ScheduledSession
from virtubar import keys
from virtubar.focus import LOADED_TTL_S, SCHEDULE_LOADED, ScheduledTimer, phases
from virtubar.tokens import Claims

MAX_AHEAD = timedelta(days=90)
EARLIEST_START = timedelta(seconds=-60)
"""A start a minute in the past is taken as "now" (a clock a little behind)."""


def _length(duration: int, break_duration: int | None, cycles: int) -> timedelta:
    return timedelta(minutes=sum(m for _, m in phases(duration, break_duration, cycles)))


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


async def _mirror(services: Services, row: dict) -> None:
    """The session for the edge, until it ends."""
    left = (row["ends_at"] - datetime.now(UTC)).total_seconds()
    if left <= 0:
        return
    session = ScheduledTimer(id=row["id"], startsAtMs=_ms(row["starts_at"]), duration=row["duration"],
                             breakDuration=row["break_duration"], cycles=row["cycles"], title=row["title"])
    await services.state.put(keys.room_schedule(row["room"]), row["id"], msgspec.json.encode(session), left)


async def ensure_mirrored(services: Services) -> bool:
    """Hand every session not yet over to the edge again, unless the marker
    says shared state holds them; whether it did."""
    if await services.state.members(SCHEDULE_LOADED):
        return False
    rows = await ScheduledSession.select().where(ScheduledSession.ends_at > datetime.now(UTC))
    for row in rows:
        await _mirror(services, row)
    await services.state.put(SCHEDULE_LOADED, "generation", datetime.now(UTC).isoformat().encode(), LOADED_TTL_S)
    return True


async def _out(rows: list[dict], caller: str) -> list[ScheduledOut]:
    ids = [r["id"] for r in rows]
    places = await Rsvp.select(Rsvp.session, Rsvp.user).where(Rsvp.session.is_in(ids)) if ids else []
    going = {i: 0 for i in ids}
    mine = set()
    for p in places:
        going[p["session"]] += 1
        if p["user"] == caller:
            mine.add(p["session"])
    return [ScheduledOut(id=r["id"], roomId=r["room"], roomName=r["room.name"], hostId=r["host"], title=r["title"],
                         startsAt=r["starts_at"], endsAt=r["ends_at"], duration=r["duration"],
                         breakDuration=r["break_duration"], cycles=r["cycles"], capacity=r["capacity"],
                         going=going[r["id"]], attending=r["id"] in mine) for r in rows]


async def _load(session_id: str) -> dict:
    row = await ScheduledSession.select(*ScheduledSession.all_columns(), ScheduledSession.room.name).where(
        ScheduledSession.id == session_id).first() if len(session_id) == 32 else None
    return found(row, "No such scheduled session.")


class SchedulesController(Controller):
    path = "/schedule"
    tags = ["focus"]

    @post("/", status_code=HTTP_201_CREATED, summary="Schedule a focus session in a focus room (its owner or an admin)")
    async def create(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                     data: JSONBody[ScheduleIn]) -> ScheduledOut:
        room = await load_room(data.roomId)
        if room["template"] != "focus":
            raise ApiError(422, "Sessions are scheduled in focus rooms.",
                           [FieldError(field="roomId", message="not a focus room")])
        if room["owner"] != caller.sub and caller.role != "admin":
            raise ApiError(403, "Only the room's owner hosts its scheduled sessions.")
        now = datetime.now(UTC)
        if not now + EARLIEST_START <= data.startsAt <= now + MAX_AHEAD:
            raise ApiError(422, "A session starts between now and 90 days from now.",
                           [FieldError(field="startsAt", message="in the past or too far ahead")])
        capacity = data.capacity or room["capacity"]
        if capacity > room["capacity"]:
            raise ApiError(422, f"The room holds {room['capacity']} players.",
                           [FieldError(field="capacity", message="more than the room holds")])
        starts = max(data.startsAt, now)
        break_duration = data.breakDuration if data.cycles > 1 else None
        session_id = new_id()
        await ScheduledSession.insert(ScheduledSession(
            id=session_id, room=room["id"], host=caller.sub, title=data.title.strip(), starts_at=starts,
            ends_at=starts + _length(data.duration, break_duration, data.cycles), duration=data.duration,
            break_duration=break_duration, cycles=data.cycles, capacity=capacity))
        row = await _load(session_id)
        if not await ensure_mirrored(services):
            await _mirror(services, row)
        return (await _out([row], caller.sub))[0]

    @get("/", summary="Upcoming and running scheduled sessions, soonest first (of one room, or all public rooms)")
    async def upcoming(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        roomId: Annotated[str | None, QueryParameter(pattern=r"^[0-9a-f]{32}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> SchedulePage:
        await ensure_mirrored(services)
        where = ScheduledSession.ends_at > datetime.now(UTC)
        where &= ScheduledSession.room == roomId if roomId else ScheduledSession.room.public == True  # noqa: E712
        rows = await ScheduledSession.select(*ScheduledSession.all_columns(), ScheduledSession.room.name).where(
            where).order_by(ScheduledSession.starts_at).limit(limit)
        return SchedulePage(items=await _out(rows, caller.sub))

    @post("/{session_id:str}/rsvp", status_code=200, summary="Take a place in a scheduled session")
    async def rsvp(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                   session_id: FromPath[str]) -> ScheduledOut:
        row = await _load(session_id)
        if row["ends_at"] <= datetime.now(UTC):
            raise ApiError(409, "That session is over.")
        async with services.db.transaction():
            taken = await Rsvp.count().where(Rsvp.session == session_id)
            mine = await Rsvp.exists().where(Rsvp.id == session_id + caller.sub)
            if not mine and taken >= row["capacity"]:
                raise ApiError(409, f"The session is full ({row['capacity']} places).")
            if not mine:
                try:
                    await Rsvp.insert(Rsvp(id=session_id + caller.sub, session=session_id, user=caller.sub))
                except Exception as e:
                    if not is_unique_violation(e):
                        raise
        await ensure_mirrored(services)  # shared state may have lost it
        return (await _out([row], caller.sub))[0]

    @delete("/{session_id:str}/rsvp", status_code=HTTP_204_NO_CONTENT, summary="Give up my place")
    async def cancel_rsvp(self, caller: NamedDependency[Claims], session_id: FromPath[str]) -> None:
        await _load(session_id)
        await Rsvp.delete().where(Rsvp.id == session_id + caller.sub)

    @delete("/{session_id:str}", status_code=HTTP_204_NO_CONTENT,
            summary="Cancel a scheduled session (its host, the room's owner or an admin)")
    async def cancel(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                     session_id: FromPath[str]) -> None:
        row = await _load(session_id)
        owner = (await Room.select(Room.owner).where(Room.id == row["room"]).first() or {}).get("owner")
        if caller.sub not in (row["host"], owner) and caller.role != "admin":
            raise ApiError(403, "Only the session's host cancels it.")
        await ScheduledSession.delete().where(ScheduledSession.id == session_id)
        await services.state.drop(keys.room_schedule(row["room"]), session_id)
