"""Structured logs: one JSON object per line, with room and user ids."""

from __future__ import annotations

import logging
import sys

import msgspec

_logger = logging.getLogger("virtubar.edge")
if not _logger.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _logger.addHandler(_handler)
    _logger.setLevel(logging.INFO)
    _logger.propagate = False


def log(event: str, level: int = logging.INFO, **fields: object) -> None:
    if _logger.isEnabledFor(level):
        record = {"event": event, "level": logging.getLevelName(level).lower(), **fields}
        _logger.log(level, msgspec.json.encode(record).decode())
