"""The Litestar application: controllers by domain under ``/api``, services
injected, problem JSON for every error, OpenAPI 3.1 at ``/api/schema`` and
the reference page at ``/api/docs`` (functions/apidocs.py)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from functions.apidocs import DOCS_PAGE, api_docs, document_problems
from functions.assets import open_assets
from functions.auth import AuthController
from functions.context import Services
from functions.db import Database
from functions.evidence import open_store
from functions.friends import FriendsController
from functions.inventory import GrantsController, InventoryController
from functions.models import Health
from functions.moderation import ModerationController, RolesController
from functions.objects import INTERNAL as BOARD_ROUTES
from functions.objects import ObjectsController
from functions.oidc import OidcController
from functions.playlists import PlaylistsController
from functions.preferences import PreferencesController
from functions.privacy import PrivacyController
from functions.problems import EXCEPTION_HANDLERS
from functions.ratelimit import RateLimiter
from functions.requestlog import RequestLog
from functions.roompeople import PeopleController, RoomPeopleController
from functions.rooms import RoomsController
from functions.safety import BlocksController, ReportsController
from functions.sanctions import ensure_loaded
from functions.sanctions import sync as sanctions_sync
from functions.schedules import SchedulesController, ensure_mirrored
from functions.security import caller
from functions.sessions import SessionsController, housekeeping
from functions.slidefiles import open_slides
from functions.slides import SlidesController, slide_image
from functions.trackfiles import open_tracks
from functions.tracks import RoomTracksController, TracksController
from functions.uploads import EvidenceController, UploadsController
from functions.users import UsersController
from functions.worldversions import AssetsController, WorldController
from virtubar import logs
from virtubar.bus import RoomBus, open_bus
from virtubar.headers import add_security_headers
from virtubar.registry import Registry
from virtubar.settings import Settings
from virtubar.state import SharedState, open_state
from virtubar.tokens import TokenIssuer

VERSION = "0.1.0"
MAX_BODY_BYTES = 1024 * 1024


@get("/health", summary="Liveness and database reachability", tags=["health"])
async def health(services: NamedDependency[Services]) -> Health:
    await services.db.engine.run_ddl("SELECT 1")
    return Health(status="ok", version=VERSION, database="postgres" if services.db.is_postgres else "sqlite")


def build_services(settings: Settings, state: SharedState | None = None, bus: RoomBus | None = None) -> Services:
    state = state or open_state(settings.redis_url, settings.redis_cluster)
    return Services(
        settings=settings,
        db=Database(settings.database_url),
        state=state,
        registry=Registry(state),
        tokens=TokenIssuer.from_settings(settings),
        bus=bus or open_bus(settings.redis_url, settings.redis_cluster),
        evidence=open_store(settings),
        tracks=open_tracks(settings),
        assets=open_assets(settings),
        slides=open_slides(settings),
    )


def create_app(
    settings: Settings | None = None, state: SharedState | None = None, bus: RoomBus | None = None, *, pool: bool = True
) -> Litestar:
    """``pool=False`` on Lambda: each invocation uses plain connections."""
    logs.setup()
    services = build_services(settings or Settings.from_env(), state, bus)

    @asynccontextmanager
    async def lifespan(_: Litestar):
        if pool:
            await services.db.start_pool()
        await ensure_loaded(services)  # shared state may have lost its copy of the sanctions (restart, data loss)
        await ensure_mirrored(services)  # and of the scheduled sessions
        sweeper = asyncio.create_task(housekeeping(services)) if pool else None  # Lambda: on the next request
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
            await services.db.close()

    api = Router(
        path="/api",
        route_handlers=[
            health,
            api_docs,
            AuthController,
            OidcController,
            PreferencesController,
            UsersController,
            PeopleController,
            FriendsController,
            InventoryController,
            GrantsController,
            RoomsController,
            RoomPeopleController,
            PrivacyController,
            BlocksController,
            ReportsController,
            UploadsController,
            EvidenceController,
            ModerationController,
            RolesController,
            SessionsController,
            sanctions_sync,
            SchedulesController,
            RoomTracksController,
            TracksController,
            PlaylistsController,
            ObjectsController,
            WorldController,
            AssetsController,
            SlidesController,
            slide_image,
            *BOARD_ROUTES,
        ],
        dependencies={
            "services": Provide(lambda: services, use_cache=True, sync_to_thread=False),
            "caller": Provide(caller),
        },
    )
    app = Litestar(
        route_handlers=[api],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            lambda app: RequestLog(app, tokens=services.tokens),
            lambda app: RateLimiter(app, state=services.state, tokens=services.tokens, settings=services.settings)
        ],
        lifespan=[lifespan],
        before_send=[add_security_headers],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="VirtuBar API",
            version=VERSION,
            path="/api/schema",
            render_plugins=[DOCS_PAGE],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
            security=[{"BearerToken": []}],
        ),
        state=State({"services": services}),
        debug=False,
    )
    document_problems(app)
    return app
