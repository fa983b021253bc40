"""Entry point for granian: ``virtubar sfu`` (``realtime_edge.serve`` is its twin),
on the shared state and bus of ``VIRTUBAR_REDIS_URL`` so the node registers
where the functions look."""

from virtubar.bus import open_bus
from virtubar.settings import Settings
from virtubar.state import open_state

from sfu_node.app import create_app


def app():
    settings = Settings.from_env()
    return create_app(settings, open_state(settings.redis_url), open_bus(settings.redis_url))
