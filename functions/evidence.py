"""Where report evidence goes: straight from the player's browser to object
storage through a short-lived upload ticket, never through our functions'
memory. S3 (aioboto3, presigned POST with size and type conditions) in the
cloud mode; the data folder behind an HMAC-signed upload URL when embedded."""

from __future__ import annotations

import hashlib
import hmac
import time
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import urlencode

from functions.models import Upload
from virtubar.settings import Settings

TICKET_TTL_S = 600


class EvidenceStore(Protocol):
    async def ticket(self, key: str, content_type: str, max_bytes: int) -> Upload: ...

    async def exists(self, key: str) -> bool: ...


class LocalStore:
    """Objects under ``DATA/objects``; uploads through ``PUT /api/uploads/...``."""

    def __init__(self, root: Path, secret: str, public_url: str) -> None:
        self.root = root
        self._secret = secret.encode()
        self._public_url = public_url

    def signature(self, key: str, content_type: str, max_bytes: int, expires: int) -> str:
        message = f"{key}\n{content_type}\n{max_bytes}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    async def ticket(self, key: str, content_type: str, max_bytes: int) -> Upload:
        expires = int(time.time()) + TICKET_TTL_S
        query = urlencode(
            {
                "type": content_type,
                "max": max_bytes,
                "exp": expires,
                "sig": self.signature(key, content_type, max_bytes, expires),
            }
        )
        return Upload(
            method="PUT",
            url=f"{self._public_url}/api/uploads/{key}?{query}",
            headers={"Content-Type": content_type},
            maxBytes=max_bytes,
            expiresIn=TICKET_TTL_S,
        )

    def path(self, key: str) -> Path:
        return self.root / key

    async def exists(self, key: str) -> bool:
        return self.path(key).is_file()


class S3Store:
    """A private bucket; the presigned POST enforces size and type at S3."""

    def __init__(self, bucket: str, endpoint_url: str | None, region: str | None) -> None:
        import aioboto3

        self.bucket = bucket
        self._session = aioboto3.Session()
        self._endpoint_url, self._region = endpoint_url or None, region or None

    def _s3(self) -> AbstractAsyncContextManager[Any]:
        """An S3 client (aioboto3 inherits boto3's synchronous ``client`` signature, so it is typed here)."""
        client = self._session.client("s3", endpoint_url=self._endpoint_url, region_name=self._region)
        return cast("AbstractAsyncContextManager[Any]", client)

    async def ticket(self, key: str, content_type: str, max_bytes: int) -> Upload:
        async with self._s3() as s3:
            post = await s3.generate_presigned_post(
                self.bucket,
                key,
                Fields={"Content-Type": content_type},
                Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
                ExpiresIn=TICKET_TTL_S,
            )
        return Upload(method="POST", url=post["url"], fields=post["fields"], maxBytes=max_bytes, expiresIn=TICKET_TTL_S)

    async def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        async with self._s3() as s3:
            try:
                await s3.head_object(Bucket=self.bucket, Key=key)
            except ClientError:
                return False
        return True


def open_store(settings: Settings) -> EvidenceStore:
    if settings.s3_bucket:
        return S3Store(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region)
    return LocalStore(settings.data / "objects", settings.token_secret, settings.public_url)
