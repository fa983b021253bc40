"""VirtuBar SFU node: forwards voice without transcoding to whoever should hear it."""

from sfu_node.app import create_app

__all__ = ["create_app"]
