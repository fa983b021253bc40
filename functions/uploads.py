"""Evidence files through the API: the embedded mode's signed upload (its
stand-in for S3's presigned POST; single use, streamed, type-checked) and,
in every mode, the moderators' download."""

from __future__ import annotations

import hmac
import time
from typing import Annotated

from litestar import Controller, Request, Response, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import File, Redirect
from litestar.status_codes import HTTP_204_NO_CONTENT

from functions.context import Services
from functions.db import is_unique_violation
from functions.evidence import LocalStore
from functions.models import MAX_EVIDENCE_BYTES
from functions.moderation import require_staff
from functions.problems import ApiError
from functions.tables import EvidenceUpload, Report
from virtubar.tokens import Claims

# The downloaded file is never run or shown by the browser as a page of ours.
_DOWNLOAD_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
}


async def _spend(key: str, content_type: str) -> None:
    """Record the ticket as used; 409 if it already was (on any instance)."""
    try:
        await EvidenceUpload.insert(EvidenceUpload(key=key, content_type=content_type))
    except Exception as e:
        if is_unique_violation(e):
            raise ApiError(409, "This upload ticket was already used; file a new report to send another file.") from e
        raise


class UploadsController(Controller):
    path = "/uploads"
    tags = ["safety"]

    @put(
        "/{key:path}",
        status_code=HTTP_204_NO_CONTENT,
        request_max_body_size=MAX_EVIDENCE_BYTES,  # the ticket's own size is enforced while streaming
        summary="Upload a file with a signed ticket, once (embedded)",
    )
    async def upload(
        self,
        request: Request,
        services: NamedDependency[Services],
        key: FromPath[str],
        content_type: Annotated[str, QueryParameter(name="type", max_length=100)],
        max_bytes: Annotated[int, QueryParameter(name="max", ge=1, le=MAX_EVIDENCE_BYTES)],
        expires: Annotated[int, QueryParameter(name="exp")],
        sig: Annotated[str, QueryParameter(max_length=64)],
    ) -> None:
        store = services.evidence
        key = key.lstrip("/")
        if not isinstance(store, LocalStore) or ".." in key.split("/"):
            raise ApiError(404, "Uploads go to object storage in this deployment.")
        expected = store.signature(key, content_type, max_bytes, expires)
        if not hmac.compare_digest(expected.encode(), sig.encode()) or expires < time.time():
            raise ApiError(403, "The upload ticket is not valid or has expired.")
        if request.headers.get("content-type", "").split(";")[0].strip() != content_type:
            raise ApiError(415, f"This ticket is for {content_type} only.")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise ApiError(413, f"The file is larger than {max_bytes} bytes.")
        await _spend(key, content_type)
        try:
            await store.receive(key, content_type, max_bytes, request.stream())
        except Exception:
            await EvidenceUpload.delete().where(EvidenceUpload.key == key)  # nothing kept: the ticket may be retried
            raise


class EvidenceController(Controller):
    path = "/reports"
    tags = ["moderation"]

    @get("/{report_id:str}/evidence", summary="Download a report's evidence file (moderators)")
    async def evidence(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], report_id: FromPath[str]
    ) -> Response:
        await require_staff(caller)
        row = await Report.select(Report.evidence_key).where(Report.id == report_id).first()
        if row is None:
            raise ApiError(404, "No such report.")
        found = await services.evidence.where(row["evidence_key"]) if row["evidence_key"] else None
        if found is None:
            raise ApiError(404, "No evidence was uploaded for this report.")
        if isinstance(found, str):
            return Redirect(found, status_code=307, headers={"Cache-Control": "no-store"})
        upload = await EvidenceUpload.select(EvidenceUpload.content_type).where(
            EvidenceUpload.key == row["evidence_key"]
        ).first()
        return File(
            found,
            filename=f"evidence-{report_id}",
            media_type=upload["content_type"] if upload else "application/octet-stream",
            content_disposition_type="attachment",
            headers=_DOWNLOAD_HEADERS,
        )
