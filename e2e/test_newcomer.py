"""The newcomer's path, end to end: README command 1, click around the demo, see it.

`rum-server serve --demo` runs; Chromium browses the demo store and leaves; then, while
the server still holds the embedded store, `rum-server query vitals` answers (through the
server's API, and says so) and the dashboard's API lists the pages just visited.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    hide_by_leaving,
    start_server,
    stop_server,
    wait_until_stored,
)


def painted(page: Page) -> None:
    """Wait for the first contentful paint, so leaving the page reports FCP like a visit."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "performance.getEntriesByName('first-contentful-paint').length > 0", timeout=10_000
    )
    page.wait_for_timeout(100)


def test_a_newcomer_sees_their_own_visits_in_the_cli_and_the_dashboard(tmp_path: Path) -> None:
    data = tmp_path / "data"
    process, base = start_server(data, tmp_path / "server.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base + "/")
            painted(page)
            page.click("text=Jacket")
            painted(page)
            page.goto(base + "/demo/cart")
            painted(page)
            hide_by_leaving(page)
            browser.close()

        port = base.rsplit(":", 1)[1]
        wait_until_stored(base)
        answer = subprocess.run(
            [
                sys.executable,
                "-m",
                "rum_server.cli.main",
                "query",
                "vitals",
                "--metric",
                "FCP",
                "--by",
                "route",
                "--format",
                "json",
                "--dsn",
                f"chdb://{data}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "RUM_PORT": port, "HOME": str(tmp_path)},
        )
        assert answer.returncode == 0, answer.stderr
        assert "asking it at" in answer.stderr
        routes = {row["route"] for row in json.loads(answer.stdout)["rows"]}
        assert {"/", "/demo/cart"} <= routes

        with urllib.request.urlopen(base + "/__deco/rum/api/pages?days=1", timeout=10) as reply:
            pages = json.loads(reply.read())
        visited = {row["route"]: row["page_views"] for row in pages["rows"]}
        assert visited.get("/", 0) >= 1 and visited.get("/demo/cart", 0) >= 1
        assert len(visited) >= 3  # home, the product page, the cart
    finally:
        stop_server(process)
