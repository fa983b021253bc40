"""The SFU's background work: a task that fails is logged with what it was
doing and for whom, and a long-lived loop outlives a failed pass.

Without this a failed task's exception sat unread on the task object: a
PLI that could not be sent, a TURN packet, an outlet negotiation or the
selection tick ended without a line in the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine

from virtubar import tasks

log = logging.getLogger(__name__)
RESTART_S = 1.0  # a long-lived loop that failed starts again after this pause


def spawn(coro: Coroutine, what: str, *, room: str | None = None, member: str | None = None) -> asyncio.Task:
    """``virtubar.tasks.spawn``, logged as the SFU's, for a room and member."""
    return tasks.spawn(coro, what, logger="sfu_node", room=room, user=member)


async def keep_running(run: Callable[[], Awaitable[None]], what: str) -> None:
    """Run the long-lived ``run()`` until cancelled, starting it again
    (after ``RESTART_S``) each time it fails or returns, logging why: one bad
    pass must not end the node's selection, bus feed or heartbeat for good."""
    while True:
        try:
            await run()
            log.error("%s stopped by itself; starting it again", what)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; starting it again", what)
        await asyncio.sleep(RESTART_S)
