"""Runs the real server and a real Chromium for the end-to-end tests, then reads the store.

One server run serves every scenario (each scenario uses its own site id, so its rows are
apart); the server is stopped with SIGTERM (it flushes its queue) before the embedded store
is opened here, since one process at a time may open a chdb data directory.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import clickhouse_connect
from playwright.sync_api import Browser, Page, Playwright

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("RUM_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright turns the back/forward cache off by default; the bfcache scenario needs it.
IGNORED_DEFAULT_ARGS = ["--disable-back-forward-cache"]


@dataclass(frozen=True)
class Row:
    """One stored log row, as the analyst sees it."""

    site: str
    event: str
    attributes: dict[str, str]
    resource: dict[str, str]
    trace_id: str
    timestamp: int

    def attr(self, key: str) -> str:
        return self.attributes.get(key, "")


@dataclass
class Run:
    """What one server run stored, per site, and what the pages observed themselves."""

    rows: list[Row]
    observed: dict[str, dict[str, Any]] = field(default_factory=dict)
    server_log: str = ""

    def of(self, site: str, event: str | None = None) -> list[Row]:
        """The site's rows (optionally of one EventName), oldest first."""
        found = [r for r in self.rows if r.site == site and (event is None or r.event == event)]
        return sorted(found, key=lambda r: r.timestamp)

    def vitals(self, site: str, metric: str) -> list[Row]:
        return [r for r in self.of(site, "rum.web_vital") if r.attr("rum.metric.name") == metric]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`rum-server serve --demo` on a free port, once its health check answers 200."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "rum_server.cli.main",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dsn",
        f"chdb://{data_dir}",
        "--demo",
    ]
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(base_url + "/__deco/rum/health", timeout=2) as answer:
                if answer.status == 200:
                    return process, base_url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server not healthy within 90 s:\n{log_path.read_text()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, so the server flushes its queue to the store, then wait for it to exit."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def read_rows(data_dir: Path) -> list[Row]:
    client = clickhouse_connect.get_client(dsn=f"chdb://{data_dir}")
    try:
        result = client.query(
            "SELECT ServiceName, EventName, LogAttributes, ResourceAttributes, TraceId,"
            " toUnixTimestamp64Nano(Timestamp) FROM otel.otel_logs"
        )
        return [
            Row(site, event, dict(attrs), dict(resource), trace_id, int(ts))
            for site, event, attrs, resource, trace_id, ts in result.result_rows
        ]
    finally:
        client.close()


def hide_by_leaving(page: Page) -> None:
    """Really hide the page: navigating away fires pagehide and visibilitychange → hidden."""
    page.goto("about:blank")
    page.wait_for_timeout(300)


def toggle_visibility(page: Page, hidden: bool) -> None:
    """Report the page hidden or visible to its scripts (web-vitals and the snippet).

    Headless Chromium keeps every page visible: bring_to_front, window minimize and
    Page.setWebLifecycleState leave document.visibilityState "visible" (checked in this
    Chromium), and there is no display for a headful browser. So the page's visibilityState
    is overridden and visibilitychange dispatched; the beacons themselves are real.
    """
    page.evaluate(
        """(hidden) => {
            Object.defineProperty(document, 'visibilityState', {
                configurable: true, get: () => (hidden ? 'hidden' : 'visible'),
            });
            document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
        }""",
        hidden,
    )
    page.wait_for_timeout(200)


Scenario = Callable[[Browser, str], dict[str, Any]]


def run_scenarios(playwright: Playwright, data_dir: Path, scenarios: dict[str, Scenario]) -> Run:
    """Start the server, drive every scenario in a fresh browser context, stop, read the store."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = data_dir.parent / "server.log"
    process, base_url = start_server(data_dir, log_path)
    observed: dict[str, dict[str, Any]] = {}
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, ignore_default_args=IGNORED_DEFAULT_ARGS
        )
        try:
            for site, scenario in scenarios.items():
                observed[site] = scenario(browser, base_url)
        finally:
            browser.close()
    finally:
        stop_server(process)
    rows = read_rows(data_dir)
    # What was stored, kept beside the screenshot for whoever reads a failure.
    ordered = sorted(rows, key=lambda row: (row.site, row.timestamp))
    (ARTIFACTS / "e2e-rows.json").write_text(json.dumps([asdict(row) for row in ordered], indent=1))
    return Run(rows, observed, log_path.read_text(errors="replace"))


def wait_until_stored(base: str, timeout: float = 15.0) -> None:
    """Wait for the writer's next flush (every ``RUM_FLUSH_SECONDS``), as a person would
    by the time they type the next command: health counts the rows written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(base + "/__deco/rum/health", timeout=10) as reply:
            health = json.loads(reply.read())
        if health["written_rows"] > 0 and health["queue"]["rows"] == 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"the visits were not stored within {timeout} s: {health}")
