"""The private asyncio part ``virtubar/asyncio_hooks.py`` uses is still there:
a Python that changes it fails here, not in a node that no longer drains on
SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from virtubar.asyncio_hooks import installed_signal_handler


async def test_the_handler_installed_for_a_signal_is_found_and_runs():
    loop = asyncio.get_running_loop()
    ran = []
    loop.add_signal_handler(signal.SIGUSR1, ran.append, "granian's handler")
    try:
        handler = installed_signal_handler(loop, signal.SIGUSR1)
        assert handler is not None
        handler()
        assert ran == ["granian's handler"]
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
    assert installed_signal_handler(loop, signal.SIGUSR1) is None
