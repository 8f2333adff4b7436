"""The demo storefront at ``/`` (``--demo``): the newcomer's first page and the e2e fixture."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.types import ControllerRouterHandler

from rum_server.web.demo import render_demo_page


@get(["/", "/demo/{path:path}"], include_in_schema=False)
async def demo_page(request: Request[object, object, State]) -> Response[str]:
    path = request.url.path
    query = {key: value for key, value in request.query_params.items()}
    html = render_demo_page(path, query, query.get("build", "standard"))
    return Response(
        html, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"}
    )


def demo_routes() -> list[ControllerRouterHandler]:
    return [demo_page]
