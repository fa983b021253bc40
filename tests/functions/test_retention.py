"""Retention: the housekeeping of the long-running API deletes closed
reports, report evidence (the objects too, in the local folder and on S3)
and ended focus sessions older than their settings, and nothing younger."""

from __future__ import annotations

import asyncio
import time

import pytest
from litestar.testing import AsyncTestClient

from functions import create_app, sessions
from functions.evidence import S3Store

from .conftest import sign_in
from .oidc_fixtures import days_ago, execute
from .test_evidence import s3_settings  # noqa: F401 (a fixture)
from .test_safety import s3_endpoint  # noqa: F401 (a fixture)


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


async def test_old_evidence_objects_go_from_s3_too_and_with_their_closed_report(
    s3_settings, state, nodes, database_url,  # noqa: F811
):
    """On S3 the housekeeping deletes the objects themselves: old evidence of an
    open report, and the evidence of an old closed report; younger stays."""
    app = create_app(s3_settings, state)
    services = app.state["services"]
    await services.db.migrate()
    store = services.evidence
    assert isinstance(store, S3Store)
    async with store._s3() as s3:
        if not any(b["Name"] == "evidence-dl" for b in (await s3.list_buckets())["Buckets"]):
            await s3.create_bucket(Bucket="evidence-dl", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    async with AsyncTestClient(app) as client:
        mod, ann, bob = await admin(client), await sign_in(client), await sign_in(client)
        old_open, new_open, old_closed = [await report(client, ann, bob) for _ in range(3)]
        await client.post(f"/api/moderation/reports/{old_closed}/resolve",
                          json={"status": "dismissed", "resolution": "nothing to see"}, headers=mod)
        async with store._s3() as s3:
            for report_id in (old_open, new_open, old_closed):
                await s3.put_object(Bucket="evidence-dl", Key=f"evidence/{report_id}", Body=b"\x89PNG evidence")
        for report_id in (old_open, new_open, old_closed):
            await execute(database_url, f"UPDATE reports SET evidence_key = 'evidence/{report_id}' "
                                        f"WHERE id = '{report_id}'")
        await execute(database_url, f"UPDATE reports SET created_at = '{days_ago(6)}' WHERE id = '{new_open}'")
        await execute(database_url, f"UPDATE reports SET created_at = '{days_ago(8)}' WHERE id = '{old_open}'")
        await execute(database_url, f"UPDATE reports SET created_at = '{days_ago(5)}', "
                                    f"resolved_at = '{days_ago(31)}' WHERE id = '{old_closed}'")

        ours = {f"evidence/{report_id}" for report_id in (old_open, new_open, old_closed)}

        async def stored() -> set[str]:
            """This test's objects in the bucket (the other backend's run shares it)."""
            async with store._s3() as s3:
                listing = (await s3.list_objects_v2(Bucket="evidence-dl")).get("Contents", [])
                return {o["Key"] for o in listing} & ours

        deadline = time.monotonic() + 15  # the housekeeping's sweeps (every 0.5 s here)
        while {f"evidence/{old_open}", f"evidence/{old_closed}"} & await stored():
            assert time.monotonic() < deadline, "the old evidence objects were not deleted"
            await asyncio.sleep(0.25)
        await asyncio.sleep(1.0)  # one more sweep: nothing younger goes
        assert await stored() == {f"evidence/{new_open}"}
        assert await store.where(f"evidence/{new_open}") is not None
