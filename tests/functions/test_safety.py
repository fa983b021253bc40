"""Blocks and reports, with evidence to the local store and to the S3 API."""

import base64
import json

import httpx
import msgspec
import pytest

from functions.evidence import S3Store
from virtubar import keys
from virtubar.moderation import BlocksChanged, decode_control

from .test_moderation import staff


async def test_block_unblock_and_list(client, player, state, node_bus):
    me, pest = await player("Me"), await player("Pest")
    r = await client.post("/api/blocks", json={"userId": pest["user"]["id"]}, headers=me["headers"])
    assert r.status_code == 201 and r.json()["displayName"] == "Pest"
    again = await client.post("/api/blocks", json={"userId": pest["user"]["id"]}, headers=me["headers"])
    assert again.status_code == 201  # idempotent
    listed = (await client.get("/api/blocks", headers=me["headers"])).json()
    assert [b["userId"] for b in listed] == [pest["user"]["id"]]
    assert set(await state.members(keys.user_blocks(me["user"]["id"]))) == {pest["user"]["id"]}
    events = [decode_control(d.data) for d in await node_bus.read(0.05) if d.room is None]
    assert BlocksChanged(userId=me["user"]["id"]) in events
    assert (await client.delete(f"/api/blocks/{pest['user']['id']}", headers=me["headers"])).status_code == 204
    assert await state.members(keys.user_blocks(me["user"]["id"])) == {}
    assert (await client.delete(f"/api/blocks/{pest['user']['id']}", headers=me["headers"])).status_code == 404
    assert (
        await client.post("/api/blocks", json={"userId": me["user"]["id"]}, headers=me["headers"])
    ).status_code == 422


@pytest.mark.parametrize("who_blocks", ["newcomer", "member"])
async def test_quick_join_keeps_blocker_and_blocked_apart(client, player, who_blocks):
    member, newcomer = await player("Member"), await player("Newcomer")
    busy = (await client.post("/api/rooms/join", json={"template": "bar"}, headers=member["headers"])).json()
    blocker, blocked = (newcomer, member) if who_blocks == "newcomer" else (member, newcomer)
    await client.post("/api/blocks", json={"userId": blocked["user"]["id"]}, headers=blocker["headers"])
    r = await client.post("/api/rooms/join", json={"template": "bar"}, headers=newcomer["headers"])
    assert r.status_code == 200 and r.json()["roomId"] != busy["roomId"]
    third = await player()
    assert (await client.post("/api/rooms/join", json={"template": "bar"}, headers=third["headers"])).json()[
        "roomId"
    ] == busy["roomId"]  # fill-first still works for everyone else


async def test_a_blocked_player_cannot_join_the_blockers_private_room(client, player):
    owner, pest = await player(), await player()
    room = (
        await client.post(
            "/api/rooms", json={"name": "Home", "template": "office", "public": False}, headers=owner["headers"]
        )
    ).json()["id"]
    await client.post("/api/blocks", json={"userId": pest["user"]["id"]}, headers=owner["headers"])
    r = await client.post("/api/rooms/join", json={"roomId": room}, headers=pest["headers"])
    assert r.status_code == 403


async def report(client, who, target, **extra):
    body = {"targetUserId": target["user"]["id"], "category": "harassment", "text": "kept following me"} | extra
    return await client.post("/api/reports", json=body, headers=who["headers"])


async def test_reports_reach_the_moderators_queue_and_are_resolved(client, player):
    me, pest = await player(), await player()
    r = await report(client, me, pest)
    assert r.status_code == 201 and r.json()["status"] == "open" and r.json()["upload"] is None
    mod = await staff(client)
    queue = (await client.get("/api/moderation/reports", headers=mod["headers"])).json()
    assert [q["id"] for q in queue["items"]] == [r.json()["id"]]
    by_target = (
        await client.get("/api/moderation/reports", params={"target": me["user"]["id"]}, headers=mod["headers"])
    ).json()
    assert by_target["total"] == 0
    done = await client.post(
        f"/api/moderation/reports/{r.json()['id']}/resolve",
        json={"status": "resolved", "resolution": "banned for a day"},
        headers=mod["headers"],
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert (await client.get("/api/moderation/reports", headers=mod["headers"])).json()["total"] == 0
    again = await client.post(
        f"/api/moderation/reports/{r.json()['id']}/resolve",
        json={"status": "dismissed", "resolution": "x"},
        headers=mod["headers"],
    )
    assert again.status_code == 409


async def test_report_filing_is_limited_per_hour(client, player):
    me, pest = await player(), await player()
    for _ in range(10):
        assert (await report(client, me, pest)).status_code == 201
    r = await report(client, me, pest)
    assert r.status_code == 429 and r.headers["retry-after"] == "3600"


async def test_evidence_goes_to_the_local_store_with_type_and_size_enforced(client, player, settings):
    me, pest = await player(), await player()
    r = await report(client, me, pest, evidence={"contentType": "image/png", "size": 1000})
    upload = r.json()["upload"]
    assert upload["method"] == "PUT" and upload["maxBytes"] == 1000
    path = upload["url"].removeprefix(settings.public_url)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    wrong_type = await client.put(path, content=png, headers={"Content-Type": "text/html"})
    assert wrong_type.status_code == 415
    too_big = await client.put(path, content=b"0" * 1001, headers=upload["headers"])
    assert too_big.status_code == 413
    forged = await client.put(path.replace("max=1000", "max=9999999"), content=png, headers=upload["headers"])
    assert forged.status_code == 403
    ok = await client.put(path, content=png, headers=upload["headers"])
    assert ok.status_code == 204
    stored = list((settings.data / "objects" / "evidence").rglob("*"))
    assert [p.read_bytes() for p in stored if p.is_file()] == [png]


async def test_evidence_requests_over_the_limits_are_refused_before_any_upload(client, player):
    me, pest = await player(), await player()
    assert (
        await report(client, me, pest, evidence={"contentType": "application/x-msdownload", "size": 10})
    ).status_code == 422
    assert (
        await report(client, me, pest, evidence={"contentType": "image/png", "size": 10 * 1024 * 1024 + 1})
    ).status_code == 422


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    from infra.localservices import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


async def test_evidence_upload_through_the_s3_api(s3_endpoint, monkeypatch):
    """A presigned POST against an S3-compatible server (moto's), as a
    browser would send it; the policy carries the type and size conditions."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    store = S3Store("virtubar-evidence", s3_endpoint, "eu-west-1")
    async with store._s3() as s3:
        await s3.create_bucket(
            Bucket="virtubar-evidence", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    ticket = await store.ticket("evidence/r1/f1", "image/png", 5000)
    policy = json.loads(base64.b64decode(ticket.fields["policy"]))
    assert ["content-length-range", 1, 5000] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert await store.where("evidence/r1/f1") is None
    async with httpx.AsyncClient() as http:
        r = await http.post(ticket.url, data=ticket.fields, files={"file": ("shot.png", b"\x89PNG" + b"1" * 50)})
    assert r.status_code in (200, 201, 204), r.text
    assert await store.where("evidence/r1/f1") is not None
    assert msgspec.structs.asdict(ticket)["method"] == "POST"
