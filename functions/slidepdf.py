"""A PDF deck turned into slide images (``functions/slides.py`` keeps them):
each page drawn by PDFium (pypdfium2) and written as a PNG. The screens
show images only, so every client shows the same pixels and no viewer ever
parses an uploaded PDF. Everything is checked and drawn before anything is
kept, so a deck gains all its pages or none."""

from __future__ import annotations

import struct
import threading
import zlib

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

SLIDE_WIDTH_PX = 1600
"""Wide enough to read a slide's small print on a big monitor, small enough to stay well under the byte limit."""
_PDFIUM = threading.Lock()
"""PDFium is not thread-safe; uploads draw one document at a time."""


class PdfRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def is_pdf(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def png(width: int, height: int, rgb: bytes, stride: int) -> bytes:
    """An RGB picture, rows `stride` bytes apart, as a PNG (no imaging library needed for this)."""
    row = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride:y * stride + row] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def pages(data: bytes, max_pages: int, width_px: int = SLIDE_WIDTH_PX) -> list[bytes]:
    """Each page of the PDF `data` as a PNG, in order; PdfRefused (422) for
    a broken or encrypted file or one of more than `max_pages` pages."""
    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            if "password" in str(e).lower():
                raise PdfRefused(422, "The PDF is encrypted: export it without a password.") from e
            raise PdfRefused(422, "The PDF could not be read: it is broken or not a PDF.") from e
        try:
            if pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1:
                raise PdfRefused(422, "The PDF is encrypted: export it without a password.")
            count = len(doc)
            if count == 0:
                raise PdfRefused(422, "The PDF has no pages.")
            if count > max_pages:
                raise PdfRefused(422, f"The PDF has {count} pages; a deck takes at most {max_pages}.")
            return [_page(doc[i], width_px) for i in range(count)]
        except pdfium.PdfiumError as e:
            raise PdfRefused(422, f"A page of the PDF could not be drawn ({e}): nothing was kept.") from e
        finally:
            doc.close()


def _page(page: pdfium.PdfPage, width_px: int) -> bytes:
    width, height = page.get_size()
    scale = min(width_px / max(width, 1.0), 2 * width_px / max(height, 1.0))  # a freak tall page stays bounded
    bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=False)
    if bitmap.n_channels != 3:
        raise pdfium.PdfiumError(f"unexpected {bitmap.n_channels}-channel bitmap")
    return png(bitmap.width, bitmap.height, bytes(bitmap.buffer), bitmap.stride)
