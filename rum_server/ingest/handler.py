"""``POST /__deco/rum``: guard, read, decode, transform, queue, answer.

The answer never waits for the store: rows go to the writer's queue. Every
failure is a :class:`RumError` carrying its status; anything unexpected is
logged and answered 400, never 500, because a client can never fix a 500.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import Request, Response, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from rum_server.ingest.accounting import count_accepted, count_refused, is_client_abort, read_within
from rum_server.ingest.body import (
    check_content_encoding,
    check_content_type,
    check_declared_length,
    gunzip_bounded,
)
from rum_server.ingest.errors import Forbidden, MalformedBatch, RumError, answer_for
from rum_server.ingest.rate_limit import RateLimiter, visitor_address
from rum_server.settings import Settings
from rum_server.storage.wal import QueueFull
from rum_server.storage.writer import Writer
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.refusals import BatchRefused

log = logging.getLogger("rum_server.ingest.handler")

INGEST_PATH = "/__deco/rum"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_key(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, case and default port normalised; None if malformed."""
    try:
        parts = urlsplit(origin.strip())
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or _DEFAULT_PORTS[scheme]


def check_origin(
    origin: str | None, host: str | None, allowed: tuple[str, ...], scheme: str = "http"
) -> None:
    """Browsers send ``Origin`` on beacons: same origin, or one of the allowed ones, compared
    by scheme, host and port (``https://a.com`` is ``https://A.com:443``, not ``http://a.com``).

    ``scheme`` is the request's as the client used it (behind a TLS proxy, its
    ``X-Forwarded-Proto``: a page cannot set that header on a beacon).
    """
    if not origin or "*" in allowed:
        return  # not a browser, or a same-origin request that omits it
    key = origin_key(origin)
    if key is not None and (
        any(key == origin_key(entry) for entry in allowed)
        or (host and key == origin_key(f"{scheme}://{host}"))
    ):
        return
    raise Forbidden(f"origin {origin!r} is not allowed to send beacons here")


class ErrorBody(msgspec.Struct):
    """Every 4xx/503 body: what is wrong, and the details (one per problem)."""

    error: str
    detail: list[str]


class PartialBody(msgspec.Struct):
    """The 202 body: how many events were stored, and each rejected one's index and reason."""

    accepted: int
    rejected: list[dict[str, str | int]]


def error_response(error: RumError) -> Response[ErrorBody]:
    return Response(
        ErrorBody(error.message, [str(item) for item in error.detail]),
        status_code=error.status_code,
        headers=error.headers,
    )


def cors_headers(origin: str | None, settings: Settings) -> dict[str, str]:
    """Let allowed cross-origin pages read the answer (beacons themselves ignore it)."""
    if (
        origin
        and settings.allowed_origins
        and ("*" in settings.allowed_origins or origin in settings.allowed_origins)
    ):
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def check_rate(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a visitor over its token-bucket rate gets a 429 before anything is read."""
    settings: Settings = connection.app.state.settings
    limiter: RateLimiter | None = connection.app.state.rate_limiter
    if limiter is not None:
        limiter.check(client_address(connection, settings.client_ip_header, settings.proxy_hops))


def check_headers(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: content type, encoding, declared length and ``Origin``, before the body."""
    settings: Settings = connection.app.state.settings
    headers = connection.headers
    check_content_type(headers.get("content-type"))
    check_content_encoding(headers.get("content-encoding"))
    check_declared_length(headers.get("content-length"), settings.max_body_bytes)
    scheme = headers.get("x-forwarded-proto", connection.url.scheme).split(",")[0].strip()
    check_origin(
        headers.get("origin"), headers.get("host"), settings.allowed_origins, scheme.lower()
    )


def answer_refusal(request: Request[Any, Any, Any], error: Exception) -> Response[ErrorBody]:
    """Every failure of this route, as its 4xx/503 answer: never a 500 a client cannot fix."""
    if isinstance(error, BatchRefused | QueueFull):
        error = answer_for(error)
    elif not isinstance(error, RumError):
        if is_client_abort(error):
            log.debug("client went away before its body arrived")
            error = MalformedBatch("client disconnected")
        else:
            log.error("unexpected failure while ingesting a batch", exc_info=error)
            error = MalformedBatch(f"batch could not be processed: {type(error).__name__}")
    count_refused(request.app.state, error)
    response = error_response(error)
    response.headers.update(cors_headers(request.headers.get("origin"), request.app.state.settings))
    return response


@post(
    INGEST_PATH,
    status_code=202,
    guards=[check_rate, check_headers],
    exception_handlers={Exception: answer_refusal},
    responses={
        204: ResponseSpec(None, description="every event accepted"),
        400: ResponseSpec(ErrorBody, description="malformed batch, or no valid event"),
        403: ResponseSpec(ErrorBody, description="origin or site not allowed"),
        413: ResponseSpec(ErrorBody, description="body too large (raw or decompressed)"),
        415: ResponseSpec(ErrorBody, description="wrong content type or encoding"),
        429: ResponseSpec(ErrorBody, description="rate limited; see Retry-After"),
        503: ResponseSpec(ErrorBody, description="queue full; see Retry-After"),
    },
    summary="Ingest one RUM batch",
    description=(
        "Wire format v1 (docs/wire.md). 204: all events accepted. 202: some events were "
        "rejected (body names each by index). 400 malformed, 403 origin or site not allowed, "
        "413 too large, 415 wrong content type or encoding, 429 rate limited and 503 overloaded "
        "(both with Retry-After). Never 500."
    ),
    tags=["ingest"],
)
async def ingest(request: Request[object, object, State]) -> Response[PartialBody | None]:
    """Accept a beacon batch: the guards have checked the headers; read, transform, log."""
    state = request.app.state
    settings: Settings = state.settings
    headers = request.headers
    body = await read_within(
        request.stream(), settings.body_timeout_seconds, settings.max_body_bytes
    )
    if check_content_encoding(headers.get("content-encoding")):
        body = gunzip_bounded(body, settings.max_decoded_bytes)
    context = RequestContext(
        received_ns=time.time_ns(),
        user_agent=headers.get("user-agent", ""),
        country=country_from(headers.get(settings.country_header))
        if settings.country_header
        else "",
    )
    pipeline: Pipeline = state.pipeline
    writer: Writer = state.writer
    processed = pipeline.process(body, context)
    writer.submit(processed.columns)
    count_accepted(state, processed.accepted, processed.rejected)
    cors = cors_headers(headers.get("origin"), settings)
    if processed.rejected:
        return Response(
            PartialBody(processed.accepted, processed.rejected), status_code=202, headers=cors
        )
    return Response(None, status_code=204, headers=cors)


def client_address(
    connection: ASGIConnection[Any, Any, Any, Any], trusted_header: str, hops: int = 1
) -> str:
    """The visitor's address: from a trusted proxy header when configured, else the peer."""
    if trusted_header:
        forwarded = visitor_address(connection.headers.getall(trusted_header, []), hops)
        if forwarded:
            return forwarded
    return connection.client.host if connection.client else "unknown"


def country_from(value: str | None) -> str:
    """A two-letter country code from a trusted proxy header (``cf-ipcountry`` …)."""
    code = (value or "").strip().upper()
    return code if len(code) == 2 and code.isalpha() and code != "XX" else ""
