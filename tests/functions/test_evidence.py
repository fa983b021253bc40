"""Report evidence, end to end: the embedded upload takes a file as large
as its ticket allows, once, only if its bytes are of the declared type; only
moderators read it back (from the data folder, or through a presigned GET
from S3)."""

import hashlib
import hmac
import stat
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from functions.evidence import S3Store

from .conftest import sign_in
from .test_bad_input import assert_problem
from .test_moderation import staff
from .test_safety import report, s3_endpoint  # noqa: F401 (a fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 16
MIB = 1024 * 1024


async def ticket(client, me, pest, content_type: str, size: int) -> tuple[str, dict, str]:
    """(upload path, headers, report id) for a report with evidence."""
    r = await report(client, me, pest, evidence={"contentType": content_type, "size": size})
    assert r.status_code == 201, r.text
    upload = r.json()["upload"]
    return upload["url"].split("/api/", 1)[1], upload["headers"], r.json()["id"]


def stored_files(settings) -> list:
    return [p for p in (settings.data / "objects").rglob("*") if p.is_file()]


async def test_two_mib_evidence_is_accepted_once_and_kept_private(client, player, settings):
    me, pest = await player(), await player()
    body = PNG + b"\x00" * (2 * MIB)
    path, headers, _ = await ticket(client, me, pest, "image/png", len(body))
    r = await client.put(f"/api/{path}", content=body, headers=headers)
    assert r.status_code == 204, r.text
    again = await client.put(f"/api/{path}", content=PNG, headers=headers)
    assert_problem(again, 409)
    (stored,) = stored_files(settings)
    assert stored.read_bytes() == body  # the second use overwrote nothing
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    for folder in (stored.parent, settings.data / "objects"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


async def test_a_file_larger_than_its_ticket_is_413_and_nothing_is_kept(client, player, settings):
    me, pest = await player(), await player()
    path, headers, _ = await ticket(client, me, pest, "image/png", 2 * MIB)
    assert_problem(await client.put(f"/api/{path}", content=PNG + b"\x00" * (2 * MIB), headers=headers), 413)
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("image/png", b"<script>alert(document.cookie)</script>"),
        ("image/jpeg", PNG),
        ("image/webp", b"RIFF\x10\x00\x00\x00WAVEfmt "),
        ("video/webm", b"<html><body>hi</body></html>"),
        ("text/plain", b"plain until \xff\xfe\x00 binary"),
        ("text/plain", b"hello\x00\x01\x02"),
    ],
)
async def test_a_body_that_is_not_its_declared_type_is_415_and_nothing_is_kept(
    client, player, settings, content_type, body
):
    me, pest = await player(), await player()
    path, headers, _ = await ticket(client, me, pest, content_type, 5000)
    assert_problem(await client.put(f"/api/{path}", content=body, headers=headers), 415)
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 100),
        ("image/webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x01" * 100),
        ("video/webm", b"\x1a\x45\xdf\xa3" + b"\x01" * 100),
        ("text/plain", "He said: <script> is not a name, caf\u00e9.\r\n\tok\n".encode()),
    ],
)
async def test_each_allowed_type_is_recognised(client, player, content_type, body):
    me, pest = await player(), await player()
    path, headers, _ = await ticket(client, me, pest, content_type, 5000)
    assert (await client.put(f"/api/{path}", content=body, headers=headers)).status_code == 204


async def test_a_refused_upload_leaves_its_ticket_usable(client, player):
    me, pest = await player(), await player()
    path, headers, _ = await ticket(client, me, pest, "image/png", 5000)
    assert_problem(await client.put(f"/api/{path}", content=b"<script></script>", headers=headers), 415)
    assert (await client.put(f"/api/{path}", content=PNG, headers=headers)).status_code == 204


async def test_upload_tickets_are_signed_with_their_own_key(client, player, settings):
    """A signature made with the token secret itself is worthless."""
    me, pest = await player(), await player()
    path, headers, _ = await ticket(client, me, pest, "image/png", 5000)
    route, _, query = path.partition("?")
    q = {k: v[0] for k, v in parse_qs(query).items()}
    key = urlsplit(route).path.removeprefix("uploads/")
    message = f"{key}\n{q['type']}\n{q['max']}\n{q['exp']}".encode()
    forged = hmac.new(settings.token_secret.encode(), message, hashlib.sha256).hexdigest()
    r = await client.put(f"/api/{path.replace(q['sig'], forged)}", content=PNG, headers=headers)
    assert_problem(r, 403)


async def test_only_moderators_download_evidence(client, player):
    me, pest = await player(), await player()
    path, headers, report_id = await ticket(client, me, pest, "image/png", 5000)
    await client.put(f"/api/{path}", content=PNG, headers=headers)
    for who in (me, pest):  # the reporter and the reported alike
        assert_problem(await client.get(f"/api/reports/{report_id}/evidence", headers=who["headers"]), 403)
    mod = await staff(client)
    r = await client.get(f"/api/reports/{report_id}/evidence", headers=mod["headers"])
    assert r.status_code == 200 and r.content == PNG
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert_problem(await client.get(f"/api/reports/{'f' * 32}/evidence", headers=mod["headers"]), 404)
    plain = (await report(client, me, pest)).json()["id"]
    assert_problem(await client.get(f"/api/reports/{plain}/evidence", headers=mod["headers"]), 404)
    _, _, not_uploaded = await ticket(client, me, pest, "image/png", 5000)
    assert_problem(await client.get(f"/api/reports/{not_uploaded}/evidence", headers=mod["headers"]), 404)


@pytest.fixture
def s3_settings(settings, s3_endpoint, monkeypatch):  # noqa: F811
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region = "evidence-dl", s3_endpoint, "eu-west-1"
    return settings


async def test_moderators_download_s3_evidence_through_a_presigned_get(s3_settings, state, nodes):
    app = create_app(s3_settings, state)
    await app.state["services"].db.migrate()
    store = app.state["services"].evidence
    assert isinstance(store, S3Store)
    async with store._s3() as s3:
        buckets = (await s3.list_buckets())["Buckets"]
        if not any(b["Name"] == "evidence-dl" for b in buckets):
            await s3.create_bucket(Bucket="evidence-dl", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    async with AsyncTestClient(app) as client, httpx.AsyncClient() as http:
        me, pest, mod = await sign_in(client), await sign_in(client), await staff(client)
        r = await report(client, me, pest, evidence={"contentType": "image/png", "size": 5000})
        upload, report_id = r.json()["upload"], r.json()["id"]
        sent = await http.post(upload["url"], data=upload["fields"], files={"file": ("shot.png", PNG[:4000])})
        assert sent.status_code in (200, 201, 204), sent.text
        assert_problem(await client.get(f"/api/reports/{report_id}/evidence", headers=me["headers"]), 403)
        r = await client.get(f"/api/reports/{report_id}/evidence", headers=mod["headers"], follow_redirects=False)
        assert r.status_code == 307 and r.headers["cache-control"] == "no-store"
        got = await http.get(r.headers["location"])
        assert got.status_code == 200 and got.content == PNG[:4000]
        assert got.headers["content-disposition"] == "attachment"
        nothing = (await report(client, me, pest, evidence={"contentType": "image/png", "size": 10})).json()["id"]
        assert_problem(await client.get(f"/api/reports/{nothing}/evidence", headers=mod["headers"]), 404)
