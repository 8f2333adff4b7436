"""The ingest path's exceptions and how each becomes an HTTP answer.

Each :class:`RumError` carries its status; :data:`EXCEPTION_HANDLERS` (Litestar
exception handlers on the ingest route, the style the query API uses) also map the
pure pipeline's :class:`InvalidBatch` to 400 and the writer's :class:`QueueFull` to
503, so the transform and storage stages know nothing of HTTP. One place maps
failures to permanent (4xx) or retryable (429/503) answers, and nothing a client
sends can become a 500.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.types import ExceptionHandlersMap

from rum_server.settings import Settings
from rum_server.storage.writer import QueueFull
from rum_server.transform.pipeline import InvalidBatch

log = logging.getLogger("rum_server.ingest")


class RumError(Exception):
    """Base: an answer to the client, with a status and a JSON-able detail list."""

    status_code = 400
    headers: dict[str, str] = {}  # noqa: RUF012 - class-level default, never mutated

    def __init__(self, message: str, detail: list[object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail: list[object] = detail or []


class MalformedBatch(RumError):
    """The envelope is not valid JSON of wire format v1, or no event is valid."""

    status_code = 400


class Forbidden(RumError):
    """The origin or the site id is not allowed here."""

    status_code = 403


class PayloadTooLarge(RumError):
    """The raw body or its decompressed form is over the limit."""

    status_code = 413


class UnsupportedMediaType(RumError):
    """Neither ``text/plain`` nor ``application/json``, or an unknown content encoding."""

    status_code = 415


class Overloaded(RumError):
    """The write queue is full; the client may retry later."""

    status_code = 503

    def __init__(self, message: str, retry_after_seconds: int = 5) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after_seconds)}


class ErrorBody(msgspec.Struct):
    """Every 4xx/503 body: what is wrong, and the details (one per problem)."""

    error: str
    detail: list[str]


def cors_headers(origin: str | None, settings: Settings) -> dict[str, str]:
    """Let allowed cross-origin pages read the answer (beacons themselves ignore it)."""
    allowed = settings.allowed_origins
    if origin and allowed and ("*" in allowed or origin in allowed):
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def error_response(request: Request[Any, Any, Any], error: RumError) -> Response[ErrorBody]:
    """The answer for ``error``: its status, its headers and the CORS headers."""
    headers = {
        **error.headers,
        **cors_headers(request.headers.get("origin"), request.app.state.settings),
    }
    body = ErrorBody(error.message, [str(item) for item in error.detail])
    return Response(body, status_code=error.status_code, headers=headers)


def invalid_batch(request: Request[Any, Any, Any], exc: InvalidBatch) -> Response[ErrorBody]:
    return error_response(request, MalformedBatch(exc.message, exc.detail))


def queue_full(request: Request[Any, Any, Any], exc: QueueFull) -> Response[ErrorBody]:
    return error_response(request, Overloaded(str(exc)))


def unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    """A bug must still not become a 500 the client cannot fix: logged, answered 400."""
    log.error("unexpected failure while ingesting a batch", exc_info=exc)
    return error_response(
        request, MalformedBatch(f"batch could not be processed: {type(exc).__name__}")
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    RumError: error_response,
    InvalidBatch: invalid_batch,
    QueueFull: queue_full,
    Exception: unexpected,
}
"""How the ingest route answers each failure; Litestar picks the most specific class."""
