"""One error shape for every failure: RFC 9457 problem JSON.

Bad input is a 4xx that names the field; anything unexpected is a 500 that
says nothing about internals (and is logged).
"""

from __future__ import annotations

import logging
import re
from typing import TypeVar

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from msgspec import Struct

from virtubar.logs import log

T = TypeVar("T")

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(Struct):
    field: str
    message: str


class Problem(Struct, omit_defaults=True):
    status: int
    title: str
    detail: str
    type: str = "about:blank"
    errors: list[FieldError] | None = None


class ApiError(HTTPException):
    """Raise with a status and a detail a player or operator can act on."""

    def __init__(
        self, status: int, detail: str, errors: list[FieldError] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.errors = errors


def found(row: T | None, detail: str) -> T:
    """``row``, or a 404 with ``detail`` when it is missing (also a row read
    back after a write: another request may have deleted it in between)."""
    if row is None:
        raise ApiError(404, detail)
    return row


def problem(
    status: int, detail: str, errors: list[FieldError] | None = None, headers: dict[str, str] | None = None
) -> Response[Problem]:
    return Response(
        Problem(status=status, title=TITLES.get(status, "Error"), detail=detail, errors=errors),
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


_PATH = re.compile(r"at `\$\.?([^`]*)`")
_NAMED = re.compile(r"(?:missing required|contains unknown) field `([^`]*)`")


def _field_errors(exc: ValidationException) -> list[FieldError]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        message = str(item.get("message", ""))
        key = item.get("key") or ""
        if key == "data" and (m := _PATH.search(message)):
            key = m.group(1) or "body"
        if (m := _NAMED.search(message)) is not None:
            key = ".".join(p for p in (key if key not in ("data", "body") else "", m.group(1)) if p)
        errors.append(FieldError(field=str(key or "body"), message=_PATH.sub("", message).strip(" -")))
    return errors


def on_validation(_: Request, exc: ValidationException) -> Response[Problem]:
    errors = _field_errors(exc)
    malformed = any("malformed" in e.message.lower() or "invalid json" in e.message.lower() for e in errors)
    if malformed:
        return problem(400, "The request body is not valid JSON.", errors)
    return problem(422, "The request does not match the schema.", errors)


def on_http(_: Request, exc: HTTPException) -> Response[Problem]:
    errors = getattr(exc, "errors", None)
    return problem(exc.status_code, str(exc.detail), errors, headers=exc.headers)


def _while_reading_arguments(exc: BaseException) -> bool:
    """Raised while Litestar read the request's body or parameters (not in
    a handler): the request was bad, not our code."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith("litestar._kwargs"):
            return True
        tb = tb.tb_next
    return False


def on_undecodable(request: Request, exc: Exception) -> Response[Problem]:
    """A body nested too deep to decode, or not UTF-8, is the client's error."""
    if not _while_reading_arguments(exc):
        return on_unexpected(request, exc)
    if isinstance(exc, RecursionError):
        return problem(400, "The request body is nested too deeply.", [FieldError(field="body", message=str(exc))])
    return problem(400, "The request body is not UTF-8 text.", [FieldError(field="body", message=str(exc))])


def on_unexpected(request: Request, exc: Exception) -> Response[Problem]:
    log("unhandled_error", logging.ERROR, logger="functions", exc_info=exc, method=request.method,
        path=request.url.path)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong on our side; it has been logged.")


EXCEPTION_HANDLERS = {
    ValidationException: on_validation,
    HTTPException: on_http,
    RecursionError: on_undecodable,
    UnicodeDecodeError: on_undecodable,
    Exception: on_unexpected,
}
