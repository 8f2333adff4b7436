"""Errors from a minified production bundle read as the source that threw them.

The fixture app (e2e/fixture_app) is bundled and minified by the client's esbuild with a
source map, three times: releases r1 and r2 (r2 with a banner, so every minified position
differs) have their maps uploaded before the server starts; r3's map is uploaded through
the API after its errors were stored. Chromium loads each release on two pages of the real
server's origin (the pages and bundles are served to it by Playwright's router, the snippet
and the beacons by the server) and a click throws three calls deep inside the bundle.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Route, sync_playwright

from e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IGNORED_DEFAULT_ARGS,
    ROOT,
    Row,
    hide_by_leaving,
    read_rows,
    start_server,
    stop_server,
)

SITE = "e2e-sourcemaps"
CLIENT = ROOT / "client"
ESBUILD = CLIENT / "node_modules" / ".bin" / "esbuild"
RELEASES = {"r1": "", "r2": "/*! r2: a banner moves every minified position */"}
LATE_RELEASE = "r3"
PAGES = {"page-a": "SAVE10", "page-b": "SUMMER"}
THROW_SITE = "    at applyDiscount (src/cart/discount.ts:6:11)"
CALLERS = ["    at checkout (src/cart/checkout.ts:6:17)", "    at buyWithCode (src/main.ts:17:10)"]


def build(work: Path, release: str, banner: str) -> Path:
    """``<work>/<release>/dist`` with ``js/app.min.js`` and its map, as a deploy has them."""
    if not ESBUILD.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT, check=True)
    project = work / release
    shutil.copytree(ROOT / "e2e" / "fixture_app" / "src", project / "src")
    command = [
        str(ESBUILD),
        str(project / "src" / "main.ts"),
        "--bundle",
        "--minify",
        "--sourcemap",
        "--format=iife",
        "--global-name=shopApp",
        f"--define:RELEASE={json.dumps(release)}",
        f"--outfile={project / 'dist' / 'js' / 'app.min.js'}",
    ]
    if banner:
        command.append(f"--banner:js={banner}")
    subprocess.run(command, check=True, capture_output=True)
    return project / "dist"


def page_html(release: str, page: str, code: str) -> str:
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{page}</title>
<script src="/__deco/rum.js" async data-site="{SITE}" data-version="{release}"
  data-route="/fixture/{page}"></script>
<script src="/fixture/{release}/js/app.min.js"></script>
</head><body>
<button id="buy" onclick="shopApp.buyWithCode('{code}')">Buy with {code}</button>
</body></html>"""


def serve_fixture(builds: dict[str, Path]) -> Any:
    """Playwright route handler: the releases' pages and bundles on the server's origin."""

    def handle(route: Route) -> None:
        parts = urllib.parse.urlsplit(route.request.url).path.split("/")  # /fixture/r1/...
        release, rest = parts[2], "/".join(parts[3:])
        if rest in PAGES:
            route.fulfill(body=page_html(release, rest, PAGES[rest]), content_type="text/html")
        else:
            bundle = builds[release] / rest
            route.fulfill(body=bundle.read_bytes(), content_type="text/javascript")

    return handle


def throw_on_each_page(browser: Browser, base: str, builds: dict[str, Path]) -> None:
    for release in builds:
        for page_name in PAGES:
            context = browser.new_context()
            try:
                context.route("**/fixture/**", serve_fixture(builds))
                page = context.new_page()
                page.goto(f"{base}/fixture/{release}/{page_name}")
                page.wait_for_load_state("load")
                page.wait_for_timeout(700)  # the async snippet runs
                page.click("#buy")
                page.wait_for_timeout(300)
                hide_by_leaving(page)
            finally:
                context.close()


