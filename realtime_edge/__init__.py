"""The realtime WebSocket edge (seed 001 protocol, zones, Redis Streams fleet)."""

from realtime_edge.app import create_app

__all__ = ["create_app"]
