"""Players protect themselves: blocks (enforced everywhere, both ways) and
reports with optional evidence uploaded straight to object storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from functions.context import Services
from functions.friends import end_friendship
from functions.models import BlockIn, BlockOut, ReportIn, ReportOut
from functions.problems import ApiError, found
from functions.rooms import load_room
from functions.sanctions import mirror_blocks
from functions.security import new_id
from functions.tables import Block, Report
from functions.users import load_user
from virtubar.tokens import Claims

REPORTS_PER_HOUR = 10


def report_out(row: dict, upload=None) -> ReportOut:
    return ReportOut(
        id=row["id"],
        reporterId=row["reporter"],
        targetUserId=row["target"],
        roomId=row["room"],
        category=row["category"],
        text=row["text"],
        status=row["status"],
        resolution=row["resolution"],
        hasEvidence=row["evidence_key"] is not None,
        createdAt=row["created_at"],
        upload=upload,
    )


class BlocksController(Controller):
    path = "/blocks"
    tags = ["safety"]

    @get("/", summary="Players I blocked")
    async def list_blocks(self, caller: NamedDependency[Claims]) -> list[BlockOut]:
        rows = await Block.select(Block.blocked, Block.blocked.display_name, Block.created_at).where(
            Block.blocker == caller.sub
        )
        return [
            BlockOut(userId=r["blocked"], displayName=r["blocked.display_name"], createdAt=r["created_at"])
            for r in rows
        ]

    @post("/", status_code=HTTP_201_CREATED, summary="Block a player: no chat, emotes or voice either way")
    async def block(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], data: JSONBody[BlockIn]
    ) -> BlockOut:
        if data.userId == caller.sub:
            raise ApiError(422, "You cannot block yourself.")
        target = await load_user(data.userId)
        existing = await Block.select().where((Block.blocker == caller.sub) & (Block.blocked == data.userId)).first()
        if existing is None:
            await Block.insert(Block(blocker=caller.sub, blocked=data.userId))
            await end_friendship(caller.sub, data.userId)
            await mirror_blocks(services, caller.sub)
            existing = found(
                await Block.select().where((Block.blocker == caller.sub) & (Block.blocked == data.userId)).first(),
                "The block was lifted meanwhile.",
            )
        return BlockOut(userId=data.userId, displayName=target["display_name"], createdAt=existing["created_at"])

    @delete("/{user_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Unblock a player")
    async def unblock(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], user_id: FromPath[str]
    ) -> None:
        gone = (
            await Block.delete()
            .where((Block.blocker == caller.sub) & (Block.blocked == user_id))
            .returning(Block.blocked)
        )
        if not gone:
            raise ApiError(404, "You have not blocked this player.")
        await mirror_blocks(services, caller.sub)


class ReportsController(Controller):
    path = "/reports"
    tags = ["safety"]

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Report a player; with `evidence`, the answer carries an upload ticket for the file",
    )
    async def report(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], data: JSONBody[ReportIn]
    ) -> ReportOut:
        if data.targetUserId == caller.sub:
            raise ApiError(422, "You cannot report yourself.")
        await load_user(data.targetUserId)
        if data.roomId:
            await load_room(data.roomId)
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        recent = await Report.count().where((Report.reporter == caller.sub) & (Report.created_at > hour_ago))
        if recent >= REPORTS_PER_HOUR:
            raise ApiError(
                429,
                f"At most {REPORTS_PER_HOUR} reports an hour; moderators are on it.",
                headers={"Retry-After": "3600"},
            )
        report_id = new_id()
        key = f"evidence/{report_id}/{new_id()}" if data.evidence else None
        await Report.insert(
            Report(
                id=report_id,
                reporter=caller.sub,
                target=data.targetUserId,
                room=data.roomId,
                category=data.category,
                text=data.text,
                evidence_key=key,
            )
        )
        upload = None
        if data.evidence and key:
            upload = await services.evidence.ticket(key, data.evidence.contentType, data.evidence.size)
        return report_out(found(await Report.select().where(Report.id == report_id).first(), "No such report."), upload)
