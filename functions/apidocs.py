"""The API reference: the docs page at ``/api/docs`` (Scalar, loaded from
the VirtuBar origin, so it works offline) and the problem+json error
responses every operation documents in the OpenAPI document.

The page's script is the pinned ``@scalar/api-reference`` npm package,
copied into the client build (``client/vite.config.ts``) under
``/vendor/scalar/``: served wherever the client is, on the API's origin
(embedded mode, the cloud-local front door, CloudFront)."""

from __future__ import annotations

import html

import msgspec
from litestar import Litestar, MediaType, Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.plugins import ScalarRenderPlugin

from functions.problems import TITLES, Problem
from functions.ratelimit import EXEMPT

SCALAR_SCRIPT = "/vendor/scalar/standalone.js"


class OfflineScalar(ScalarRenderPlugin):
    """Scalar with nothing from another host (no CDN stylesheet, favicon or
    fonts) and no inline script: its settings ride on a data attribute, so
    the page's Content-Security-Policy (virtubar/headers.py) needs none."""

    def __init__(self) -> None:
        super().__init__(js_url=SCALAR_SCRIPT, path="/", favicon="", options={"withDefaultFonts": False})

    def render(self, request: Request, openapi_schema: dict) -> bytes:
        title = html.escape(openapi_schema["info"]["title"])
        configuration = html.escape(msgspec.json.encode(self.options).decode())
        document = self.get_openapi_json_route(request)
        return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>{self.style}</head>
<body>
<noscript>The API reference needs JavaScript; the document itself is at
<a href="{document}">{document}</a>.</noscript>
<script id="api-reference" data-url="{document}" data-configuration="{configuration}"></script>
<script src="{self.js_url}"></script>
</body>
</html>
""".encode()


DOCS_PAGE = OfflineScalar()


@get("/docs", media_type=MediaType.HTML, include_in_schema=False, summary="The API reference page")
async def api_docs(request: Request) -> Response[bytes]:
    schema = request.app.openapi_schema.to_schema()
    return Response(DOCS_PAGE.render(request, schema), media_type=MediaType.HTML)


def _problem(status: int) -> ResponseSpec:
    return ResponseSpec(Problem, description=TITLES[status], media_type="application/problem+json",
                        generate_examples=False)


def error_statuses(handler: HTTPRouteHandler, rate_limited: bool) -> set[int]:
    """The errors an operation may answer with: any request can fail on our
    side, and be rate limited unless its path is exempt; one that takes
    input (a caller, the raw request, parameters, a body) can meet every
    refusal the API sends, and find a node it needs unavailable (503); a
    body's size and type errors only where there is a body."""
    takes = set(handler.parsed_fn_signature.parameters) - {"services", "state"}
    statuses = {429, 500} if rate_limited else {500}
    if takes:
        statuses |= {400, 401, 403, 404, 409, 422, 503}
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
            statuses = error_statuses(handler, rate_limited=not route.path.startswith(EXEMPT))
            declared = {status: _problem(status) for status in statuses}
            handler.responses = declared | dict(handler.responses or {})
