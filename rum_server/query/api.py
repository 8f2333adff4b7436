"""The JSON query API under ``/__deco/rum/api/``: the reports, one GET each, for the dashboard.

Every answer is a :class:`~rum_server.query.reports.Report` (``columns``, ``rows``, ``sql``).
Query parameters mirror the ``rum-server query`` options. A guard keeps the data
private: with ``RUM_API_TOKEN`` set, a ``Authorization: Bearer`` header is required;
without one, only loopback clients are answered. Store calls block, so handlers run
in a thread.
"""

from __future__ import annotations

import hmac
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
from litestar.handlers import BaseRouteHandler
from litestar.params import FromQuery, RawBody
from litestar.response import Response
from litestar.types import ControllerRouterHandler

from rum_server.query import error_reports, reports
from rum_server.query.hosts import require_allowed_host
from rum_server.query.pagination import page
from rum_server.query.readonly_sql import SqlError, run_sql
from rum_server.query.reports import Comparison, DateRange, Filters, Report, ReportError
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


def filters(site: str, days: int, metric: str, device: str) -> Filters:
    try:
        return Filters(site=site, days=days, metric=metric.upper(), device=device)
    except ReportError as exc:
        raise ClientException(str(exc)) from None


@get(f"{API_PATH}/sites", sync_to_thread=True, guards=[require_api_access])
def sites_handler(request: Request[Any, Any, Any]) -> Report:
    """Site ids with data, with their first and last row."""
    return answer(request, reports.sites)


@get(f"{API_PATH}/vitals", sync_to_thread=True, guards=[require_api_access])
def vitals_handler(
    request: Request[Any, Any, Any],
    site: FromQuery[str] = "",
    days: FromQuery[int] = 7,
    metric: FromQuery[str] = "LCP",
    device: FromQuery[str] = "",
    by: FromQuery[str] = "route",
) -> Report:
    """p50/p75/p95 and rating shares of one metric, by route, device, browser or release."""
    chosen = filters(site, days, metric, device)
    return answer(request, lambda store: reports.vitals(store, chosen, by))


@get(f"{API_PATH}/trend", sync_to_thread=True, guards=[require_api_access])
def trend_handler(
    request: Request[Any, Any, Any],
    site: FromQuery[str] = "",
    days: FromQuery[int] = 30,
    metric: FromQuery[str] = "",
    device: FromQuery[str] = "",
) -> Report:
    """Daily p75 and samples per metric, with the releases first seen each day."""
    chosen = filters(site, days, metric, device)
    return answer(request, lambda store: reports.trend(store, chosen))


@get(f"{API_PATH}/errors", sync_to_thread=True, guards=[require_api_access])
def errors_handler(
    request: Request[Any, Any, Any],
    site: FromQuery[str] = "",
    days: FromQuery[int] = 7,
    device: FromQuery[str] = "",
    limit: FromQuery[int] = 20,
    fingerprint: FromQuery[str] = "",
) -> Report:
    """Top error fingerprints (type, sample message, weighted count, page views, first/last,
    symbolicated top frame), or with ``fingerprint`` that one error in full."""
    chosen = filters(site, days, "", device)
    if fingerprint:
        return answer(request, lambda store: error_reports.error_detail(store, chosen, fingerprint))
    return answer(request, lambda store: error_reports.errors(store, chosen, limit))


@get(f"{API_PATH}/pages", sync_to_thread=True, guards=[require_api_access])
def pages_handler(
    request: Request[Any, Any, Any],
    site: FromQuery[str] = "",
    days: FromQuery[int] = 7,
    device: FromQuery[str] = "",
) -> Report:
    """Weighted page views and sessions per route."""
    chosen = filters(site, days, "", device)
    return answer(request, lambda store: reports.pages(store, chosen))


@get(f"{API_PATH}/compare", sync_to_thread=True, guards=[require_api_access])
def compare_handler(
    request: Request[Any, Any, Any],
    site: FromQuery[str] = "",
    days: FromQuery[int] = 7,
    metric: FromQuery[str] = "LCP",
    device: FromQuery[str] = "",
    a: FromQuery[str] = "",
    b: FromQuery[str] = "",
    a_range: FromQuery[str] = "",
    b_range: FromQuery[str] = "",
    by: FromQuery[str] = "",
) -> Report:
    """p75 of two releases (default: the two newest) or two date ranges, and the change."""
    chosen = filters(site, days, metric, device)
    try:
        comparison = Comparison(
            a=a,
            b=b,
            a_range=DateRange.parse(a_range) if a_range else None,
            b_range=DateRange.parse(b_range) if b_range else None,
            by=by,
        )
    except ReportError as exc:
        raise ClientException(str(exc)) from None
    return answer(request, lambda store: reports.compare(store, chosen, comparison))


@get(f"{API_PATH}/events", sync_to_thread=True, guards=[require_api_access])
def events_handler(
    request: Request[Any, Any, Any],
    steps: FromQuery[str] = "",
    names: FromQuery[str] = "",
    site: FromQuery[str] = "",
    days: FromQuery[int] = 7,
    device: FromQuery[str] = "",
    release: FromQuery[str] = "",
    by: FromQuery[str] = "",
) -> Report:
    """The funnel: weighted events of each of ``steps`` (comma list; default the reserved
    funnel; ``names`` is the older spelling) and the conversion from step to step; with
    ``by`` (release, device, route), one funnel per value."""
    chosen = filters(site, days, "", device)
    try:
        ordered = reports.funnel_steps(steps or names)
    except ReportError as exc:
        raise ClientException(str(exc)) from None
    return answer(request, lambda store: reports.events(store, chosen, ordered, release, by))


@get(f"{API_PATH}/top-events", sync_to_thread=True, guards=[require_api_access])
def top_events_handler(
    request: Request[Any, Any, Any],
    site: FromQuery[str] = "",
    days: FromQuery[int] = 7,
    device: FromQuery[str] = "",
    label: FromQuery[str] = "",
    limit: FromQuery[int] = 20,
    release: FromQuery[str] = "",
) -> Report:
    """Custom events by weighted count and share; with ``label``, per value of that label."""
    chosen = filters(site, days, "", device)
    return answer(request, lambda store: reports.top_events(store, chosen, label, limit, release))


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
    """The query API's handlers, for ``create_app`` to mount."""
    return [
        sites_handler,
        vitals_handler,
        trend_handler,
        errors_handler,
        pages_handler,
        compare_handler,
        events_handler,
        top_events_handler,
        sql_handler,
    ]
