"""The SFU node under test, alone in its process (granian, one worker).

Everyone who joins stands at the bar's centre, in range of everyone: this
script stands in for the edge's presence feed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from granian.constants import Interfaces
from granian.server.embed import Server

from bench.sfu.members import watch_lag
from sfu_node import create_app
from sfu_node.room import Room
from virtubar.settings import Settings

_admit = Room.admit


def _admit_in_range(room: Room, peer):
    room.move(peer.user_id, 10, 7)
    return _admit(room, peer)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    Room.admit = _admit_in_range
    settings = Settings(host="127.0.0.1", port=args.port, data=args.data, token_secret=args.secret,
                        metrics_token=os.environ.get("VIRTUBAR_METRICS_TOKEN", "")).completed()
    server = Server(
        create_app(settings), address="127.0.0.1", port=args.port, interface=Interfaces.ASGI, log_enabled=False
    )
    watcher = asyncio.create_task(watch_lag("node"))
    await server.serve()
    watcher.cancel()


if __name__ == "__main__":
    asyncio.run(main())
