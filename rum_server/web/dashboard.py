"""The analyst dashboard: one HTML page and its static assets, served from the package.

The page needs no store access on the server: its script calls the JSON API
(``/__deco/rum/api/…``), so the dashboard shows exactly what the API answers (with the
SQL it ran), a slow query never blocks the HTML, and the page can be cached. Charts are
small hand-written SVG (``dashboard_assets/dashboard.js``): nothing is loaded from a CDN,
so it works on a machine with no network.

Assets are read once when the routes are built. Their URLs carry a content hash
(``?v=…``), so they are cached for a year and a new release is fetched at once; the page
itself is ``no-cache`` (revalidated by ETag).
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from importlib import resources
from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Response

from rum_server.web.early_errors import EARLY_ERRORS_STUB

DASHBOARD_PATH = "/__deco/rum/dashboard"
ASSETS_PATH = f"{DASHBOARD_PATH}/assets"
HELP_PATH = f"{DASHBOARD_PATH}/help"
ASSET_CACHE_SECONDS = 365 * 24 * 3600
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
"""The pages' Content-Security-Policy: the browser itself refuses anything from another host."""

# Litestar appends "; charset=utf-8" to text/* types itself.
CONTENT_TYPES: dict[str, str] = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".html": "text/html",
}
_ASSET_NAMES = ("dashboard.css", "dashboard.js", "favicon.svg")
_PAGE_NAMES = ("dashboard.html", "help.html")


@dataclass(frozen=True, slots=True)
class Asset:
    """One file served as is: its bytes, content type and a strong ETag."""

    body: bytes
    content_type: str
    etag: str

    @classmethod
    def from_bytes(cls, name: str, body: bytes) -> Asset:
        suffix = name[name.rfind(".") :]
        digest = hashlib.sha256(body).hexdigest()[:16]
        return cls(body=body, content_type=CONTENT_TYPES[suffix], etag=f'"{digest}"')

    @property
    def version(self) -> str:
        """The content hash without quotes, used as the ``?v=`` cache buster."""
        return self.etag.strip('"')


def read_asset(name: str) -> bytes:
    """The bytes of a packaged file under ``rum_server/web/dashboard_assets``."""
    return resources.files("rum_server.web").joinpath("dashboard_assets", name).read_bytes()


def render_page(template: str, base: str, assets: dict[str, Asset]) -> str:
    """Fill the page template's placeholders: URL prefix, early-errors stub, asset versions.

    ``base`` is the path the app is mounted at (``""`` at the root), so the page also works
    when the app is mounted under a prefix inside another ASGI application.
    """
    page = template.replace("{{base}}", base)
    page = page.replace("{{early_errors_stub}}", html.escape(EARLY_ERRORS_STUB, quote=False))
    for name, asset in assets.items():
        page = page.replace("{{v:" + name + "}}", asset.version)
    return page


def base_path(request: Request[Any, Any, Any]) -> str:
    """The mount prefix of this request (``root_path`` of the ASGI scope), without a slash."""
    return str(request.scope.get("root_path") or "").rstrip("/")


def not_modified(request: Request[Any, Any, Any], etag: str) -> bool:
    """True when the browser already holds this exact version."""
    sent = request.headers.get("if-none-match", "")
    return etag in (tag.strip() for tag in sent.split(","))


def cached_response(
    request: Request[Any, Any, Any], asset: Asset, cache_control: str
) -> Response[bytes]:
    """200 with the body, or 304 when the ETag matches; same cache headers either way."""
    headers = {
        "Cache-Control": cache_control,
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
    }
    if asset.content_type == "text/html":
        headers["Content-Security-Policy"] = PAGE_POLICY
        headers["Referrer-Policy"] = "same-origin"
    if not_modified(request, asset.etag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=asset.body, media_type=asset.content_type, headers=headers)


def dashboard_routes() -> list[HTTPRouteHandler]:
    """The dashboard page, its help page and its assets, as Litestar handlers."""
    assets = {name: Asset.from_bytes(name, read_asset(name)) for name in _ASSET_NAMES}
    templates = {name: read_asset(name).decode("utf-8") for name in _PAGE_NAMES}
    rendered: dict[tuple[str, str], Asset] = {}

    def page(name: str, base: str) -> Asset:
        key = (name, base)
        if key not in rendered:
            html = render_page(templates[name], base, assets)
            rendered[key] = Asset.from_bytes(name, html.encode("utf-8"))
        return rendered[key]

    @get(DASHBOARD_PATH, include_in_schema=False, sync_to_thread=False)
    def dashboard_page(request: Request[Any, Any, Any]) -> Response[bytes]:
        """The dashboard; its script reads the JSON API."""
        return cached_response(request, page("dashboard.html", base_path(request)), "no-cache")

    @get(HELP_PATH, include_in_schema=False, sync_to_thread=False)
    def dashboard_help(request: Request[Any, Any, Any]) -> Response[bytes]:
        """How to put the snippet on a page: the link from the dashboard's empty state."""
        return cached_response(request, page("help.html", base_path(request)), "no-cache")

    @get(f"{ASSETS_PATH}/{{name:str}}", include_in_schema=False, sync_to_thread=False)
    def dashboard_asset(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
        """A fixed set of files (no path from the URL reaches the file system)."""
        asset = assets.get(name)
        if asset is None:
            raise NotFoundException(f"no dashboard asset named {name!r}")
        versioned = request.query_params.get("v") == asset.version
        cache = f"public, max-age={ASSET_CACHE_SECONDS}, immutable" if versioned else "no-cache"
        return cached_response(request, asset, cache)

    return [dashboard_page, dashboard_help, dashboard_asset]
