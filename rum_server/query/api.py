"""The JSON query API under ``/__deco/rum/api/``: one GET per report of the registry.

Every answer is a :class:`~rum_server.query.reports.Report` (``columns``, ``rows``,
``sql``). The routes, their query parameters (documented in the OpenAPI schema) and
their parsing all come from :data:`~rum_server.query.registry.REPORTS`, the same
declarations ``rum-server query`` is built from, so the two cannot disagree. A guard
keeps the data private: with ``RUM_API_TOKEN`` set, a ``Authorization: Bearer``
header is required; without one, only loopback clients are answered. Store calls
block, so handlers run in a thread.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    ClientException,
    NotAuthorizedException,
    PermissionDeniedException,
    ServiceUnavailableException,
)
from litestar.handlers import BaseRouteHandler
from litestar.params import FromQuery, QueryParameter, RawBody
from litestar.types import ControllerRouterHandler

from rum_server.query.readonly_sql import SqlError, run_sql
from rum_server.query.registry import REPORTS, ReportSpec
from rum_server.query.reports import Report, ReportError
from rum_server.settings import Settings
from rum_server.storage.rollups import settle_if_due
from rum_server.storage.store import Store, StoreError

API_PATH = "/__deco/rum/api"
log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def require_api_access(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A bearer token when one is configured; otherwise loopback clients only."""
    settings: Settings = connection.app.state.settings
    if settings.api_token:
        scheme, _space, given = connection.headers.get("authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), settings.api_token.encode()
        ):
            raise NotAuthorizedException(
                "the query API needs 'Authorization: Bearer <RUM_API_TOKEN>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return
    host = connection.client.host if connection.client else ""
    if not is_loopback(host):
        raise PermissionDeniedException(
            "the query API answers loopback clients only; set RUM_API_TOKEN to open it"
        )


def answer(request: Request[Any, Any, Any], build: Callable[[Store], Report]) -> Report:
    """Fold new rows into the rollup if due, run the report, map failures to 400 / 503."""
    store: Store = request.app.state.store
    try:
        settle_if_due(store)
    except StoreError as exc:  # the report still answers from the stage
        log.warning("settling the rollups failed: %s", exc)
    try:
        return build(store)
    except ReportError as exc:
        raise ClientException(str(exc)) from None
    except StoreError as exc:
        raise ServiceUnavailableException(f"the store did not answer: {exc}") from None


def report_route(spec: ReportSpec) -> Router:
    """``GET /__deco/rum/api/<report>``, its query parameters declared for OpenAPI."""

    @get(
        f"/{spec.name}",
        sync_to_thread=True,
        guards=[require_api_access],
        name=f"report-{spec.name}",
        summary=spec.summary,
        tags=["query"],
    )
    def handler(request: Request[Any, Any, Any]) -> Report:
        try:
            values = spec.parse(dict(request.query_params))
        except ReportError as exc:
            raise ClientException(str(exc)) from None
        return answer(request, lambda store: spec.run(store, values))

    parameters = {
        param.name: QueryParameter(
            annotation=param.kind,
            required=param.api_required,
            description=param.describe(),
        )
        for param in spec.params
    }
    return Router(path=API_PATH, route_handlers=[handler], parameters=parameters)


SQL_MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


@post(f"{API_PATH}/sql", sync_to_thread=True, guards=[require_api_access], status_code=200)
def sql_handler(
    request: Request[Any, Any, Any], body: RawBody, format: FromQuery[str] = "table"
) -> Response[bytes]:
    """One read-only statement (the request body), formatted by ClickHouse.

    Read-only is ClickHouse's own ``readonly`` setting, so writes and DDL are refused by
    the engine (400), not by parsing the SQL here.
    """
    store: Store = request.app.state.store
    try:
        answer = run_sql(store, body.decode("utf-8", errors="replace"), format)
    except SqlError as exc:
        raise ClientException(str(exc)) from None
    except StoreError as exc:
        raise ServiceUnavailableException(f"the store did not answer: {exc}") from None
    media_type = SQL_MEDIA_TYPES.get(format, "text/plain; charset=utf-8")
    return Response(answer, media_type=media_type)


def api_routes() -> list[ControllerRouterHandler]:
    """The query API's routes: one per registered report, and read-only SQL."""
    return [*(report_route(spec) for spec in REPORTS.values()), sql_handler]
