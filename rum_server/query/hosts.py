"""``Host`` allow-list for the query API and the dashboard when no API token is set.

Without a token the API answers loopback clients only, but a page on any site
can rebind its own name to 127.0.0.1 (DNS rebinding) and read the answers as
same-origin: the peer address is loopback, only the ``Host`` header betrays the
foreign name. So without a token the API and dashboard answer only loopback
names (``localhost``, ``*.localhost``, loopback addresses) and the names listed
in ``RUM_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from rum_server.settings import Settings


def host_name(host_header: str) -> str:
    """``"[::1]:8000"`` → ``"::1"``, ``"LocalHost.:8000"`` → ``"localhost"``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def host_allowed(host_header: str, allowed: tuple[str, ...]) -> bool:
    name = host_name(host_header)
    if name == "localhost" or name.endswith(".localhost") or name in allowed:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_allowed_host(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: with no API token, only loopback or listed ``Host`` names are answered."""
    settings: Settings = connection.app.state.settings
    if settings.api_token:
        return
    host = connection.headers.get("host", "")
    if not host_allowed(host, tuple(name.lower() for name in settings.allowed_hosts)):
        raise PermissionDeniedException(
            f"host {host_name(host)!r} is not allowed without RUM_API_TOKEN; "
            "use localhost or list the name in RUM_ALLOWED_HOSTS"
        )
