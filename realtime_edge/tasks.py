"""Background work whose failures are seen.

``spawn`` (``virtubar/tasks.py``) runs a coroutine without awaiting it and
logs its exception with what it was doing (room, user, ...); ``survive`` wraps one pass of a
long-lived loop so a bad pass is logged (``<what>_failed``) and the loop goes
on to the next one.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator

from realtime_edge.logs import log
from virtubar import tasks

spawn = functools.partial(tasks.spawn, logger="realtime_edge")
"""``virtubar.tasks.spawn``, logged as the edge's."""


@contextlib.contextmanager
def survive(what: str, **context: object) -> Iterator[None]:
    """One pass of a loop: an exception is logged as ``<what>_failed`` and
    swallowed (a cancellation is not an exception here and goes through)."""
    try:
        yield
    except Exception as error:
        log(f"{what}_failed", logging.ERROR, error=repr(error), **context)
