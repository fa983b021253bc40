"""A PDF uploaded to a screen's deck becomes one slide image per page, in
order, or nothing at all: a broken, encrypted or over-long PDF is refused
and no page of it is kept."""

from __future__ import annotations

import io
import struct
import zlib

import pypdfium2 as pdfium

from functions.slidepdf import png

from .test_bad_input import assert_problem
from .test_rooms import make_room
from .test_slides import PNG, slides_url, stored


def made_pdf(sizes: list[tuple[float, float]]) -> bytes:
    """A real PDF of blank pages of these sizes (points), written by PDFium."""
    doc = pdfium.PdfDocument.new()
    for w, h in sizes:
        doc.new_page(w, h)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


ENCRYPTED = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"3 0 obj<</Filter/Standard/V 1/R 2/O<" + b"ab" * 32 + b">/U<" + b"cd" * 32 + b">/P -4>>endobj\n"
             b"trailer<</Root 1 0 R/Encrypt 3 0 R/ID[<" + b"01" * 16 + b"><" + b"01" * 16 + b">]/Size 4>>\n%%EOF\n")


def size_of(image: bytes) -> tuple[int, int]:
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", image[16:24])


def test_a_picture_is_written_as_a_png_whose_rows_skip_the_bitmap_padding():
    image = png(2, 2, bytes([255, 0, 0, 0, 255, 0, 9, 9, 0, 0, 255, 255, 255, 255, 9, 9]), stride=8)
    assert size_of(image) == (2, 2)
    start = image.index(b"IDAT") + 4
    length = struct.unpack(">I", image[start - 8:start - 4])[0]
    assert zlib.decompress(image[start:start + length]) == bytes([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255])


async def test_a_two_page_pdf_becomes_two_slides_in_page_order(client, player, settings):
    owner, guest = await player(), await player()
    room = await make_room(client, owner, template="office")
    await client.post(slides_url(room), content=PNG, headers=owner["headers"])
    r = await client.post(slides_url(room), content=made_pdf([(800, 600), (600, 800)]),
                          headers=owner["headers"] | {"content-type": "application/pdf"})
    assert r.status_code == 201, r.text
    deck = (await client.get(slides_url(room), headers=guest["headers"])).json()["slides"]
    assert [s["contentType"] for s in deck] == ["image/png"] * 3
    pages = [(await client.get(s["url"].removeprefix(settings.public_url))).content for s in deck[1:]]
    assert [size_of(p) for p in pages] == [(1600, 1200), (1600, 2134)]  # landscape, then portrait: the order kept
    assert len(stored(settings)) == 3


async def test_a_pdf_in_name_only_a_broken_or_encrypted_one_and_a_long_one_are_refused_and_nothing_is_kept(
        app, client, player, settings):
    owner = await player()
    room = await make_room(client, owner, template="office")
    named = {"content-type": "application/pdf", "content-disposition": 'attachment; filename="deck.pdf"'}
    assert_problem(await client.post(slides_url(room), content=b"GIF89a" + bytes(100),
                                     headers=owner["headers"] | named), 415)
    broken = await client.post(slides_url(room), content=b"%PDF-1.7\n" + bytes(300), headers=owner["headers"])
    assert_problem(broken, 422)
    assert "could not be read" in broken.json()["detail"]
    locked = await client.post(slides_url(room), content=ENCRYPTED, headers=owner["headers"])
    assert_problem(locked, 422)
    assert "encrypted" in locked.json()["detail"]
    app.state["services"].settings.slide_pdf_max_pages = 3
    long = await client.post(slides_url(room), content=made_pdf([(200, 100)] * 4), headers=owner["headers"])
    assert_problem(long, 422)
    assert "4 pages" in long.json()["detail"] and "at most 3" in long.json()["detail"]
    too_big = made_pdf([(200, 100)]) + bytes(settings.slide_max_bytes)
    assert_problem(await client.post(slides_url(room), content=too_big, headers=owner["headers"]), 413)
    assert stored(settings) == []
    assert (await client.get(slides_url(room), headers=owner["headers"])).json()["slides"] == []
