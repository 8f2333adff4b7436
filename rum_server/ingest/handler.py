"""``POST /__deco/rum``: guard, read, decode, check the site, transform, queue, answer.

The answer never waits for the store: rows go to the writer's queue. The header
checks are guards (:mod:`.guards`); every failure is answered by the route's
exception handlers (:mod:`.errors`), never as a 500, because a client can never
fix a 500.
"""

from __future__ import annotations

import time

import msgspec
from litestar import Request, Response, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from rum_server.ingest.body import check_content_encoding, gunzip_bounded, read_bounded
from rum_server.ingest.errors import EXCEPTION_HANDLERS, ErrorBody, cors_headers
from rum_server.ingest.guards import INGEST_GUARDS, check_site
from rum_server.settings import Settings
from rum_server.storage.writer import Writer
from rum_server.transform.pipeline import Pipeline, RequestContext

INGEST_PATH = "/__deco/rum"


class PartialBody(msgspec.Struct):
    """The 202 body: how many events were stored, and each rejected one's index and reason."""

    accepted: int
    rejected: list[dict[str, str | int]]


@post(
    INGEST_PATH,
    status_code=202,
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
    guards=INGEST_GUARDS,
    exception_handlers=EXCEPTION_HANDLERS,
)
async def ingest(request: Request[object, object, State]) -> Response[PartialBody | None]:
    """Accept a beacon batch; see the module docstring for the order of checks."""
    state = request.app.state
    settings: Settings = state.settings
    headers = request.headers
    body = await read_bounded(request.stream(), settings.max_body_bytes)
    if check_content_encoding(headers.get("content-encoding")):
        body = gunzip_bounded(body, settings.max_decoded_bytes)
    pipeline: Pipeline = state.pipeline
    decoded = pipeline.decode(body)
    check_site(decoded.site, settings.sites)
    context = RequestContext(
        received_ns=time.time_ns(),
        user_agent=headers.get("user-agent", ""),
        country=country_from(headers.get(settings.country_header))
        if settings.country_header
        else "",
    )
    processed = pipeline.rows(decoded, context)
    writer: Writer = state.writer
    writer.submit(processed.columns)
    extra_headers = cors_headers(headers.get("origin"), settings)
    if processed.rejected:
        return Response(
            PartialBody(processed.accepted, processed.rejected),
            status_code=202,
            headers=extra_headers,
        )
    return Response(None, status_code=204, headers=extra_headers)


def country_from(value: str | None) -> str:
    """A two-letter country code from a trusted proxy header (``cf-ipcountry`` …)."""
    code = (value or "").strip().upper()
    return code if len(code) == 2 and code.isalpha() and code != "XX" else ""
