"""The API reference: the docs page at ``/api/docs`` (Scalar, loaded from
the VirtuBar origin, so it works offline) and the problem+json error
responses every operation documents in the OpenAPI document.

The page's script is the pinned ``@scalar/api-reference`` npm package,
copied into the client build (``client/vite.config.ts``) under
``/vendor/scalar/``: served wherever the client is, on the API's origin
(embedded mode, the cloud-local front door, CloudFront)."""

from __future__ import annotations

from litestar import Litestar, MediaType, Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.plugins import ScalarRenderPlugin

from functions.problems import TITLES, Problem

SCALAR_SCRIPT = "/vendor/scalar/standalone.js"


class OfflineScalar(ScalarRenderPlugin):
    """Scalar with nothing from another host: no CDN stylesheet, favicon or fonts."""

    def __init__(self) -> None:
        super().__init__(js_url=SCALAR_SCRIPT, path="/", favicon="", options={"withDefaultFonts": False})

    def render(self, request: Request, openapi_schema: dict) -> bytes:
        page = super().render(request, openapi_schema).decode()
        return page.replace(f'<link rel="stylesheet" type="text/css" href="{self.css_url}">', "").encode()


DOCS_PAGE = OfflineScalar()


@get("/docs", media_type=MediaType.HTML, include_in_schema=False, summary="The API reference page")
async def api_docs(request: Request) -> Response[bytes]:
    schema = request.app.openapi_schema.to_schema()
    return Response(DOCS_PAGE.render(request, schema), media_type=MediaType.HTML)


def _problem(status: int) -> ResponseSpec:
    return ResponseSpec(Problem, description=TITLES[status], media_type="application/problem+json",
                        generate_examples=False)


def error_statuses(handler: HTTPRouteHandler) -> set[int]:
    """The errors an operation may answer with: any request can be rate
    limited or fail on our side; one that takes input (a caller, parameters,
    a body) can meet every refusal the API sends; a body's size and type
    errors only where there is a body."""
    takes = set(handler.parsed_fn_signature.parameters) - {"services", "request", "state"}
    statuses = {429, 500}
    if takes:
        statuses |= {400, 401, 403, 404, 409, 422}
    if "data" in takes:
        statuses |= {413, 415}
    return statuses


def document_problems(app: Litestar) -> None:
    """Give each operation its problem+json responses (the shape the
    handlers in functions/problems.py send), replacing Litestar's default
    400 whose shape the API never sends."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            declared = {status: _problem(status) for status in error_statuses(handler)}
            handler.responses = declared | dict(handler.responses or {})
