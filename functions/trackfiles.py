"""Where music tracks are kept and what they are.

A track's type and length are read from its bytes by mutagen, never taken
from the uploader's word; anything that is not one of the accepted audio
formats is refused (415) and nothing of it is kept. The upload goes straight
from the browser to storage, as report evidence does (``functions.evidence``):
a presigned POST to S3 in the cloud mode, an HMAC-signed single-use PUT into
the data folder when embedded (signed with its own derived key). A track is
immutable, so its bytes are served with long cache headers and byte ranges.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlencode

import mutagen
from mutagen.aac import AAC
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from functions.evidence import S3Bucket
from functions.models import Upload
from functions.problems import ApiError
from virtubar.datafiles import FILE_MODE, private_folder
from virtubar.settings import Settings

TICKET_TTL_S = 600
PLAY_URL_TTL_S = 6 * 3600
_TICKET_PURPOSE = b"virtubar track upload ticket"

# The accepted formats, by the class mutagen recognised, with the type the file is served as.
_TYPES: dict[type, str] = {
    MP3: "audio/mpeg",
    MP4: "audio/mp4",
    AAC: "audio/aac",
    OggOpus: "audio/ogg",
    OggVorbis: "audio/ogg",
    FLAC: "audio/flac",
    WAVE: "audio/wav",
}
ACCEPTED = "MP3, AAC/M4A, Ogg Opus/Vorbis, FLAC or WAV"


def key_of(track_id: str) -> str:
    return f"tracks/{track_id}"


def inspect(f: BinaryIO) -> tuple[str, int]:
    """(content type, duration in ms) of an audio file, or 415. The file is
    read without its name, so a renamed file is judged by its bytes alone."""
    try:
        found = mutagen.File(f, options=list(_TYPES))  # type: ignore[arg-type]  # mutagen's stubs want a path
    except mutagen.MutagenError:
        found = None
    length = getattr(getattr(found, "info", None), "length", 0) or 0
    if found is None or length <= 0:
        raise ApiError(415, f"This file is not audio in a format we play ({ACCEPTED}).")
    if isinstance(found, MP4) and not str(getattr(found.info, "codec", "")).startswith(("mp4a", "alac")):
        raise ApiError(415, f"This MP4 file holds no AAC audio ({ACCEPTED}).")
    return _TYPES[type(found)], round(length * 1000)


def ticket_key(secret: str) -> bytes:
    """Derived from the token secret for this one purpose: a track ticket's
    signature passes for neither a token nor an evidence ticket."""
    return hmac.new(secret.encode(), _TICKET_PURPOSE, hashlib.sha256).digest()


class TrackStore(Protocol):
    async def ticket(self, track_id: str, max_bytes: int) -> Upload: ...

    async def received(self, track_id: str) -> tuple[str, int]:
        """The uploaded track's (type, duration ms); 415 and deleted if it is
        not audio, 409 if nothing was uploaded yet."""
        ...

    async def where(self, track_id: str, content_type: str) -> Path | str | None:
        """A local path, or a URL to play it from."""
        ...

    async def forget(self, track_id: str) -> None:
        """Delete whatever bytes an unfinished upload left."""
        ...


class LocalTracks:
    """Tracks under ``DATA/objects/tracks``; uploaded through ``PUT /api/tracks/{id}/file``."""

    def __init__(self, root: Path, secret: str, public_url: str) -> None:
        self.root = root
        self._key = ticket_key(secret)
        self._public_url = public_url

    def signature(self, track_id: str, max_bytes: int, expires: int) -> str:
        return hmac.new(self._key, f"{track_id}\n{max_bytes}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def valid(self, track_id: str, max_bytes: int, expires: int, sig: str) -> bool:
        expected = self.signature(track_id, max_bytes, expires)
        return hmac.compare_digest(expected.encode(), sig.encode()) and expires >= time.time()

    async def ticket(self, track_id: str, max_bytes: int) -> Upload:
        expires = int(time.time()) + TICKET_TTL_S
        query = urlencode({"max": max_bytes, "exp": expires, "sig": self.signature(track_id, max_bytes, expires)})
        return Upload(
            method="PUT",
            url=f"{self._public_url}/api/tracks/{track_id}/file?{query}",
            maxBytes=max_bytes,
            expiresIn=TICKET_TTL_S,
        )

    def path(self, track_id: str) -> Path:
        return self.root / key_of(track_id)

    async def receive(self, track_id: str, max_bytes: int, chunks: AsyncIterator[bytes]) -> tuple[str, int]:
        """Stream to a private partial file, keep it only if it is whole,
        within ``max_bytes`` and audio; (type, duration ms)."""
        path = self.path(track_id)
        private_folder(path.parent)
        partial = path.with_name(path.name + ".part")
        size = 0
        try:
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as f:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise ApiError(413, f"The file is larger than {max_bytes} bytes.")
                    f.write(chunk)
            if size == 0:
                raise ApiError(422, "The file is empty.")
            with open(partial, "rb") as f:
                found = inspect(f)
            os.replace(partial, path)
            return found
        finally:
            partial.unlink(missing_ok=True)

    def keep(self, track_id: str, data: bytes) -> None:
        """A track the server made itself (the house tracks)."""
        path = self.path(track_id)
        private_folder(path.parent)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as f:
            f.write(data)

    async def received(self, track_id: str) -> tuple[str, int]:
        path = self.path(track_id)
        if not path.is_file():
            raise ApiError(409, "Nothing was uploaded for this track yet.")
        with open(path, "rb") as f:
            return inspect(f)

    async def where(self, track_id: str, content_type: str) -> Path | None:
        path = self.path(track_id)
        return path if path.is_file() else None

    async def forget(self, track_id: str) -> None:
        self.path(track_id).unlink(missing_ok=True)


class S3Tracks(S3Bucket):
    """A private bucket: the presigned POST holds the size at S3; the API
    reads the object back once to judge it, and deletes it if it is not audio."""

    async def ticket(self, track_id: str, max_bytes: int) -> Upload:
        async with self._s3() as s3:
            post = await s3.generate_presigned_post(
                self.bucket,
                key_of(track_id),
                Conditions=[["content-length-range", 1, max_bytes]],
                ExpiresIn=TICKET_TTL_S,
            )
        return Upload(method="POST", url=post["url"], fields=post["fields"], maxBytes=max_bytes, expiresIn=TICKET_TTL_S)

    async def received(self, track_id: str) -> tuple[str, int]:
        from botocore.exceptions import ClientError

        async with self._s3() as s3:
            try:
                got = await s3.get_object(Bucket=self.bucket, Key=key_of(track_id))
            except ClientError as e:
                raise ApiError(409, "Nothing was uploaded for this track yet.") from e
            async with got["Body"] as body:
                data = await body.read()
            try:
                return inspect(io.BytesIO(data))
            except ApiError:
                await s3.delete_object(Bucket=self.bucket, Key=key_of(track_id))
                raise

    async def forget(self, track_id: str) -> None:
        async with self._s3() as s3:
            await s3.delete_object(Bucket=self.bucket, Key=key_of(track_id))

    async def where(self, track_id: str, content_type: str) -> str:
        """A presigned GET (S3 answers byte ranges itself), served as the type found."""
        async with self._s3() as s3:
            return await s3.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key_of(track_id),
                    "ResponseContentType": content_type,
                    "ResponseCacheControl": "public, max-age=31536000, immutable",
                },
                ExpiresIn=PLAY_URL_TTL_S,
            )


def open_tracks(settings: Settings) -> TrackStore:
    if settings.s3_bucket:
        return S3Tracks(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region)
    return LocalTracks(settings.data / "objects", settings.token_secret, settings.public_url)
