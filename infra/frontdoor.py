"""The cloud-local front door: the API and the built client on one origin,
as CloudFront (template.yaml) and Caddy (infra/compose.yaml) put them.

granian's factory target when the client is built; otherwise the cloud-local
mode runs plain ``virtubar api``. ``VIRTUBAR_CLIENT_DIST`` names the folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Litestar
from litestar.static_files import create_static_files_router

from functions.problems import EXCEPTION_HANDLERS
from functions.serve import create_app as create_api
from launcher.composite import Composite


def app() -> Composite:
    dist = Path(os.environ["VIRTUBAR_CLIENT_DIST"])
    client = Litestar([create_static_files_router("/", directories=[dist], html_mode=True)],
                      exception_handlers=EXCEPTION_HANDLERS)  # a missing file: the API's problem JSON
    return Composite([("/api", create_api())], fallback=client)
