"""Background work whose failures are seen, for every service.

``spawn`` runs a coroutine without awaiting it (keeping it referenced: the
loop holds tasks only weakly) and, if it fails, logs ``task_failed`` with
what it was doing and for whom (``room``, ``user``). Without it a failed
task's exception sat unread on the task object: a key-frame request, an
outlet negotiation or a blocks reload ended without a line in the log.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Coroutine

from virtubar import logs

_running: set[asyncio.Task] = set()
_IDS = {"room": "roomId", "user": "userId"}


def spawn(work: Coroutine, what: str, *, logger: str = "virtubar", **context: object) -> asyncio.Task:
    """Run ``work`` in the background; if it fails, log ``task_failed`` on
    ``logger`` with ``what`` and ``context`` (``room``/``user`` as the log's
    ``roomId``/``userId``); the line's ``error`` is the traceback."""
    task = asyncio.ensure_future(work)
    _running.add(task)
    task.add_done_callback(functools.partial(_done, what, logger, context))
    return task


def _done(what: str, logger: str, context: dict[str, object], task: asyncio.Task) -> None:
    _running.discard(task)
    if task.cancelled() or (error := task.exception()) is None:
        return
    fields = {_IDS.get(k, k): v for k, v in context.items() if v is not None}
    logs.log("task_failed", logging.ERROR, logger=logger, exc_info=error, what=what, **fields)
