"""Slide decks on presentation screens.

The room's owner, moderators and admins upload images one by one to a
screen of the room's world, or a PDF whose pages become slides in order
(drawn as images here: ``functions/slidepdf.py``); they make its deck in
upload order. The type is read from the file's first bytes (PNG, JPEG,
WebP, PDF; anything else is refused with 415 and nothing is kept), the size
is held to ``slide_max_bytes`` while the body streams in (413); a broken or
encrypted PDF, or one past ``slide_pdf_max_pages``, is refused with 422. Images are kept in the
data folder in the embedded mode and in the S3 bucket in the cloud mode,
served by id with long cache headers (an id never names other bytes). Which
slide a screen shows is the edge's (``realtime_edge/features/slides.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from functions.context import Services
from functions.models import SlideDeck, SlideOut
from functions.moderation import STAFF, current_role
from functions.problems import ApiError
from functions.rooms import load_room, room_world
from functions.security import new_id
from functions.slidefiles import sniff
from functions.slidepdf import PdfRefused, is_pdf, pages
from functions.tables import Slide
from virtubar.tokens import Claims

MAX_SLIDES = 60
_CACHED = "public, max-age=31536000, immutable"


async def _screen(room: dict, object_id: str) -> None:
    world = await room_world(room)
    if not any(o.get("id") == object_id and o.get("kind") == "screen" for o in world.get("objects", [])):
        raise ApiError(404, "No such screen in this room.")


async def _may_present(caller: Claims, room: dict) -> None:
    if room["owner"] != caller.sub and await current_role(caller) not in STAFF:
        raise ApiError(403, "Only the room's owner or a moderator can change a screen's slides.")


async def _body(chunks: AsyncIterator[bytes], max_bytes: int) -> bytes:
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > max_bytes:
            raise ApiError(413, f"The file is larger than {max_bytes} bytes.")
    return bytes(data)


async def _images(data: bytes, max_pages: int) -> list[tuple[bytes, str]]:
    """The slides an upload makes: an image as it is, a PDF's pages drawn (off the event loop)."""
    if is_pdf(data[:8]):
        try:
            return [(page, "image/png") for page in await asyncio.to_thread(pages, data, max_pages)]
        except PdfRefused as e:
            raise ApiError(e.status, e.detail) from e
    content_type = sniff(data[:16])
    if content_type is None:
        raise ApiError(415, "A slide is a PNG, JPEG or WebP image, or a PDF of slides.")
    return [(data, content_type)]


def _out(row: dict, public_url: str) -> SlideOut:
    return SlideOut(id=row["id"], url=f"{public_url}/api/slides/{row['id']}", contentType=row["content_type"],
                    size=row["size"])


async def deck(services: Services, room_id: str, object_id: str) -> SlideDeck:
    rows = await Slide.select().where((Slide.room == room_id) & (Slide.screen == object_id)).order_by(Slide.position)
    return SlideDeck(objectId=object_id, slides=[_out(r, services.settings.public_url) for r in rows])


class SlidesController(Controller):
    path = "/rooms/{room_id:str}/objects/{object_id:str}/slides"
    tags = ["objects"]

    @get("/", summary="A screen's slide deck, in order")
    async def list_slides(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                          room_id: FromPath[str], object_id: FromPath[str]) -> SlideDeck:
        await _screen(await load_room(room_id), object_id)
        return await deck(services, room_id, object_id)

    @post("/", status_code=HTTP_201_CREATED, request_max_body_size=None,
          summary="Add an image (PNG, JPEG, WebP) or a PDF's pages (the body) to the end of a screen's deck "
                  "(owner or moderator)")
    async def add(self, request: Request, services: NamedDependency[Services], caller: NamedDependency[Claims],
                  room_id: FromPath[str], object_id: FromPath[str]) -> SlideDeck:
        room = await load_room(room_id)
        await _may_present(caller, room)
        await _screen(room, object_id)
        limit = services.settings.slide_max_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ApiError(413, f"The file is larger than {limit} bytes.")
        data = await _body(request.stream(), limit)
        images = await _images(data, services.settings.slide_pdf_max_pages)
        count = await Slide.count().where((Slide.room == room_id) & (Slide.screen == object_id))
        if count + len(images) > MAX_SLIDES:
            raise ApiError(409, f"A deck holds at most {MAX_SLIDES} slides: remove the deck first.")
        rows = [Slide(id=new_id(), room=room_id, screen=object_id, position=count + i, content_type=kind,
                      size=len(image), uploader=caller.sub) for i, (image, kind) in enumerate(images)]
        try:
            for row, (image, kind) in zip(rows, images, strict=True):
                await services.slides.keep(row.id, image, kind)
            await Slide.insert(*rows)
        except Exception:
            for row in rows:  # a deck gains all of a PDF's pages or none
                await services.slides.forget(row.id)
            raise
        return await deck(services, room_id, object_id)

    @delete("/", status_code=HTTP_204_NO_CONTENT, summary="Remove a screen's whole deck (owner or moderator)")
    async def remove(self, services: NamedDependency[Services], caller: NamedDependency[Claims],
                     room_id: FromPath[str], object_id: FromPath[str]) -> None:
        room = await load_room(room_id)
        await _may_present(caller, room)
        rows = await Slide.select(Slide.id).where((Slide.room == room_id) & (Slide.screen == object_id))
        for row in rows:
            await services.slides.forget(row["id"])
        await Slide.delete().where((Slide.room == room_id) & (Slide.screen == object_id))


@get("/slides/{slide_id:str}", tags=["objects"], summary="A slide's image (cached for good)", security=[{}])
async def slide_image(services: NamedDependency[Services], slide_id: FromPath[str]) -> Response:
    row = await Slide.select().where(Slide.id == slide_id).first() if len(slide_id) == 32 else None
    where = await services.slides.where(slide_id) if row is not None else None
    if row is None or where is None:
        raise ApiError(404, "No such slide.")
    if isinstance(where, str):
        return Redirect(where, status_code=307, headers={"Cache-Control": "private, max-age=3600"})
    return Response(where.read_bytes(), media_type=row["content_type"],
                    headers={"Cache-Control": _CACHED, "X-Content-Type-Options": "nosniff"})
