"""The realtime WebSocket edge (the protocol of `docs/protocol.md`, zones, Redis Streams fleet)."""

from realtime_edge.app import create_app

__all__ = ["create_app"]
