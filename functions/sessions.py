"""Focus sessions: goals declared at the start, checked off during, a
summary with achievements at the end, and the history that adds them up.

The database is the truth. Each change is published on the room's volatile
stream (``focus_session_*``, counts only unless the owner shares the text)
and mirrored into shared state (``keys.room_focus_sessions``) so that the
edge can put open sessions in a late joiner's ``room_state`` without
reading the database. A session whose player left the room for longer than
``session_grace_s`` is closed, not completed: by the API's housekeeping in
long-running processes, and for a player's own sessions on their next
request (on Lambda, where nothing runs between requests).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from functions import focusstats, retention
from functions.context import Services
from functions.models import (
    MAX_GOALS,
    FocusHistory,
    FocusSessionIn,
    FocusSessionOut,
    FocusSessionPatch,
    Goal,
)
from functions.problems import ApiError, FieldError, found
from functions.rooms import load_room
from functions.schedules import ensure_mirrored
from functions.security import new_id
from functions.tables import FocusSession
from functions.tracks import drop_unfinished
from virtubar import keys, wire
from virtubar.logs import log
from virtubar.tokens import Claims

SUMMARY_TTL_S = 12 * 3600
RETENTION_EVERY_S = 3600.0
_GOALS = msgspec.json.Decoder(list[Goal])


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def goals_of(row: dict) -> list[Goal]:
    raw = row["goals"]
    return _GOALS.decode(raw) if isinstance(raw, str | bytes) else msgspec.convert(raw, list[Goal])


def _list(raw: Any) -> list:
    return json.loads(raw) if isinstance(raw, str) else list(raw or [])


def session_out(row: dict, now: datetime | None = None) -> FocusSessionOut:
    started, ended = _aware(row["started_at"]), row["ended_at"] and _aware(row["ended_at"])
    return FocusSessionOut(
        id=row["id"],
        roomId=row["room"],
        goals=goals_of(row),
        progress=row["progress"],
        shareGoals=row["share_goals"],
        status=row["status"],
        achievements=_list(row["achievements"]),
        startedAt=started,
        endedAt=ended or None,
        minutes=focusstats.minutes(started, ended or now or datetime.now(UTC)),
    )


def summary(row: dict) -> wire.FocusSessionSummary:
    """The session as the room sees it."""
    goals = goals_of(row)
    shared = row["share_goals"]
    return wire.FocusSessionSummary(
        sessionId=row["id"],
        userId=row["user"],
        goalCount=len(goals),
        doneCount=sum(g.done for g in goals),
        progress=row["progress"],
        startedAtMs=int(_aware(row["started_at"]).timestamp() * 1000),
        goals=[g.text for g in goals] if shared else None,
        done=[g.done for g in goals] if shared else None,
    )


async def announce(services: Services, row: dict, event: wire.Event) -> None:
    """Tell the room live, and keep what a late joiner's ``room_state`` shows."""
    key = keys.room_focus_sessions(row["room"])
    if isinstance(event, wire.FocusSessionCompleted):
        await services.state.drop(key, row["user"])
    else:
        await services.state.put(key, row["user"], msgspec.json.encode(summary(row)), SUMMARY_TTL_S)
    await services.bus.publish(row["room"], msgspec.json.encode(wire.envelope(event)), durable=False)


async def _load(session_id: str) -> dict | None:
    return await FocusSession.select().where(FocusSession.id == session_id).first() if len(session_id) == 32 else None


async def load_own(caller: Claims, session_id: str) -> dict:
    """The caller's session; another player's is as missing as one that never was."""
    row = await _load(session_id)
    if row is None or row["user"] != caller.sub:
        raise ApiError(404, "No such focus session.")
    return row


async def _close(session_id: str, changes: dict) -> dict | None:
    """Close an open session; None when it was closed meanwhile (by its
    player or by housekeeping), so only one close is ever announced."""
    done = await FocusSession.update(changes).where(
        (FocusSession.id == session_id) & (FocusSession.status == "open")
    ).returning(FocusSession.id)
    return await _load(session_id) if done else None


async def close_abandoned(services: Services, now: datetime | None = None, user: str | None = None) -> int:
    """Close the open sessions (of ``user``, or everyone's) whose player has
    been out of the room longer than the grace; their end is when the player
    was last seen. Returns how many were closed."""
    now = now or datetime.now(UTC)
    grace = timedelta(seconds=services.settings.session_grace_s)
    where = FocusSession.status == "open"
    if user is not None:
        where &= FocusSession.user == user
    by_room: dict[str, list[dict]] = defaultdict(list)
    for row in await FocusSession.select().where(where):
        by_room[row["room"]].append(row)
    closed = 0
    for room, rows in by_room.items():
        present = await services.state.members(keys.room_members(room))
        for row in rows:
            if row["user"] in present:
                await FocusSession.update({FocusSession.seen_at: now}).where(FocusSession.id == row["id"])
            elif now - _aware(row["seen_at"]) > grace:
                abandoned = {FocusSession.status: "abandoned", FocusSession.ended_at: row["seen_at"]}
                ended = await _close(row["id"], abandoned)
                if ended is not None:
                    closed += 1
                    await announce(services, ended, wire.FocusSessionCompleted(session=summary(ended), completed=False))
    return closed


