"""Slide decks on a room's screens: images judged by their bytes, held to a
size, kept in the data folder or the S3 bucket, served for good."""

from __future__ import annotations

import httpx
from litestar.testing import AsyncTestClient

from functions import create_app
from functions.slidefiles import S3Slides

from .conftest import sign_in
from .test_bad_input import assert_problem
from .test_evidence import s3_settings  # noqa: F401 (a fixture)
from .test_rooms import make_room
from .test_safety import s3_endpoint  # noqa: F401 (a fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0" + bytes(500)
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(300)
NOT_A_PDF = b"%PDF-1.7\n" + bytes(300)  # a header and nothing of a PDF after it


def slides_url(room: dict, screen: str = "screen-b") -> str:
    return f"/api/rooms/{room['id']}/objects/{screen}/slides"


def stored(settings) -> list:
    folder = settings.data / "objects" / "slides"
    return sorted(folder.iterdir()) if folder.is_dir() else []


async def test_an_owner_builds_a_deck_everyone_reads_and_each_image_is_served_for_good(client, player, settings):
    owner, guest = await player(), await player()
    room = await make_room(client, owner, template="office")
    for body in (PNG, JPEG, WEBP):
        r = await client.post(slides_url(room), content=body, headers=owner["headers"] | {"content-type": "text/plain"})
        assert r.status_code == 201, r.text
    deck = (await client.get(slides_url(room), headers=guest["headers"])).json()
    assert [s["contentType"] for s in deck["slides"]] == ["image/png", "image/jpeg", "image/webp"]
    assert deck["slides"][1]["url"].startswith(settings.public_url + "/api/slides/")
    shown = await client.get(deck["slides"][1]["url"].removeprefix(settings.public_url))
    assert shown.status_code == 200 and shown.content == JPEG
    assert shown.headers["content-type"] == "image/jpeg" and "immutable" in shown.headers["cache-control"]
    assert (await client.get(slides_url(room, "stage-screen"), headers=guest["headers"])).json()["slides"] == []
    await client.delete(slides_url(room), headers=owner["headers"])
    assert (await client.get(slides_url(room), headers=guest["headers"])).json()["slides"] == []
    assert_problem(await client.get(deck["slides"][0]["url"].removeprefix(settings.public_url)), 404)
    assert stored(settings) == []


async def test_bad_slides_are_refused_and_nothing_is_kept(client, player, settings):
    owner, guest = await player(), await player()
    room = await make_room(client, owner, template="office")
    assert_problem(await client.post(slides_url(room), content=NOT_A_PDF, headers=owner["headers"]), 422)
    named_png = await client.post(slides_url(room), content=b"GIF89a" + bytes(100),
                                  headers=owner["headers"] | {"content-type": "image/png"})
    assert_problem(named_png, 415)  # the type is the bytes', never the uploader's word
    too_big = PNG + bytes(settings.slide_max_bytes)
    assert_problem(await client.post(slides_url(room), content=too_big, headers=owner["headers"]), 413)
    assert_problem(await client.post(slides_url(room), content=PNG, headers=guest["headers"]), 403)
    assert_problem(await client.post(slides_url(room, "wb-a"), content=PNG, headers=owner["headers"]), 404)
    assert stored(settings) == []
    assert (await client.get(slides_url(room), headers=owner["headers"])).json()["slides"] == []


async def test_slides_in_the_cloud_are_kept_in_s3_and_shown_through_a_presigned_get(s3_settings, state, nodes):  # noqa: F811
    app = create_app(s3_settings, state)
    await app.state["services"].db.migrate()
    store = app.state["services"].slides
    assert isinstance(store, S3Slides)
    async with store._s3() as s3:
        buckets = (await s3.list_buckets())["Buckets"]
        if not any(b["Name"] == "evidence-dl" for b in buckets):
            await s3.create_bucket(Bucket="evidence-dl", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    async with AsyncTestClient(app) as client, httpx.AsyncClient() as http:
        owner = await sign_in(client)
        room = await make_room(client, owner, template="office")
        assert_problem(await client.post(slides_url(room), content=NOT_A_PDF, headers=owner["headers"]), 422)
        deck = (await client.post(slides_url(room), content=PNG, headers=owner["headers"])).json()
        shown = await client.get(deck["slides"][0]["url"].removeprefix(s3_settings.public_url), follow_redirects=False)
        assert shown.status_code == 307
        got = await http.get(shown.headers["location"])
        assert got.status_code == 200 and got.content == PNG
        async with store._s3() as s3:
            listed = await s3.list_objects_v2(Bucket="evidence-dl", Prefix="slides/")
            assert f"slides/{deck['slides'][0]['id']}" in [o["Key"] for o in listed["Contents"]]
