"""Entry point for granian: ``granian --interface asgi --factory realtime_edge.serve:app``."""

from __future__ import annotations

from realtime_edge.app import EdgeApp, create_app
from realtime_edge.config import EdgeConfig
from virtubar.settings import Settings


def app() -> EdgeApp:
    config = EdgeConfig.from_env()
    config.drain_on_signal = True
    return create_app(Settings.from_env(), config=config)
