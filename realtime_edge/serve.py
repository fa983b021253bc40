"""Entry point for granian: ``granian --interface asgi --factory realtime_edge.serve:app``."""

from __future__ import annotations

from virtubar.settings import Settings

from realtime_edge.app import EdgeApp, create_app


def app() -> EdgeApp:
    return create_app(Settings.from_env())
