"""Entry point for granian: ``virtubar sfu`` (``realtime_edge.serve`` is its twin)."""

from virtubar.settings import Settings

from sfu_node.app import create_app


def app():
    return create_app(Settings.from_env())
