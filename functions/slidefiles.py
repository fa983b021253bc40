"""Where slide images are kept: the data folder in the embedded mode, the S3
bucket in the cloud mode (``functions/slides.py`` takes them in), and what
kind of image a file is, read from its first bytes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from functions.evidence import S3Bucket
from virtubar.datafiles import FILE_MODE, private_folder
from virtubar.settings import Settings

_URL_TTL_S = 3600


def sniff(head: bytes) -> str | None:
    """The image type of a file from its first bytes, if it is one a deck takes."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


class SlideStore(Protocol):
    async def keep(self, slide_id: str, data: bytes, content_type: str) -> None: ...
    async def where(self, slide_id: str) -> Path | str | None: ...
    async def forget(self, slide_id: str) -> None: ...


class LocalSlides:
    """Slides under ``DATA/objects/slides``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, slide_id: str) -> Path:
        return self.root / "slides" / slide_id

    async def keep(self, slide_id: str, data: bytes, content_type: str) -> None:
        path = self.path(slide_id)
        private_folder(path.parent)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as f:
            f.write(data)

    async def where(self, slide_id: str) -> Path | None:
        path = self.path(slide_id)
        return path if path.is_file() else None

    async def forget(self, slide_id: str) -> None:
        self.path(slide_id).unlink(missing_ok=True)


class S3Slides(S3Bucket):
    """Slides in the private bucket, shown through presigned GETs."""

    async def keep(self, slide_id: str, data: bytes, content_type: str) -> None:
        async with self._s3() as s3:
            await s3.put_object(Bucket=self.bucket, Key=f"slides/{slide_id}", Body=data, ContentType=content_type)

    async def where(self, slide_id: str) -> str:
        async with self._s3() as s3:
            return await s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": f"slides/{slide_id}"}, ExpiresIn=_URL_TTL_S)

    async def forget(self, slide_id: str) -> None:
        async with self._s3() as s3:
            await s3.delete_object(Bucket=self.bucket, Key=f"slides/{slide_id}")


def open_slides(settings: Settings) -> SlideStore:
    if settings.s3_bucket:
        return S3Slides(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region)
    return LocalSlides(settings.data / "objects")
