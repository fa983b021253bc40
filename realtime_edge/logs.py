"""The edge's log lines, in the one shape of ``virtubar/logs.py``. The edge's
call sites name a line's room and user ``room=``/``user=``; they are written
as ``roomId``/``userId``, the names the API's and the SFU's lines use, so one
grep follows a player through every service."""

from __future__ import annotations

import logging
from typing import Any

from virtubar import logs

_IDS = {"room": "roomId", "user": "userId"}


def log(event: str, level: int = logging.INFO, **fields: object) -> None:
    named: dict[str, Any] = {_IDS.get(k, k): v for k, v in fields.items()}
    logs.log(event, level, logger="realtime_edge", **named)
