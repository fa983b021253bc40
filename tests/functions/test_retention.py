"""Retention: the housekeeping of the long-running API deletes closed
reports, report evidence and ended focus sessions older than their
settings, and nothing younger."""

from __future__ import annotations

import asyncio
import time

import pytest

from functions import sessions

from .oidc_fixtures import days_ago, execute


@pytest.fixture
def settings(settings, monkeypatch):
    settings.session_grace_s = 1.0
    settings.retention_closed_reports_days = 30
    settings.retention_evidence_days = 7
    settings.retention_focus_sessions_days = 30
    monkeypatch.setattr(sessions, "RETENTION_EVERY_S", 0.5)
    return settings


async def admin(client) -> dict:
    r = await client.post("/api/auth/register", json={"email": "boss@example.org", "username": "boss",
                                                       "password": "a long admin password"})
    return {"Authorization": f"Bearer {r.json()['accessToken']}"}


async def report(client, who, target) -> str:
    r = await client.post("/api/reports", json={"targetUserId": target["user"]["id"], "category": "spam"},
                          headers=who["headers"])
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def focus_session(client, who, room_id) -> str:
    r = await client.post("/api/sessions", json={"roomId": room_id, "goals": ["write"]}, headers=who["headers"])
    assert r.status_code == 201, r.text
    await client.post(f"/api/sessions/{r.json()['id']}/complete", headers=who["headers"])
    return r.json()["id"]


async def test_only_what_is_older_than_its_setting_is_deleted(client, player, settings, database_url):
    mod, ann, bob = await admin(client), await player("Ann"), await player("Bob")
    old_closed, new_closed, old_evidence, new_evidence = [await report(client, ann, bob) for _ in range(4)]
    for report_id in (old_closed, new_closed):
        await client.post(f"/api/moderation/reports/{report_id}/resolve",
                          json={"status": "resolved", "resolution": "talked to them"}, headers=mod)
    objects = settings.data / "objects"
    objects.mkdir(parents=True, exist_ok=True)
    for report_id in (old_evidence, new_evidence):
        (objects / f"ev-{report_id}").write_bytes(b"\x89PNG evidence")
        await execute(database_url, f"UPDATE reports SET evidence_key = 'ev-{report_id}' WHERE id = '{report_id}'")
    room = (await client.post("/api/rooms", json={"name": "Deep", "template": "focus"}, headers=ann["headers"])).json()
    await client.post("/api/rooms/join", json={"roomId": room["id"]}, headers=ann["headers"])
    old_session, new_session = [await focus_session(client, ann, room["id"]) for _ in range(2)]

    await execute(database_url, f"UPDATE reports SET resolved_at = '{days_ago(31)}' WHERE id = '{old_closed}'")
    await execute(database_url, f"UPDATE reports SET resolved_at = '{days_ago(29)}' WHERE id = '{new_closed}'")
    await execute(database_url, f"UPDATE reports SET created_at = '{days_ago(8)}' WHERE id = '{old_evidence}'")
    await execute(database_url, f"UPDATE reports SET created_at = '{days_ago(6)}' WHERE id = '{new_evidence}'")
    await execute(database_url, f"UPDATE focus_sessions SET started_at = '{days_ago(41)}', "
                                f"ended_at = '{days_ago(40)}' WHERE id = '{old_session}'")

    async def resolved() -> set[str]:
        page = (await client.get("/api/moderation/reports?status=resolved", headers=mod)).json()
        return {r["id"] for r in page["items"]}

    deadline = time.monotonic() + 15
    while old_closed in await resolved():
        assert time.monotonic() < deadline, "the old closed report was not deleted"
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)  # one more sweep: nothing younger goes
    assert await resolved() == {new_closed}
    open_reports = {r["id"]: r for r in (await client.get("/api/moderation/reports", headers=mod)).json()["items"]}
    assert open_reports[old_evidence]["hasEvidence"] is False and not (objects / f"ev-{old_evidence}").exists()
    assert open_reports[new_evidence]["hasEvidence"] is True and (objects / f"ev-{new_evidence}").exists()
    history = (await client.get("/api/sessions/history", headers=ann["headers"])).json()
    assert [s["id"] for s in history["items"]] == [new_session]


async def test_zero_keeps_everything(client, player, settings, database_url):
    settings.retention_focus_sessions_days = 0
    ann = await player("Ann")
    room = (await client.post("/api/rooms", json={"name": "Deep", "template": "focus"}, headers=ann["headers"])).json()
    await client.post("/api/rooms/join", json={"roomId": room["id"]}, headers=ann["headers"])
    kept = await focus_session(client, ann, room["id"])
    await execute(database_url, f"UPDATE focus_sessions SET started_at = '{days_ago(3001)}', "
                                f"ended_at = '{days_ago(3000)}' WHERE id = '{kept}'")
    await asyncio.sleep(1.5)
    history = (await client.get("/api/sessions/history", headers=ann["headers"])).json()
    assert [s["id"] for s in history["items"]] == [kept]
