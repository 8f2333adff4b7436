"""The dashboard page and its assets, served by Litestar: types, caching, no external URLs."""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.settings import Settings
from rum_server.web.dashboard import DASHBOARD_PATH, HELP_PATH, dashboard_routes
from rum_server.web.early_errors import EARLY_ERRORS_STUB

SNIPPET_LINE = '<script src="/__deco/rum.js" async data-site="my-site"'
ASSET_URL = re.compile(r'(?:src|href)="(/__deco/rum/dashboard/assets/[^"?]+)\?v=([0-9a-f]+)"')
# Any absolute or protocol-relative URL; the SVG namespace is a name, never fetched.
EXTERNAL_URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
ALLOWED_NAMES = {"http://www.w3.org/2000/svg"}
SNIPPET_DOCS = Path(__file__).resolve().parents[2] / "docs" / "snippet.md"
EARLY_ERRORS_BLOCK = re.compile(r"### Early errors.*?```html\n(.*?)\n```", re.DOTALL)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(Litestar(route_handlers=dashboard_routes())) as test_client:
        yield test_client


def external_urls(text: str) -> list[str]:
    """Absolute URLs in ``text`` other than XML namespace names."""
    found = [m.group(0) for m in EXTERNAL_URL.finditer(text)]
    return [url for url in found if not any(name.startswith(url) for name in ALLOWED_NAMES)]


def asset_urls(html: str) -> dict[str, str]:
    return {path: version for path, version in ASSET_URL.findall(html)}


