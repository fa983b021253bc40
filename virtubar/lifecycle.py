"""Node lifecycle shared by the edge and the SFU."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable

from virtubar.asyncio_hooks import installed_signal_handler
from virtubar.tasks import spawn


def drain_on_signal(drain: Callable[[], Awaitable[None]]) -> None:
    """granian's worker drops every socket on SIGTERM before the app's
    shutdown runs: drain first (players get ``reconnect``), then hand the
    signal to the server's own handler."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        prior = installed_signal_handler(loop, sig)

        async def drain_then(sig=sig, prior=prior) -> None:
            await drain()
            if prior is not None:
                prior()
            else:
                loop.remove_signal_handler(sig)
                os.kill(os.getpid(), sig)

        loop.add_signal_handler(sig, lambda go=drain_then: spawn(go(), "drain"))
