"""The embedded mode: every part in one process on SQLite, in-process state
and the local data folder. ``create_app`` is granian's factory target."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, get
from litestar.response import Response
from litestar.static_files import create_static_files_router

from functions.problems import EXCEPTION_HANDLERS
from launcher.composite import Composite
from virtubar.bus import LocalBus, LocalStreams
from virtubar.settings import Settings
from virtubar.state import LocalState

CLIENT_DIST = Path(__file__).resolve().parent.parent / "client" / "dist"


def _client_app() -> Litestar:
    if (CLIENT_DIST / "index.html").exists():
        @get("/r/{room_id:str}", media_type="text/html", include_in_schema=False)
        async def room_link(room_id: str) -> Response:
            """A room's link (``/r/{roomId}``) opens the app, which joins that room."""
            return Response((CLIENT_DIST / "index.html").read_bytes(), media_type="text/html")

        return Litestar([room_link, create_static_files_router("/", directories=[CLIENT_DIST], html_mode=True)],
                        exception_handlers=EXCEPTION_HANDLERS)  # a missing file: the API's problem JSON

    @get("/", media_type="text/html", include_in_schema=False)
    async def unbuilt() -> Response:
        return Response(
            "<!doctype html><title>VirtuBar</title><h1>VirtuBar is running</h1>"
            "<p>The client is not built yet (<code>npm --prefix client run build</code>). "
            'The API is described at <a href="/api/schema/openapi.json">/api/schema/openapi.json</a>.</p>',
            media_type="text/html",
        )

    return Litestar([unbuilt], exception_handlers=EXCEPTION_HANDLERS)


def create_app() -> Composite:
    """One state store and one set of streams shared by every part (each
    reads them through its own bus view, as separate nodes would): the
    in-process equivalents of Redis."""
    from functions import create_app as create_api
    from realtime_edge import create_app as create_edge
    from sfu_node import create_app as create_sfu

    settings = Settings.from_env()
    state, streams = LocalState(), LocalStreams.in_folder(settings.data)
    return Composite(
        [
            ("/api", create_api(settings, state, LocalBus(streams))),
            ("/ws", create_edge(settings, state, LocalBus(streams))),
            ("/sfu", create_sfu(settings, state, LocalBus(streams))),
        ],
        fallback=_client_app(),
    )
