"""The ingest path's exceptions; each carries the HTTP status it answers with.

One place maps failures to permanent (4xx) or retryable (429/503) answers, so a
handler never has to guess and nothing a client sends can become a 500.
"""

from __future__ import annotations

from rum_server.storage.wal import QueueFull
from rum_server.transform.refusals import BatchRefused, SiteNotAccepted


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


class RequestTimeout(RumError):
    """The body did not arrive within the body deadline (a slow or stalled client)."""

    status_code = 408


def answer_for(failure: BatchRefused | QueueFull) -> RumError:
    """The HTTP answer to a refusal from a later stage (the transform or the write-ahead log)."""
    if isinstance(failure, SiteNotAccepted):
        return Forbidden(failure.message, failure.detail)
    if isinstance(failure, BatchRefused):
        return MalformedBatch(failure.message, failure.detail)
    return Overloaded(failure.message, failure.retry_after_seconds)
