"""Background work whose failures are seen.

``spawn`` runs a coroutine without awaiting it and logs its exception with
what it was doing (room, user, ...); ``survive`` wraps one pass of a
long-lived loop so a bad pass is logged (``<what>_failed``) and the loop goes
on to the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Coroutine, Iterator

from realtime_edge.logs import log

_running: set[asyncio.Task] = set()  # referenced until done: the loop holds tasks only weakly


def spawn(work: Coroutine, what: str, **context: object) -> asyncio.Task:
    """Run ``work`` in the background; if it fails, log ``task_failed`` with ``what`` and ``context``."""
    task = asyncio.create_task(work)
    _running.add(task)
    task.add_done_callback(functools.partial(_done, what, context))
    return task


def _done(what: str, context: dict, task: asyncio.Task) -> None:
    _running.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        log("task_failed", logging.ERROR, what=what, error=repr(error), **context)


@contextlib.contextmanager
def survive(what: str, **context: object) -> Iterator[None]:
    """One pass of a loop: an exception is logged as ``<what>_failed`` and
    swallowed (a cancellation is not an exception here and goes through)."""
    try:
        yield
    except Exception as error:
        log(f"{what}_failed", logging.ERROR, error=repr(error), **context)