@pytest.mark.parametrize("path", [DASHBOARD_PATH, HELP_PATH])
def test_pages_are_html_revalidated_by_etag(client: TestClient[Litestar], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    etag = response.headers["etag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("path", [DASHBOARD_PATH, HELP_PATH])
def test_pages_forbid_other_hosts_by_content_security_policy(
    client: TestClient[Litestar], path: str
) -> None:
    policy = client.get(path).headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    for name in ("default-src", "script-src", "style-src", "connect-src"):
        assert directives[name] == "'self'"


def test_pages_have_no_inline_script_or_handler(client: TestClient[Litestar]) -> None:
    """The CSP forbids inline script, so the page must not need any."""
    html = client.get(DASHBOARD_PATH).text
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert re.search(r"\son[a-z]+=", html) is None


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("dashboard.js", "text/javascript; charset=utf-8"),
        ("dashboard.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ],
)
def test_assets_are_referenced_and_served_with_their_type(
    client: TestClient[Litestar], name: str, content_type: str
) -> None:
    urls = asset_urls(client.get(DASHBOARD_PATH).text)
    path = f"/__deco/rum/dashboard/assets/{name}"
    assert path in urls
    response = client.get(path, params={"v": urls[path]})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["etag"] == f'"{urls[path]}"'
    assert len(response.content) > 100


@pytest.mark.parametrize(
    ("query", "cache_control"),
    [
        ({}, "no-cache"),
        ({"v": "an-old-version"}, "no-cache"),
    ],
)
def test_an_unversioned_or_stale_asset_url_is_not_cached_for_long(
    client: TestClient[Litestar], query: dict[str, str], cache_control: str
) -> None:
    response = client.get("/__deco/rum/dashboard/assets/dashboard.js", params=query)
    assert response.status_code == 200
    assert response.headers["cache-control"] == cache_control


@pytest.mark.parametrize(
    "name", ["nope.js", "..%2Fdashboard.py", "dashboard.html", "%2Fetc%2Fpasswd"]
)
def test_only_the_listed_assets_are_served(client: TestClient[Litestar], name: str) -> None:
    response = client.get(f"/__deco/rum/dashboard/assets/{name}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        DASHBOARD_PATH,
        HELP_PATH,
        "/__deco/rum/dashboard/assets/dashboard.js",
        "/__deco/rum/dashboard/assets/dashboard.css",
        "/__deco/rum/dashboard/assets/favicon.svg",
    ],
)
def test_nothing_is_loaded_from_another_host(client: TestClient[Litestar], path: str) -> None:
    text = client.get(path).text
    assert external_urls(text) == []


def test_the_external_url_check_catches_a_cdn() -> None:
    html = '<script src="https://cdn.jsdelivr.net/npm/uplot"></script><img src="//x.example.com/a">'
    assert external_urls(html) == ["https://cdn.jsdelivr.net", "//x.example.com"]


@pytest.mark.parametrize("path", [DASHBOARD_PATH, HELP_PATH])
def test_pages_show_the_snippet_line_for_an_empty_store(
    client: TestClient[Litestar], path: str
) -> None:
    html = client.get(path).text.replace("&lt;", "<").replace("&gt;", ">")
    assert SNIPPET_LINE in html


def test_the_empty_state_prints_the_documented_early_errors_stub(
    client: TestClient[Litestar],
) -> None:
    documented = EARLY_ERRORS_BLOCK.search(SNIPPET_DOCS.read_text())
    assert documented is not None, "docs/snippet.md lost its early-errors stub"
    assert documented.group(1) == EARLY_ERRORS_STUB
    page = client.get(DASHBOARD_PATH).text
    shown = re.search(r'<code id="early-errors-stub">(.*?)</code>', page, re.DOTALL)
    assert shown is not None
    assert html_text.unescape(shown.group(1)) == documented.group(1)


def test_page_points_at_the_api_and_help() -> None:
    with TestClient(Litestar(route_handlers=dashboard_routes())) as test_client:
        html = test_client.get(DASHBOARD_PATH).text
    assert 'data-api="/__deco/rum/api"' in html
    assert 'href="/__deco/rum/dashboard/help"' in html
    assert "{{" not in html


def test_urls_follow_the_mount_prefix_of_a_host_app() -> None:
    app = Litestar(route_handlers=dashboard_routes())
    with TestClient(app, root_path="/shop") as test_client:
        html = test_client.get(DASHBOARD_PATH).text
    assert 'data-api="/shop/__deco/rum/api"' in html
    links = re.findall(r'<(?:script|link|a)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert len(links) == 4
    assert all(link.startswith("/shop/__deco/rum/dashboard") for link in links)


# ------------------------------------------------------------------ the API the page reads

# Columns dashboard.js reads from each endpoint (it tolerates others, but draws these).
API_COLUMNS_READ = [
    ("sites", {}, {"site"}),
    ("vitals", {"metric": "LCP", "by": "route"}, {"route", "samples", "p75", "good", "poor"}),
    (
        "vitals",
        {"metric": "CLS", "by": "device"},
        {"device", "samples", "p75", "needs_improvement"},
    ),
    ("trend", {"metric": "INP", "days": "14"}, {"day", "metric", "p75", "samples", "new_releases"}),
    ("pages", {}, {"route", "page_views"}),
    (
        "errors",
        {},
        {"fingerprint", "type", "message", "count", "page_views", "first_seen", "last_seen"},
    ),
    ("events", {}, {"event", "events", "conversion", "of_first"}),
    ("top-events", {}, {"event", "count", "share", "routes"}),
]


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Litestar]]:
    """The whole app on an empty embedded store, its API opened by a token."""
    data_dir = tmp_path_factory.mktemp("dashboard-app") / "data"
    settings = Settings(dsn=f"chdb://{data_dir}", api_token="dashboard-test-token")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_app_serves_the_dashboard(app_client: TestClient[Litestar]) -> None:
    response = app_client.get(DASHBOARD_PATH)
    assert response.status_code == 200
    assert 'data-api="/__deco/rum/api"' in response.text


@pytest.mark.parametrize(("endpoint", "params", "columns"), API_COLUMNS_READ)
def test_the_api_answers_the_columns_the_page_reads(
    app_client: TestClient[Litestar], endpoint: str, params: dict[str, str], columns: set[str]
) -> None:
    response = app_client.get(
        f"/__deco/rum/api/{endpoint}",
        params={"site": "my-site", "days": "7", **params},
        headers={"Authorization": "Bearer dashboard-test-token"},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) >= {"columns", "rows", "sql"}
    assert columns <= set(answer["columns"])
