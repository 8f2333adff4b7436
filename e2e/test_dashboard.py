"""The dashboard in a real browser against a real ``rum-server serve``.

One server runs on a store seeded beforehand by ``rum-server demo-data`` (same data
directory, run first: one process per directory), another on an empty store. Debian's
Chromium loads the page over loopback only; the test checks that the charts and tables
are drawn from the seeded data, that the empty state shows the snippet, and saves a
full-page screenshot to ``test-artifacts/dashboard.png``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from e2e.harness import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, wait_until_stored

REPO = Path(__file__).resolve().parents[1]
SITE = "e2e-shop"
SMALL_SITE = "acme-store"
"""The site of docs/examples/page-vitals.json: six rows, one release."""
SNIPPET_LINE = '<script src="/__deco/rum.js" async data-site="my-site"'
VITALS = ["LCP", "INP", "CLS", "FCP", "TTFB"]
START_TIMEOUT_SECONDS = 90
NO_VALUE = "\u2013"  # the en dash the dashboard prints for a missing value


CLI = "import sys; from rum_server.cli.main import main; sys.exit(main())"


def rum_server(*args: str) -> list[str]:
    """The ``rum-server`` console script, run from this checkout's sources."""
    return [sys.executable, "-c", CLI, *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"rum-server serve exited with {process.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/__deco/rum/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"rum-server serve did not become healthy: {log.read_text()}")


@contextmanager
def serving(data_dir: Path) -> Iterator[str]:
    """``rum-server serve`` on ``data_dir`` and a free port; stopped (and reaped) on exit."""
    port = free_port()
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            rum_server("serve", "--port", str(port), "--dsn", f"chdb://{data_dir}"),
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("dashboard-seeded") / "data"
    seed = rum_server(
        "demo-data", "--rows", "8000", "--days", "14", "--site", SITE, "--dsn", f"chdb://{data_dir}"
    )
    subprocess.run(seed, cwd=REPO, check=True, timeout=240, capture_output=True)
    with serving(data_dir) as base:
        # A second site with a handful of rows and one release, first in alphabetical order:
        # the dashboard must still open on the seeded one, and compare has nothing to compare.
        example = (REPO / "docs" / "examples" / "page-vitals.json").read_bytes()
        request = urllib.request.Request(
            f"{base}/__deco/rum", data=example, headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status in (200, 202, 204)
        wait_until_stored(base)
        yield base


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("dashboard-empty") / "data") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """A page plus everything it asked for and every script error it raised."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        """CSP violations are console errors, not page errors: count them as errors."""
        if "Content Security Policy" in message.text:
            self.errors.append(message.text)


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield Visit(context.new_page())
    finally:
        context.close()


def open_dashboard(visit: Visit, base: str, query: str = "") -> Page:
    page = visit.page
    page.goto(f"{base}/__deco/rum/dashboard{query}")
    # Selectors, not wait_for_function: the page's CSP forbids the eval that one needs.
    settled = ", ".join(
        f"body[data-state={state}]" for state in ("ready", "empty", "nodata", "error")
    )
    page.wait_for_selector(settled, state="attached", timeout=60_000)
    return page


def api_status(base: str, path: str) -> int:
    """The status of an API call from this (loopback) test process."""
    try:
        with urllib.request.urlopen(f"{base}/__deco/rum/api/{path}", timeout=30) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def count(page: Page, selector: str) -> int:
    return page.locator(selector).count()


def path_segments(page: Page, selector: str) -> int:
    """Number of M/L commands in an SVG path: one per point drawn."""
    d: Any = page.locator(selector).first.get_attribute("d") or ""
    return sum(1 for token in str(d).split() if token[:1] in ("M", "L"))


def test_one_release_is_an_empty_compare_panel_not_an_error(
    seeded_server: str, visit: Visit
) -> None:
    failed: list[str] = []
    visit.page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page = open_dashboard(visit, seeded_server, f"?site={SMALL_SITE}")
    assert page.evaluate("document.body.dataset.state") == "ready"
    assert "release(s) in the last" in page.locator("#compare .compare-empty").inner_text()
    assert failed == []


def test_seeded_store_draws_every_panel(seeded_server: str, visit: Visit) -> None:
    # No site in the URL: the busiest site of the period, not the first in alphabetical order.
    page = open_dashboard(visit, seeded_server)
    assert page.evaluate("document.body.dataset.state") == "ready"
    assert page.locator("#site").input_value() == SITE
    assert f"site={SITE}" in page.url

    route_rows = count(page, ".routes-table tbody tr")
    trend_points = count(page, "svg.trend-chart circle.point")
    assert route_rows >= 3
    assert trend_points >= 10  # 14 days of data, a point per day
    assert path_segments(page, "svg.trend-chart path.line") == trend_points
    assert count(page, "svg.trend-chart rect.band") >= 2
    assert count(page, ".routes-table .seg") >= route_rows  # rating bars drawn
    assert count(page, ".devices-table tbody tr") == len(VITALS)
    for device_cell in page.locator(".devices-table tbody tr").first.locator("td.vital-cell").all():
        assert device_cell.locator(".pill").inner_text() not in ("", NO_VALUE)
    assert count(page, ".hbars li") >= 3
    assert count(page, ".errors-table tbody tr") >= 1
    page.wait_for_selector(".funnel li[data-event=purchase]", timeout=60_000)
    assert count(page, ".funnel li") == 7  # the reserved funnel, view_item_list → purchase
    with urllib.request.urlopen(f"{seeded_server}/__deco/rum/api/events?site={SITE}") as answer:
        purchase = json.loads(answer.read())["rows"][-1]
    shown = page.locator(".funnel li[data-event=purchase]").inner_text()
    assert f"{purchase['conversion'] * 100:.0f}% of previous" in shown  # the API's conversion
    assert f"{purchase['events']:,}" in shown
    page.wait_for_selector(".events-table tbody tr", timeout=60_000)
    assert count(page, ".events-table tbody tr") == 7
    assert "n=" in page.locator(".routes-table tbody tr").first.inner_text()
    assert "SELECT" in (page.locator("#routes-sql").text_content() or "")
    assert page.locator("#compare").inner_text().strip() != ""
    if api_status(seeded_server, f"vitals?site={SITE}&metric=LCP&by=site") == 200:
        assert count(page, "#summary .tile") == len(VITALS)
        assert "n=" in page.locator("#summary .tile").first.inner_text()
    else:  # an API without site totals: the tiles hide rather than show partial numbers
        assert page.locator("#summary-card").is_hidden()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    assert visit.errors == []
    assert all(url.startswith(seeded_server) for url in visit.requests), visit.requests


def test_metric_picker_redraws_the_trend_and_keeps_it_in_the_url(
    seeded_server: str, visit: Visit
) -> None:
    page = open_dashboard(visit, seeded_server, f"?site={SITE}&days=14")
    page.select_option("#metric", "CLS")
    page.wait_for_selector("#trend-title .metric-name:text-is('CLS')", timeout=60_000)
    page.wait_for_selector("body[data-state=ready] svg.trend-chart", timeout=60_000)
    assert "metric=CLS" in page.url
    assert count(page, "svg.trend-chart circle.point") >= 10
    # CLS is unitless, printed with three decimals.
    label = page.locator(".devices-table tbody tr.selected .pill").first.inner_text()
    assert "ms" not in label and len(label.split(".")[-1]) == 3
    assert visit.errors == []


def test_metrics_and_thresholds_come_from_the_servers_contract(
    seeded_server: str, visit: Visit
) -> None:
    """The page keeps no copy: a contract with another LCP threshold and without TTFB
    redraws the picker, the device table and the trend's bands accordingly."""

    def altered(route: Any) -> None:
        contract = route.fetch().json()
        contract["metrics"] = [m for m in contract["metrics"] if m["name"] != "TTFB"]
        lcp = next(m for m in contract["metrics"] if m["name"] == "LCP")
        lcp["good"], lcp["poor"] = 1234, 5678
        route.fulfill(json=contract)

    visit.page.route("**/__deco/rum/api/contract", altered)
    page = open_dashboard(visit, seeded_server, f"?site={SITE}&days=14")
    assert page.evaluate("document.body.dataset.state") == "ready"
    options = page.locator("#metric option").all()
    assert [option.get_attribute("value") for option in options] == ["LCP", "INP", "CLS", "FCP"]
    assert options[0].inner_text() == "LCP · Largest Contentful Paint"  # the page's label
    assert count(page, ".devices-table tbody tr") == 4
    legend = page.locator("#trend").inner_text()
    assert "good ≤ 1,234 ms" in legend and "5,678 ms" in legend
    assert any(url.endswith("/__deco/rum/api/contract") for url in visit.requests)
    assert visit.errors == []


def test_device_filter_reloads_the_route_table(seeded_server: str, visit: Visit) -> None:
    page = open_dashboard(visit, seeded_server, f"?site={SITE}&device=desktop")
    assert page.locator("#device").input_value() == "desktop"
    assert count(page, ".routes-table tbody tr") >= 1
    assert any("device=desktop" in url and "/api/vitals" in url for url in visit.requests)
    assert visit.errors == []


def test_empty_store_shows_the_snippet_and_how_to_start(empty_server: str, visit: Visit) -> None:
    page = open_dashboard(visit, empty_server)
    assert page.evaluate("document.body.dataset.state") == "empty"
    assert page.locator("#empty").is_visible()
    assert page.locator("#panels").is_hidden()
    assert SNIPPET_LINE in page.locator("#snippet").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-empty.png"), full_page=True)

    page.locator("#help-link").click()
    page.wait_for_load_state()
    assert page.url.endswith("/__deco/rum/dashboard/help")
    assert SNIPPET_LINE in page.locator("pre.snippet").first.inner_text()
    assert visit.errors == []
    assert all(url.startswith(empty_server) for url in visit.requests), visit.requests
