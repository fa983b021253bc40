"""Where report evidence goes: straight from the player's browser to object
storage through a short-lived upload ticket, never through our functions'
memory. S3 (aioboto3, presigned POST with size and type conditions) in the
cloud mode; the data folder behind an HMAC-signed upload URL when embedded,
where the file is streamed to disk, held to the ticket's size and kept only
if its bytes are of the declared type. Moderators read it back through a
route of their own (a presigned GET in the cloud mode)."""

from __future__ import annotations

import codecs
import hashlib
import hmac
import os
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import urlencode

from functions.models import Upload
from functions.problems import ApiError
from virtubar.datafiles import FILE_MODE, private_folder
from virtubar.settings import Settings

TICKET_TTL_S = 600
DOWNLOAD_TTL_S = 60
_TICKET_PURPOSE = b"virtubar evidence upload ticket"

_WEBM = b"\x1a\x45\xdf\xa3"  # EBML header
_MAGIC: dict[str, Callable[[bytes], bool]] = {
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "video/webm": lambda head: head.startswith(_WEBM),
    "audio/webm": lambda head: head.startswith(_WEBM),
}
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")


class ContentCheck:
    """Whether a file's bytes are what its declared type says, fed chunk by
    chunk: magic bytes for images and WebM; UTF-8 without control
    characters (tab and line breaks aside) for plain text."""

    HEAD = 12

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        self._head = b""
        self._text = codecs.getincrementaldecoder("utf-8")() if content_type == "text/plain" else None
        self._text_ok = True

    def feed(self, chunk: bytes) -> None:
        if len(self._head) < self.HEAD:
            self._head += chunk[: self.HEAD - len(self._head)]
        if self._text is not None and self._text_ok:
            self._text_ok = self._readable(chunk)

    def _readable(self, chunk: bytes, final: bool = False) -> bool:
        if self._text is None:
            return True
        try:
            return not _TEXT_CONTROLS.search(self._text.decode(chunk, final))
        except UnicodeDecodeError:
            return False

    def matches(self) -> bool:
        if self._text is not None:
            return self._text_ok and self._readable(b"", final=True)
        magic = _MAGIC.get(self.content_type)
        return magic is not None and magic(self._head)


class EvidenceStore(Protocol):
    async def ticket(self, key: str, content_type: str, max_bytes: int) -> Upload: ...

    async def where(self, key: str) -> Path | str | None:
        """The stored file for a moderator: a local path, a short-lived URL,
        or None when nothing was uploaded."""
        ...

    async def forget(self, key: str) -> None:
        """Delete the stored file, if any (retention)."""
        ...


def ticket_key(secret: str) -> bytes:
    """The key that signs upload tickets: derived from the token secret for
    this one purpose, so an upload signature can never pass for a token's."""
    return hmac.new(secret.encode(), _TICKET_PURPOSE, hashlib.sha256).digest()


class LocalStore:
    """Objects under ``DATA/objects``; uploads through ``PUT /api/uploads/...``."""

    def __init__(self, root: Path, secret: str, public_url: str) -> None:
        self.root = root
        self._key = ticket_key(secret)
        self._public_url = public_url

    def signature(self, key: str, content_type: str, max_bytes: int, expires: int) -> str:
        message = f"{key}\n{content_type}\n{max_bytes}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

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

    async def receive(self, key: str, content_type: str, max_bytes: int, chunks: AsyncIterator[bytes]) -> None:
        """Stream the file to a private partial file beside its place and
        move it there only once it is whole, within ``max_bytes`` and of
        ``content_type``; otherwise nothing is kept."""
        path = self.path(key)
        private_folder(path.parent)
        partial = path.with_name(path.name + ".part")
        check, size = ContentCheck(content_type), 0
        try:
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as f:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise ApiError(413, f"The file is larger than {max_bytes} bytes.")
                    check.feed(chunk)
                    f.write(chunk)
            if size == 0:
                raise ApiError(422, "The file is empty.")
            if not check.matches():
                raise ApiError(415, f"The file's content is not {content_type}.")
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    async def where(self, key: str) -> Path | None:
        path = self.path(key)
        return path if path.is_file() else None

    async def forget(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


class S3Bucket:
    """A private bucket reached through aioboto3 (evidence and music tracks)."""

    def __init__(self, bucket: str, endpoint_url: str | None, region: str | None) -> None:
        import aioboto3

        self.bucket = bucket
        self._session = aioboto3.Session()
        self._endpoint_url, self._region = endpoint_url or None, region or None

    def _s3(self) -> AbstractAsyncContextManager[Any]:
        """An S3 client (aioboto3 inherits boto3's synchronous ``client`` signature, so it is typed here)."""
        client = self._session.client("s3", endpoint_url=self._endpoint_url, region_name=self._region)
        return cast("AbstractAsyncContextManager[Any]", client)


class S3Store(S3Bucket):
    """A private bucket; the presigned POST enforces size and type at S3."""

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

    async def where(self, key: str) -> str | None:
        """A presigned GET that makes the browser save the file, not show it."""
        from botocore.exceptions import ClientError

        async with self._s3() as s3:
            try:
                await s3.head_object(Bucket=self.bucket, Key=key)
            except ClientError:
                return None
            return await s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": "attachment"},
                ExpiresIn=DOWNLOAD_TTL_S,
            )

    async def forget(self, key: str) -> None:
        async with self._s3() as s3:
            await s3.delete_object(Bucket=self.bucket, Key=key)


def open_store(settings: Settings) -> EvidenceStore:
    if settings.s3_bucket:
        return S3Store(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region)
    return LocalStore(settings.data / "objects", settings.token_secret, settings.public_url)
