"""World assets (tileset images): immutable, content-addressed objects.

An asset's id is the sha256 of its bytes, so an id never names other bytes
and it is cached for good; storing the same image twice keeps one copy.
The data folder holds them in the embedded mode, the S3 bucket in the
cloud mode (``assets/<sha256>``), always with the type read from the bytes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

from functions.evidence import S3Bucket
from functions.tiled import image_type
from virtubar.datafiles import FILE_MODE, private_folder
from virtubar.settings import Settings

ASSET_ID = re.compile(r"^[0-9a-f]{64}$")


def key_of(sha: str) -> str:
    return f"assets/{sha}"


class AssetStore(Protocol):
    async def put(self, sha: str, data: bytes, content_type: str) -> None:
        """Keep the bytes under their hash (nothing happens if they are there)."""
        ...

    async def get(self, sha: str) -> bytes | None: ...


class LocalAssets:
    """Assets under ``DATA/objects/assets``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha: str) -> Path:
        return self.root / key_of(sha)

    async def put(self, sha: str, data: bytes, content_type: str) -> None:
        path = self.path(sha)
        if path.is_file():
            return
        private_folder(path.parent)
        partial = path.with_name(f"{sha}.{os.getpid()}.part")
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as f:
            f.write(data)
        os.replace(partial, path)  # whole or not there: a reader never sees half an image

    async def get(self, sha: str) -> bytes | None:
        path = self.path(sha)
        return path.read_bytes() if path.is_file() else None


class S3Assets(S3Bucket):
    async def put(self, sha: str, data: bytes, content_type: str) -> None:
        async with self._s3() as s3:
            await s3.put_object(Bucket=self.bucket, Key=key_of(sha), Body=data, ContentType=content_type)

    async def get(self, sha: str) -> bytes | None:
        from botocore.exceptions import ClientError

        async with self._s3() as s3:
            try:
                got = await s3.get_object(Bucket=self.bucket, Key=key_of(sha))
            except ClientError:
                return None
            async with got["Body"] as body:
                return await body.read()


def served_type(data: bytes) -> str:
    return image_type(data) or "application/octet-stream"


def open_assets(settings: Settings) -> AssetStore:
    if settings.s3_bucket:
        return S3Assets(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region)
    return LocalAssets(settings.data / "objects")
