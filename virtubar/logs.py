"""One log shape for every service: a JSON object per line on stderr with
``event``, ``level``, ``time``, ``logger`` and, where known, ``requestId``,
``userId`` and ``roomId``, then the line's own fields.

Why one shape: an operator follows a player from the API (a request) to the
edge (their room) and the SFU (their voice) by grepping one id, whichever
process wrote the line. The ids come from the context (a request, a
connection), so code deep inside need not pass them along.

``log("member_joined", node=...)`` is the way to write a line; records from
the standard ``logging`` API in the services' packages (``log.exception(...)``)
are written in the same shape, their message as the event.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import msgspec

IDS = ("requestId", "userId", "roomId")
PACKAGES = ("virtubar", "launcher", "functions", "realtime_edge", "sfu_node")
"""The loggers (and their children, e.g. ``sfu_node.session``) written as JSON lines."""

_ids: ContextVar[dict[str, str] | None] = ContextVar("virtubar_log_ids", default=None)


@contextmanager
def scope(**ids: str | None) -> Iterator[None]:
    """Fresh ids for one unit of work (a request): lines logged inside carry
    them, lines of other units do not."""
    token = _ids.set(_checked(ids))
    try:
        yield
    finally:
        _ids.reset(token)


def bind(**ids: str | None) -> None:
    """Add ids once known (the room and user after a join) for the rest of
    the current task and the tasks it starts from now on; tasks started
    earlier (a room's loops) keep the ids they had."""
    _ids.set({**(_ids.get() or {}), **_checked(ids)})


def current_ids() -> dict[str, str]:
    return dict(_ids.get() or {})


def _checked(ids: dict[str, str | None]) -> dict[str, str]:
    unknown = set(ids) - set(IDS)
    if unknown:
        raise ValueError(f"log ids are {', '.join(IDS)}; not {', '.join(sorted(unknown))}")
    return {k: v for k, v in ids.items() if v is not None}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "event": getattr(record, "event", None) or record.getMessage(),
            "level": record.levelname.lower(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"),
            "logger": record.name,
            **current_ids(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return msgspec.json.encode(line, enc_hook=str).decode()


def setup(level: int = logging.INFO) -> None:
    """Write the services' loggers as JSON lines to stderr; idempotent, so
    every entry point (each service's app, the command) may call it."""
    for name in PACKAGES:
        logger = logging.getLogger(name)
        if not any(isinstance(h.formatter, JsonLines) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(JsonLines())
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False  # a host's root handler (Lambda's) would write each line twice


def log(event: str, level: int = logging.INFO, *, logger: str = "virtubar",
        exc_info: BaseException | bool = False, **fields: object) -> None:
    """One line: ``event`` names what happened (snake_case), ``fields`` the
    details; the context's ids are added."""
    target = logging.getLogger(logger)
    if target.isEnabledFor(level):
        target.log(level, event, extra={"event": event, "fields": fields}, exc_info=exc_info)
