"""The JSON query API under ``/__deco/rum/api/``: the reports, one GET each, for the dashboard.

Every answer is a :class:`~rum_server.query.reports.Report` (``columns``, ``rows``, ``sql``).
The routes and their query parameters come from :data:`~rum_server.query.registry.REPORTS`,
the declarations ``rum-server query`` is built from too, so the two cannot disagree. A
guard keeps the data private: with ``RUM_API_TOKEN`` set, a ``Authorization: Bearer``
header is required; without one, only loopback clients are answered. Store calls
block, so handlers run in a thread.
"""

from __future__ import annotations

import hmac
import inspect
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from litestar import Request, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    ClientException,
    NotAuthorizedException,
    PermissionDeniedException,
    ServiceUnavailableException,
)
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import FromQuery, RawBody
from litestar.response import Response
from litestar.types import ControllerRouterHandler

from rum_server.query import contract_info
from rum_server.query.hosts import require_allowed_host
from rum_server.query.pagination import page
from rum_server.query.readonly_sql import SqlError, run_sql
from rum_server.query.registry import REPORTS, ReportSpec
from rum_server.query.reports import Report, ReportError
from rum_server.settings import Settings
from rum_server.storage.rollups import settle_if_due
from rum_server.storage.store import Store, StoreError

API_PATH = "/__deco/rum/api"
QUERY_TYPES: dict[type, object] = {int: FromQuery[int], str: FromQuery[str]}
"""A report parameter's annotation: read from the query string, typed."""
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
    require_allowed_host(connection, _)


def answer(request: Request[Any, Any, Any], build: Callable[[Store], Report]) -> Report:
    """Fold new rows into the rollup if due, run the report, map failures to 400 / 503."""
    store: Store = request.app.state.store
    try:
        settle_if_due(store)
    except StoreError as exc:  # the report still answers from the stage
        log.warning("settling the rollups failed: %s", exc)
    try:
        return page(build(store), request.query_params)
    except ReportError as exc:
        raise ClientException(str(exc)) from None
    except StoreError as exc:
        raise ServiceUnavailableException(f"the store did not answer: {exc}") from None


def report_handler(spec: ReportSpec) -> HTTPRouteHandler:
    """``GET /__deco/rum/api/<report>``, its query parameters typed and documented from
    the registry: Litestar reads them from the handler's signature, built here."""

    def handler(request: Request[Any, Any, Any], **given: Any) -> Report:
        try:
            build = spec.prepare(spec.values(given))
        except ReportError as exc:
            raise ClientException(str(exc)) from None
        return answer(request, build)

    query = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=param.default)
        for param in spec.all_params
        for name in (param.name, *param.aliases)
    ]
    hints = {
        name: QUERY_TYPES[param.kind]
        for param in spec.all_params
        for name in (param.name, *param.aliases)
    }
    request_param = inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY)
    handler.__signature__ = inspect.Signature([request_param, *query])  # type: ignore[attr-defined]
    handler.__annotations__ = {"request": Request[Any, Any, Any], **hints, "return": Report}
    handler.__name__ = handler.__qualname__ = f"{spec.name.replace('-', '_')}_handler"
    handler.__doc__ = spec.summary
    route: HTTPRouteHandler = get(
        f"{API_PATH}/{spec.name}", sync_to_thread=True, guards=[require_api_access]
    )(handler)
    return route


def contract_route() -> HTTPRouteHandler:
    """``GET /__deco/rum/api/contract``, answering the contract as it is when the app is made."""
    answered = contract_info.contract()

    @get(f"{API_PATH}/contract", guards=[require_api_access])
    async def contract_handler() -> contract_info.Contract:
        """Metric names, units and web-vitals thresholds, ratings, devices, event names, the
        reserved funnel and every report with its parameters and columns: what clients such
        as the dashboard draw with, from the server instead of their own copies."""
        return answered

    return contract_handler


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
    """The query API's handlers, for ``create_app`` to mount: one per registered report,
    the contract and read-only SQL."""
    return [*(report_handler(spec) for spec in REPORTS.values()), contract_route(), sql_handler]
