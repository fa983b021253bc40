"""Retention: what is kept only so long (``VIRTUBAR_RETENTION_*_DAYS``; 0
keeps it for good). Closed reports, report evidence and ended focus
sessions older than their setting are deleted; nothing younger is touched.

It runs in the embedded mode's housekeeping loop (``sessions.housekeeping``)
and, in the cloud mode, as a scheduled Lambda function (``handler`` here,
``RetentionFunction`` in template.yaml). Room chat needs no setting: it is
not in the database, and a room's stream keeps it at most 10 minutes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from msgspec import Struct

from functions.context import Services
from functions.tables import FocusSession, Report
from virtubar.logs import log


class Swept(Struct, kw_only=True):
    closedReports: int = 0
    evidence: int = 0
    focusSessions: int = 0


def cutoff(now: datetime, days: int) -> datetime | None:
    """The oldest moment still kept; None when the setting keeps everything."""
    return now - timedelta(days=days) if days > 0 else None


async def _forget_evidence(services: Services, rows: list[dict]) -> None:
    for row in rows:
        if row["evidence_key"]:
            await services.evidence.forget(row["evidence_key"])


async def sweep(services: Services, now: datetime | None = None) -> Swept:
    """Delete what the retention settings no longer keep; the counts deleted."""
    now = now or datetime.now(UTC)
    settings, swept = services.settings, Swept()
    if (before := cutoff(now, settings.retention_evidence_days)) is not None:
        old = await Report.select(Report.id, Report.evidence_key).where(
            Report.evidence_key.is_not_null() & (Report.created_at < before)
        )
        await _forget_evidence(services, old)
        if old:
            await Report.update({Report.evidence_key: None}).where(Report.id.is_in([r["id"] for r in old]))
        swept.evidence = len(old)
    if (before := cutoff(now, settings.retention_closed_reports_days)) is not None:
        closed = Report.status.is_in(["resolved", "dismissed"]) & (Report.resolved_at < before)
        old = await Report.select(Report.id, Report.evidence_key).where(closed)
        await _forget_evidence(services, old)
        if old:
            await Report.delete().where(Report.id.is_in([r["id"] for r in old]))
        swept.closedReports = len(old)
    if (before := cutoff(now, settings.retention_focus_sessions_days)) is not None:
        ended = (FocusSession.status != "open") & (FocusSession.ended_at < before)
        gone = await FocusSession.delete().where(ended).returning(FocusSession.id)
        swept.focusSessions = len(gone)
    if swept != Swept():
        log("retention_swept", logger="functions", closedReports=swept.closedReports, evidence=swept.evidence,
            focusSessions=swept.focusSessions)
    return swept


async def scheduled() -> Swept:
    """One sweep with services of its own (the scheduled Lambda function)."""
    from functions.app import build_services
    from virtubar.settings import Settings

    services = build_services(Settings.from_env())
    try:
        return await sweep(services)
    finally:
        await services.db.close()


def handler(event: dict, context: object) -> dict:
    """AWS Lambda entry point of the daily retention sweep (an EventBridge schedule)."""
    del event, context
    swept = asyncio.run(scheduled())
    return {"closedReports": swept.closedReports, "evidence": swept.evidence, "focusSessions": swept.focusSessions}