def rum_server(*argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "rum_server.cli.main", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def api(base: str, method: str, query: dict[str, str], body: bytes | None = None) -> Any:
    url = f"{base}/__deco/rum/api/{query.pop('_report')}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, data=body, method=method)
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def upload_through_api(base: str, dist: Path) -> None:
    where = {
        "site": SITE,
        "release": LATE_RELEASE,
        "path": f"/fixture/{LATE_RELEASE}/js/app.min.js",
    }
    script = dist / "js" / "app.min.js"
    api(base, "PUT", {"_report": "sourcemaps", **where}, Path(f"{script}.map").read_bytes())
    api(base, "PUT", {"_report": "sourcemaps", **where, "kind": "source"}, script.read_bytes())


def stack_in_dashboard(browser: Browser, base: str, fingerprint: str) -> str:
    """Open the dashboard on the site, click the error, read the stack it shows."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{base}/__deco/rum/dashboard?site={SITE}")
        page.wait_for_selector("body[data-state=ready]", state="attached", timeout=60_000)
        page.click(f"tr.error-row[data-fingerprint='{fingerprint}']")
        stack = page.wait_for_selector(f"tr[data-detail='{fingerprint}'] pre.error-stack")
        assert stack is not None
        return stack.inner_text()
    finally:
        context.close()


@dataclass
class Story:
    rows: list[Row]
    api_errors: dict[str, Any]
    api_detail: dict[str, Any]
    cli_errors: dict[str, Any]
    late_fingerprint: str
    dashboard_stack: str

    def errors(self, release: str) -> list[Row]:
        return [
            row
            for row in self.rows
            if row.site == SITE
            and row.event == "rum.error"
            and row.resource.get("service.version") == release
        ]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    work = tmp_path_factory.mktemp("sourcemaps")
    builds = {release: build(work, release, banner) for release, banner in RELEASES.items()}
    builds[LATE_RELEASE] = build(work, LATE_RELEASE, "/*! r3 */\n/* one more line */")
    data_dir = work / "data"
    dsn = ["--dsn", f"chdb://{data_dir}"]
    for release in RELEASES:
        rum_server(
            "sourcemaps", "upload", *dsn, "--site", SITE, "--release", release,
            "--url-prefix", f"/fixture/{release}", str(builds[release]),
        )  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, ignore_default_args=IGNORED_DEFAULT_ARGS
        )
        try:
            process, base = start_server(data_dir, work / "server.log")
            try:
                throw_on_each_page(browser, base, builds)
            finally:
                stop_server(process)
            rows = read_rows(data_dir)
            late = [
                r
                for r in rows
                if r.event == "rum.error" and r.resource.get("service.version") == LATE_RELEASE
            ]
            assert late, (work / "server.log").read_text()
            late_fingerprint = late[0].attr("rum.error.fingerprint")

            # After the fact: r3's map (and minified file) through the API of a running server.
            process, base = start_server(data_dir, work / "server-2.log")
            try:
                upload_through_api(base, builds[LATE_RELEASE])
                api_errors = api(base, "GET", {"_report": "errors", "site": SITE})
                detail_query = {"_report": "errors", "site": SITE, "fingerprint": late_fingerprint}
                api_detail = api(base, "GET", detail_query)
                bug = api_errors["rows"][0]["fingerprint"]
                dashboard_stack = stack_in_dashboard(browser, base, bug)
            finally:
                stop_server(process)
        finally:
            browser.close()
    cli_errors = json.loads(rum_server("query", "errors", *dsn, "--site", SITE, "--format", "json"))
    return Story(rows, api_errors, api_detail, cli_errors, late_fingerprint, dashboard_stack)


def test_an_error_deep_in_the_bundle_is_stored_as_the_source_that_threw_it(story: Story) -> None:
    rows = story.errors("r1") + story.errors("r2")
    assert len(rows) == len(RELEASES) * len(PAGES), [r.attributes for r in rows]
    for row in rows:
        stack = row.attr("rum.error.stack").splitlines()
        assert stack[1:4] == [THROW_SITE, *CALLERS], stack
        assert row.attr("rum.error.type") == "RangeError"
        minified = row.attr("rum.error.stack.minified")
        release = row.resource["service.version"]
        assert f"/fixture/{release}/js/app.min.js:" in minified
        assert "applyDiscount" not in minified  # the browser only knew minified names


def test_one_bug_thrown_on_two_pages_in_two_releases_is_one_fingerprint(story: Story) -> None:
    rows = story.errors("r1") + story.errors("r2")
    assert {row.attr("rum.page.url").rsplit("/", 1)[-1] for row in rows} == set(PAGES)
    (fingerprint,) = {row.attr("rum.error.fingerprint") for row in rows}
    assert len(fingerprint) == 16 and int(fingerprint, 16) >= 0


def test_without_a_map_at_ingest_the_stack_is_stored_as_sent(story: Story) -> None:
    rows = story.errors(LATE_RELEASE)
    assert len(rows) == len(PAGES)
    for row in rows:
        assert f"/fixture/{LATE_RELEASE}/js/app.min.js:" in row.attr("rum.error.stack")
        assert row.attr("rum.error.stack.minified") == ""
    assert {row.attr("rum.error.fingerprint") for row in rows} == {story.late_fingerprint}


def test_a_map_uploaded_afterwards_symbolicates_the_stored_stack_in_the_api(story: Story) -> None:
    (detail,) = story.api_detail["rows"]
    assert detail["stack"].splitlines()[1:4] == [THROW_SITE, *CALLERS]
    assert story.late_fingerprint in detail["fingerprints"]
    # The bug now gathers the rows stored before the map: every release and page.
    assert detail["releases"] == ["r1", "r2", LATE_RELEASE]
    assert detail["routes"] == ["/fixture/page-a", "/fixture/page-b"]
    assert detail["page_views"] == 3 * len(PAGES) and detail["sessions"] >= 1
    assert detail["mapped"].startswith("3/")
    (bug,) = story.api_errors["rows"]
    assert bug["top_frame"] == THROW_SITE.strip().removeprefix("at ")
    assert story.late_fingerprint in bug["fingerprints"] and len(bug["fingerprints"]) == 2


def test_and_in_rum_server_query_errors(story: Story) -> None:
    (bug,) = story.cli_errors["rows"]  # one bug is one row, whenever its maps arrived
    assert bug["top_frame"] == THROW_SITE.strip().removeprefix("at ")
    assert bug["page_views"] == 3 * len(PAGES)


def test_and_in_the_dashboard_when_the_error_is_clicked(story: Story) -> None:
    assert story.dashboard_stack.splitlines()[1:4] == [THROW_SITE, *CALLERS]