async def housekeeping(services: Services) -> None:
    """Long-running processes: close abandoned sessions every quarter grace,
    and hand the scheduled sessions to the edge again when shared state lost
    them (a Redis restart), whether or not a player reads the schedule; and
    drop the track uploads begun and never finished; and, hourly, delete
    what the retention settings no longer keep (``functions.retention``)."""
    every = max(1.0, min(60.0, services.settings.session_grace_s / 4))
    next_sweep = 0.0
    while True:
        await asyncio.sleep(every)
        try:
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + RETENTION_EVERY_S
                await retention.sweep(services)
            if count := await close_abandoned(services):
                log("focus_sessions_abandoned", logger="functions", count=count)
            if await ensure_mirrored(services):
                log("schedule_handed_over", logger="functions")
            if count := await drop_unfinished(services):
                log("unfinished_uploads_dropped", logger="functions", count=count)
        except Exception as e:  # the next pass tries again
            log("focus_housekeeping_failed", logging.ERROR, logger="functions", error=repr(e))


def _goal_texts(texts: list[str]) -> list[Goal]:
    return [Goal(text=t.strip()) for t in texts]


class SessionsController(Controller):
    path = "/sessions"
    tags = ["focus"]

    @post("/", status_code=HTTP_201_CREATED, summary="Start a focus session in a room I am in, with my goals")
    async def start(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], data: JSONBody[FocusSessionIn]
    ) -> FocusSessionOut:
        await load_room(data.roomId)
        if caller.sub not in await services.state.members(keys.room_members(data.roomId)):
            raise ApiError(409, "Join the room before starting a focus session in it.")
        await close_abandoned(services, user=caller.sub)
        if (
            open_one := await FocusSession.select(FocusSession.id)
            .where((FocusSession.user == caller.sub) & (FocusSession.status == "open"))
            .first()
        ) is not None:
            raise ApiError(409, f"You already have an open focus session ({open_one['id']}); complete it first.")
        session_id = new_id()
        await FocusSession.insert(
            FocusSession(
                id=session_id,
                user=caller.sub,
                room=data.roomId,
                goals=msgspec.json.encode(_goal_texts(data.goals)).decode(),
                share_goals=data.shareGoals,
            )
        )
        row = found(await _load(session_id), "No such focus session.")
        await announce(services, row, wire.FocusSessionStarted(session=summary(row)))
        return session_out(row)

    @get("/history", summary="My focus sessions, newest first, with the week's minutes and my streak")
    async def history(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
        utc_offset: Annotated[int, QueryParameter(name="utcOffsetMin", ge=-840, le=840)] = 0,
    ) -> FocusHistory:
        await close_abandoned(services, user=caller.sub)
        mine = FocusSession.user == caller.sub
        rows = await FocusSession.select().where(mine).order_by(FocusSession.started_at, ascending=False).limit(
            limit
        ).offset(offset)
        completed = await FocusSession.select(FocusSession.started_at, FocusSession.ended_at).where(
            mine & (FocusSession.status == "completed")
        )
        now = datetime.now(UTC)
        return FocusHistory(
            items=[session_out(r, now) for r in rows],
            total=await FocusSession.count().where(mine),
            limit=limit,
            offset=offset,
            totals=focusstats.totals(
                [(_aware(r["started_at"]), _aware(r["ended_at"])) for r in completed], now, utc_offset
            ),
        )

    @get("/{session_id:str}", summary="One of my focus sessions")
    async def get_session(self, caller: NamedDependency[Claims], session_id: FromPath[str]) -> FocusSessionOut:
        return session_out(await load_own(caller, session_id))

    @put("/{session_id:str}", summary="Check goals off, report progress, share or hide my goals' text")
    async def update(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        session_id: FromPath[str],
        data: JSONBody[FocusSessionPatch],
    ) -> FocusSessionOut:
        row = await load_own(caller, session_id)
        if row["status"] != "open":
            raise ApiError(409, f"The focus session is already {row['status']}.")
        goals = goals_of(row)
        changes: dict = {}
        if data.done is not None:
            if len(data.done) != len(goals):
                raise ApiError(
                    422,
                    f"Give one flag per goal ({len(goals)}).",
                    [FieldError(field="done", message=f"expected {len(goals)} flags (at most {MAX_GOALS})")],
                )
            for goal, done in zip(goals, data.done, strict=True):
                goal.done = done
            changes[FocusSession.goals] = msgspec.json.encode(goals).decode()
        if data.progress is not None:
            changes[FocusSession.progress] = data.progress
        if data.shareGoals is not None:
            changes[FocusSession.share_goals] = data.shareGoals
        if changes:
            await FocusSession.update(changes).where(FocusSession.id == session_id)
            row = found(await _load(session_id), "No such focus session.")
            await announce(services, row, wire.FocusSessionUpdated(session=summary(row)))
        return session_out(row)

    @post("/{session_id:str}/complete", status_code=200, summary="Complete my focus session; get its achievements")
    async def complete(
        self,
        services: NamedDependency[Services],
        caller: NamedDependency[Claims],
        session_id: FromPath[str],
        utc_offset: Annotated[int, QueryParameter(name="utcOffsetMin", ge=-840, le=840)] = 0,
    ) -> FocusSessionOut:
        row = await load_own(caller, session_id)
        if row["status"] != "open":
            raise ApiError(409, f"The focus session is already {row['status']}.")
        now = datetime.now(UTC)
        earlier = await FocusSession.select(FocusSession.ended_at).where(
            (FocusSession.user == caller.sub) & (FocusSession.status == "completed")
        )
        earned = focusstats.achievements(
            goals_of(row), _aware(row["started_at"]), now, [_aware(r["ended_at"]) for r in earlier], utc_offset
        )
        closed = await _close(
            session_id,
            {
                FocusSession.status: "completed",
                FocusSession.ended_at: now,
                FocusSession.progress: 100,
                FocusSession.achievements: json.dumps(earned),
            },
        )
        if closed is None:
            raise ApiError(409, "The focus session was closed meanwhile.")
        badges = [str(a) for a in earned]
        event = wire.FocusSessionCompleted(session=summary(closed), completed=True, achievements=badges)
        await announce(services, closed, event)
        return session_out(closed)
