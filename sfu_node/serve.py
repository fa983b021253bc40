"""Entry point for granian: ``virtubar sfu`` (``granian --interface asgi
--factory sfu_node.serve:app``), on the shared state and bus of
``VIRTUBAR_REDIS_URL`` so the node registers where the functions look."""

from __future__ import annotations

from litestar import Litestar

from sfu_node.app import create_app
from virtubar.bus import open_bus
from virtubar.settings import Settings
from virtubar.state import open_state


def app() -> Litestar:
    settings = Settings.from_env()
    redis = settings.redis_url, settings.redis_cluster
    return create_app(settings, open_state(*redis), open_bus(*redis), drain_on_signal=True)
