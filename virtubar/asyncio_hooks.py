"""The one place a private part of asyncio is used, pinned by
``tests/contract/test_asyncio_hooks.py`` (the SFU's private aiortc and aioice
parts are in ``sfu_node/aiortc_hooks.py``).

Why: asyncio has no public way to read the handler another party (granian's
worker) installed for a signal, and draining before that handler runs means
calling it ourselves afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def installed_signal_handler(loop: asyncio.AbstractEventLoop, sig: int) -> Callable[[], None] | None:
    """What ``loop`` runs on ``sig`` now (``loop.add_signal_handler``), or None."""
    handle = getattr(loop, "_signal_handlers", {}).get(sig)
    return None if handle is None else handle._run
