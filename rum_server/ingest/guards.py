"""Checks on a beacon request, cheapest first, each with the HTTP answer it raises.

The header checks run as Litestar guards before the handler reads a byte: rate
limit (429), content type and encoding (415), declared length (413) and origin
(403). The site check needs the decoded envelope, so the handler calls
:func:`check_site` between decoding and building rows, before any row work.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from rum_server.ingest.body import (
    check_content_encoding,
    check_content_type,
    check_declared_length,
)
from rum_server.ingest.errors import Forbidden
from rum_server.ingest.rate_limit import RateLimiter
from rum_server.settings import Settings

Connection = ASGIConnection[Any, Any, Any, Any]


def rate_limit_guard(connection: Connection, _: BaseRouteHandler) -> None:
    """429 when this client sent too many batches (off unless ``rate_limit`` is set)."""
    state = connection.app.state
    limiter: RateLimiter | None = state.rate_limiter
    if limiter is not None:
        limiter.check(client_address(connection, state.settings.client_ip_header))


def body_headers_guard(connection: Connection, _: BaseRouteHandler) -> None:
    """415 for another content type or encoding, 413 for a declared length over the limit."""
    settings: Settings = connection.app.state.settings
    headers = connection.headers
    check_content_type(headers.get("content-type"))
    check_content_encoding(headers.get("content-encoding"))
    check_declared_length(headers.get("content-length"), settings.max_body_bytes)


def origin_guard(connection: Connection, _: BaseRouteHandler) -> None:
    """403 for a browser page on an origin that may not beacon here."""
    settings: Settings = connection.app.state.settings
    headers = connection.headers
    scheme = headers.get("x-forwarded-proto", connection.url.scheme).split(",")[0].strip()
    check_origin(
        headers.get("origin"), headers.get("host"), settings.allowed_origins, scheme.lower()
    )


INGEST_GUARDS = [rate_limit_guard, body_headers_guard, origin_guard]
"""In the order they run: cheapest and most likely to shed load first."""


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


def check_site(site: str, sites: tuple[str, ...]) -> None:
    """403 for a site id outside the configured ``sites`` (any site when none is set)."""
    if sites and site not in sites:
        raise Forbidden(f"site {site!r} is not accepted here")


def client_address(connection: Connection, trusted_header: str) -> str:
    """The visitor's address: from a trusted proxy header when configured, else the peer."""
    if trusted_header:
        forwarded = connection.headers.get(trusted_header, "")
        if forwarded:
            return forwarded.split(",", 1)[0].strip()
    return connection.client.host if connection.client else "unknown"
