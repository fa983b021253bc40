"""Moderators act here: kick, ban, mute, their undoing, the report queue,
the audit log, and (admins) who is a moderator. Each action is written with
its audit line in one transaction; after the commit it is mirrored into
shared state and reaches the live room through the control stream."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from functions.auditlog import audit
from functions.context import Services
from functions.models import (
    ActionIn,
    ActionOut,
    AuditOut,
    AuditPage,
    ReportOut,
    ReportPage,
    ResolveIn,
    RoleIn,
    UserOut,
)
from functions.problems import ApiError, found
from functions.rooms import load_room
from functions.safety import report_out
from functions.sanctions import active_sanctions, announce, mirror, unmirror
from functions.security import new_id
from functions.tables import AuditEntry, Report, Sanction, User
from functions.users import load_user, user_out
from virtubar import wire
from virtubar.moderation import Lifted, ModerationLifted
from virtubar.tokens import Claims

STAFF = ("moderator", "admin")
_WIRE_TYPE: dict[str, Literal["kicked", "banned", "mutedByMod"]] = {
    "kick": "kicked",
    "ban": "banned",
    "mute": "mutedByMod",
}
_LIFTED: dict[str, Lifted] = {"unban": "ban", "unmute": "mute"}


async def current_role(caller: Claims) -> str:
    """The role as it is now (a token's claim may predate a demotion)."""
    return (await load_user(caller.sub))["role"]


async def require_staff(caller: Claims) -> None:
    if await current_role(caller) not in STAFF:
        raise ApiError(403, "Only moderators can do this.")


async def _may_act(caller: Claims, data: ActionIn) -> None:
    """Staff act anywhere; a room's owner acts in their own room only."""
    if data.userId == caller.sub:
        raise ApiError(422, "You cannot moderate yourself.")
    role, target = await current_role(caller), await load_user(data.userId)
    if target["role"] == "admin" and role != "admin":
        raise ApiError(403, "Only an admin can act on an admin.")
    if role in STAFF:
        if data.roomId:
            await load_room(data.roomId)
        return
    if data.roomId is None:
        raise ApiError(403, "Only moderators act in every room; name your room.")
    if (await load_room(data.roomId))["owner"] != caller.sub:
        raise ApiError(403, "Only moderators or the room's owner can moderate this room.")


async def _sanction(caller: Claims, data: ActionIn, kind: str, duration_s: float | None) -> tuple[ActionOut, dict]:
    expires = datetime.now(UTC) + timedelta(seconds=duration_s) if duration_s else None
    row = {
        "id": new_id(),
        "kind": kind,
        "user": data.userId,
        "room": data.roomId,
        "reason": data.reason,
        "channels": data.channels if kind == "mute" else "all",
        "expires_at": expires,
        "created_by": caller.sub,
    }
    await Sanction.insert(Sanction(**row))
    return ActionOut(id=row["id"], type=data.type, userId=data.userId, roomId=data.roomId, expiresAt=expires), row


async def _lift(data: ActionIn, kind: Lifted) -> tuple[ActionOut, list[dict]]:
    rows = await active_sanctions(data.userId, kind, data.roomId)
    if not rows:
        raise ApiError(404, f"No active {kind} for this player {'in this room' if data.roomId else 'everywhere'}.")
    now = datetime.now(UTC)
    await Sanction.update({Sanction.lifted_at: now}).where(Sanction.id.is_in([r["id"] for r in rows]))
    return ActionOut(id=rows[0]["id"], type=data.type, userId=data.userId, roomId=data.roomId, expiresAt=now), rows


async def _record(services: Services, caller: Claims, data: ActionIn) -> tuple[ActionOut, dict | None, list[dict]]:
    """The action in the database: the sanction written (a kick's is its
    rejoin cool-down) or lifted, and its audit line, in one transaction so
    neither is ever there without the other."""
    new, lifted = None, []
    duration = services.settings.kick_cooldown_s if data.type == "kick" else data.durationS
    async with services.db.transaction():
        if data.type in _LIFTED:
            result, lifted = await _lift(data, _LIFTED[data.type])
        elif data.type == "kick" and not duration:
            result = ActionOut(id=new_id(), type="kick", userId=data.userId, roomId=data.roomId, expiresAt=None)
        else:
            result, new = await _sanction(caller, data, data.type, duration)
        await audit(
            caller.sub,
            data.type,
            data.reason,
            data.userId,
            data.roomId,
            channels=data.channels,
            durationS=duration,
        )
    return result, new, lifted


class ModerationController(Controller):
    path = "/moderation"
    tags = ["moderation"]

    @post("/actions", status_code=HTTP_201_CREATED, summary="Kick, ban, mute, unban or unmute a player")
    async def act(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], data: JSONBody[ActionIn]
    ) -> ActionOut:
        await _may_act(caller, data)
        if data.type == "kick" and data.roomId is None:
            raise ApiError(422, "A kick is from a room: give roomId.")
        result, new, lifted = await _record(services, caller, data)
        # Committed: now the copies nodes read, then the news they act on.
        if new is not None:
            await mirror(services, new)
        for row in lifted:
            await unmirror(services, row)
        if lifted:
            await announce(services, ModerationLifted(type=_LIFTED[data.type], userId=data.userId, roomId=data.roomId))
        if data.type in _WIRE_TYPE:
            await announce(
                services,
                wire.ModerationAction(
                    type=_WIRE_TYPE[data.type], reason=data.reason, userId=data.userId, roomId=data.roomId
                ),
            )
        return result

    @get("/audit", summary="Every moderation action: who, whom, why, when (moderators)")
    async def audit_log(
        self,
        caller: NamedDependency[Claims],
        target: Annotated[str | None, QueryParameter(pattern=r"^[0-9a-f]{32}$")] = None,
        actor: Annotated[str | None, QueryParameter(pattern=r"^[0-9a-f]{32}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> AuditPage:
        await require_staff(caller)
        where = AuditEntry.id.is_not_null()
        if target:
            where &= AuditEntry.target == target
        if actor:
            where &= AuditEntry.actor == actor
        rows = await (
            AuditEntry.select()
            .where(where)
            .order_by(AuditEntry.created_at, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        items = [
            AuditOut(
                id=r["id"],
                actorId=r["actor"],
                action=r["action"],
                targetUserId=r["target"],
                roomId=r["room"],
                reason=r["reason"],
                createdAt=r["created_at"],
                details=json.loads(r["details"]) if isinstance(r["details"], str) else r["details"],
            )
            for r in rows
        ]
        return AuditPage(items=items, total=await AuditEntry.count().where(where))

    @get("/reports", summary="The report queue (moderators)")
    async def reports(
        self,
        caller: NamedDependency[Claims],
        status: Annotated[str, QueryParameter(pattern=r"^(open|resolved|dismissed)$")] = "open",
        room_id: Annotated[str | None, QueryParameter(name="roomId", pattern=r"^[0-9a-f]{32}$")] = None,
        target: Annotated[str | None, QueryParameter(pattern=r"^[0-9a-f]{32}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> ReportPage:
        await require_staff(caller)
        where = Report.status == status
        if room_id:
            where &= Report.room == room_id
        if target:
            where &= Report.target == target
        rows = await Report.select().where(where).order_by(Report.created_at).limit(limit).offset(offset)
        return ReportPage(items=[report_out(r) for r in rows], total=await Report.count().where(where))

    @post("/reports/{report_id:str}/resolve", status_code=200, summary="Close a report with a resolution")
    async def resolve(
        self, caller: NamedDependency[Claims], report_id: FromPath[str], data: JSONBody[ResolveIn]
    ) -> ReportOut:
        await require_staff(caller)
        row = await Report.select().where(Report.id == report_id).first()
        if row is None:
            raise ApiError(404, "No such report.")
        if row["status"] != "open":
            raise ApiError(409, f"The report is already {row['status']}.")
        await Report.update(
            {
                Report.status: data.status,
                Report.resolution: data.resolution,
                Report.resolved_by: caller.sub,
                Report.resolved_at: datetime.now(UTC),
            }
        ).where(Report.id == report_id)
        await audit(caller.sub, f"report_{data.status}", data.resolution, row["target"], row["room"], report=report_id)
        return report_out(found(await Report.select().where(Report.id == report_id).first(), "No such report."))


class RolesController(Controller):
    path = "/admin"
    tags = ["moderation"]

    @post("/roles", status_code=200, summary="Grant or remove the moderator role (admins)")
    async def set_role(self, caller: NamedDependency[Claims], data: JSONBody[RoleIn]) -> UserOut:
        if await current_role(caller) != "admin":
            raise ApiError(403, "Only an admin can grant or remove the moderator role.")
        target = await load_user(data.userId)
        if target["role"] == "admin":
            raise ApiError(409, "Admins come from configuration; their role is not changed here.")
        await User.update({User.role: data.role}).where(User.id == data.userId)
        await audit(caller.sub, f"role_{data.role}", data.reason, data.userId)
        return user_out(await load_user(data.userId))
