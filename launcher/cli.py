"""virtubar: one command, a subcommand per role.

Settings come from VIRTUBAR_* environment variables (see the README's
Configuration table); --port, --host and --data override VIRTUBAR_PORT,
VIRTUBAR_HOST and VIRTUBAR_DATA.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import socket
import sys
import threading
import time
from pathlib import Path

ROLES = {
    "up": ("launcher.embedded:create_app", "embedded mode: API, edge, SFU and client in one process on SQLite"),
    "api": ("functions.serve:create_app", "the REST API (functions) under granian"),
    "edge": ("realtime_edge.serve:app", "a realtime WebSocket edge node (/ws, /metrics)"),
    "sfu": ("sfu_node.serve:app", "an SFU voice/video node (signaling at /sfu, /metrics)"),
}


def _apply_flags(args: argparse.Namespace) -> None:
    if getattr(args, "port", None):
        os.environ["VIRTUBAR_PORT"] = str(args.port)
    if getattr(args, "data", None):
        os.environ["VIRTUBAR_DATA"] = str(Path(args.data).resolve())
    if getattr(args, "host", None):
        os.environ["VIRTUBAR_HOST"] = args.host


def _migrate() -> list[str]:
    from functions.db import Database
    from virtubar.settings import Settings

    async def run() -> list[str]:
        db = Database(Settings.from_env().database_url)
        try:
            return await db.migrate()
        finally:
            await db.close()

    return asyncio.run(run())


HOUSE_TRACKS = Path(__file__).resolve().parent / "house"
"""Where ``virtubar house-tracks`` puts the embedded mode's music at build time."""


def _house_tracks() -> None:
    """The embedded mode's own music, kept on its first start from what the
    build made (``functions.housetracks``)."""
    from functions.db import Database
    from functions.housetracks import ensure_house_tracks
    from functions.trackfiles import LocalTracks, open_tracks
    from virtubar.settings import Settings

    async def run() -> None:
        settings = Settings.from_env()
        store, db = open_tracks(settings), Database(settings.database_url)
        try:
            if isinstance(store, LocalTracks):
                await ensure_house_tracks(store, HOUSE_TRACKS)
        finally:
            await db.close()

    asyncio.run(run())


def _reachable(host: str) -> str:
    """The address a local client connects to for a server bound to ``host``."""
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)


def announce_when_listening(host: str, port: int, line: str, every_s: float = 0.05) -> threading.Thread:
    """Print ``line`` once a connection to ``host:port`` succeeds: a URL
    printed before the server listens is refused when the user opens it.

    The thread runs while granian forks its worker, so it must never hold an
    import lock then: a forked child inherits the lock held and hangs on its
    first import of that module. ``create_connection`` imports
    ``encodings.idna`` on first use (the worker imports it too, through
    aioice's DNS), so it is imported here, before the thread starts."""
    importlib.import_module("encodings.idna")

    def wait_then_print() -> None:
        while True:
            try:
                with socket.create_connection((_reachable(host), port), timeout=1):
                    break
            except OSError:
                time.sleep(every_s)
        print(line, flush=True)

    thread = threading.Thread(target=wait_then_print, name="announce-url", daemon=True)
    thread.start()
    return thread


def _serve(role: str, workers: int, server: str = "granian") -> None:
    from granian import Granian
    from granian.constants import Interfaces

    from virtubar.oslimits import raise_open_files
    from virtubar.settings import Settings

    raise_open_files()  # before granian forks its workers: they inherit it
    settings = Settings.from_env()
    if role == "up":
        applied = _migrate()
        if applied:
            print(f"database ready ({', '.join(applied)})", flush=True)
        _house_tracks()
        announce_when_listening(settings.host, settings.port, f"\n  VirtuBar is running: open {settings.public_url}/\n")
    if server == "websockets":  # the edge's lean server: ~18 KB per idle player instead of ~90-150 KB
        from realtime_edge.wsserve import main as serve_edge

        return serve_edge()
    Granian(
        ROLES[role][0],
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_access=False,
    ).serve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="virtubar", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="role", required=True, metavar="ROLE")
    for role, (_, help_text) in ROLES.items():
        p = sub.add_parser(role, help=help_text, description=help_text)
        p.add_argument("--port", type=int, help="port to listen on (VIRTUBAR_PORT, default 8080)")
        p.add_argument("--host", help="address to bind (VIRTUBAR_HOST, default 127.0.0.1)")
        p.add_argument("--data", help="data folder (VIRTUBAR_DATA, default ./.virtubar)")
        if role != "up":
            p.add_argument("--workers", type=int, default=1, help="granian worker processes (default 1)")
        if role == "edge":
            p.add_argument("--server", choices=("websockets", "granian"), default="websockets",
                           help="websockets (default: least memory per idle player) or granian")
    p = sub.add_parser(
        "migrate",
        help="apply database migrations (idempotent)",
        description="Apply pending migrations to VIRTUBAR_DATABASE_URL; safe to repeat.",
    )
    p.add_argument("--data", help="data folder (VIRTUBAR_DATA)")
    p = sub.add_parser(
        "schema",
        help="write the JSON Schema of every wire message",
        description="Write the JSON Schema of the realtime wire contract for the client.",
    )
    p.add_argument("--out", default="client/src/generated/wire.schema.json", help="output file")
    p = sub.add_parser(
        "house-tracks",
        help="make the embedded mode's house tracks (a build step)",
        description="Synthesize the house tracks the embedded mode's jukebox ships with; skips those made already.",
    )
    p.add_argument("--out", default=str(HOUSE_TRACKS), help="output folder")
    args = parser.parse_args(argv)
    _apply_flags(args)
    if args.role == "migrate":
        applied = _migrate()
        print("applied: " + ", ".join(applied) if applied else "the database is up to date")
    elif args.role == "schema":
        from virtubar.schema import write_schema

        print(f"wrote {write_schema(Path(args.out))}")
    elif args.role == "house-tracks":
        from functions.housetracks import build

        written = build(Path(args.out))
        print(f"house tracks in {args.out}: {len(written)} made" if written else f"house tracks in {args.out}: ready")
    else:
        _serve(args.role, getattr(args, "workers", 1), getattr(args, "server", "granian"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
