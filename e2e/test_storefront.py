"""Tier 2 and early errors on a fixture storefront (e2e/storefront.py), end to end.

Chromium loads a product page and a cart page from the fixture shop, which beacon to a real
``rum-server serve`` on its own embedded store; the tests read what was stored. The product
page calls the funnel before the snippet loads (queue stub) and after, identifies with an
email (refused) and then with its SHA-256, throws before the snippet loads (early-errors
stub), and loads known images and scripts from its own host, its CDN and a third party.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, sync_playwright

from e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IGNORED_DEFAULT_ARGS,
    Row,
    hide_by_leaving,
    read_rows,
    start_server,
    stop_server,
)
from e2e.storefront import (
    ASSETS,
    EARLY_ERRORS_STUB,
    HOST_RULES,
    SHOP,
    SITE,
    SLOW_MS,
    STATIC,
    THIRD_PARTY,
    USER_EMAIL,
    USER_HASH,
    serve_storefront,
)
from rum_server.query import reports
from rum_server.query.reports import Filters
from rum_server.settings import Settings
from rum_server.storage.store import Store

DOCS = Path(__file__).resolve().parents[1] / "docs" / "snippet.md"
OBSERVE_RESOURCES = """() => performance.getEntriesByType('resource').map((e) => ({
    name: e.name, initiatorType: e.initiatorType, transferSize: e.transferSize,
    decodedBodySize: e.decodedBodySize, contentType: e.contentType,
    renderBlockingStatus: e.renderBlockingStatus, duration: e.duration,
}))"""


@dataclass
class Visit:
    """What was stored, and what each page saw of its own resources."""

    rows: list[Row]
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    user_hash: str = ""
    console: list[ConsoleMessage] = field(default_factory=list)
    funnel: list[dict[str, object]] = field(default_factory=list)
    """``rum-server query events`` on the stored rows (the reserved funnel's first steps)."""

    @property
    def dev_warnings(self) -> list[str]:
        return [message.text for message in self.console if message.type == "warning"]

    def on(self, page: str) -> list[Row]:
        """The rows of one page (``/`` the product page, ``/cart``)."""
        return [r for r in self.rows if r.site == SITE and r.attr("rum.page.url").endswith(page)]

    def of(self, event: str, page: str) -> list[Row]:
        return [r for r in self.on(page) if r.event == event]


def settle(page: Page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(800)


@pytest.fixture(scope="module")
def visit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Visit]:
    data_dir = tmp_path_factory.mktemp("storefront") / "data"
    # The pages live on another origin than the server (shop.test): let them beacon.
    previous = os.environ.get("RUM_ALLOWED_ORIGINS")
    os.environ["RUM_ALLOWED_ORIGINS"] = "*"
    try:
        process, base_url = start_server(data_dir, data_dir.parent / "server.log")
    finally:
        if previous is None:
            del os.environ["RUM_ALLOWED_ORIGINS"]
        else:
            os.environ["RUM_ALLOWED_ORIGINS"] = previous
    observed = Visit(rows=[])
    try:
        with serve_storefront(base_url + "/__deco/rum") as port, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    *CHROMIUM_ARGS,
                    f"--host-resolver-rules={HOST_RULES}",
                    # SubtleCrypto (DECO_RUM.sha256) needs a secure context, as in production.
                    f"--unsafely-treat-insecure-origin-as-secure=http://{SHOP}:{port}",
                ],
                ignore_default_args=IGNORED_DEFAULT_ARGS,
            )
            try:
                page = browser.new_context().new_page()
                page.goto(f"http://{SHOP}:{port}/")
                settle(page)
                page.click("#buy")
                page.click("#checkout")
                page.wait_for_timeout(300)
                observed.user_hash = page.evaluate("window.userHash")
                observed.resources["/"] = page.evaluate(OBSERVE_RESOURCES)
                # Leaving hides the product page (its beacons go) and opens the cart.
                page.goto(f"http://{SHOP}:{port}/cart")
                settle(page)
                observed.resources["/cart"] = page.evaluate(OBSERVE_RESOURCES)
                hide_by_leaving(page)
                # The development build (rum.dev.js) warns in the console.
                page.on("console", lambda message: observed.console.append(message))
                page.goto(f"http://{SHOP}:{port}/dev")
                settle(page)
                hide_by_leaving(page)
            finally:
                browser.close()
    finally:
        stop_server(process)
    observed.rows = read_rows(data_dir)
    observed.funnel = funnel_report(data_dir)
    yield observed


FUNNEL_STEPS = ["view_item_list", "view_product", "add_to_cart", "begin_checkout"]


def funnel_report(data_dir: Path) -> list[dict[str, object]]:
    """The funnel report (the CLI's and the API's) over what the shop stored."""
    store = Store(Settings(dsn=f"chdb://{data_dir}"))
    try:
        return reports.events(store, Filters(site=SITE, metric=""), FUNNEL_STEPS).rows
    finally:
        store.close()


def test_the_funnel_before_and_after_the_snippet_loaded_is_stored(visit: Visit) -> None:
    events = visit.of("rum.event", "/")
    names = [r.attr("rum.event.name") for r in sorted(events, key=lambda r: r.timestamp)]
    assert names == ["view_item_list", "view_product", "add_to_cart", "begin_checkout"]
    view = next(r for r in events if r.attr("rum.event.name") == "view_product")
    assert view.attr("rum.event.label.currency") == "BRL"
    assert view.attr("rum.event.attr.item_id") == "SKU-98765"


def test_the_funnel_report_counts_the_stored_steps_and_their_conversion(visit: Visit) -> None:
    stored = [r.attr("rum.event.name") for r in visit.rows if r.site == SITE]
    counts = [stored.count(name) for name in FUNNEL_STEPS]
    assert [row["event"] for row in visit.funnel] == FUNNEL_STEPS
    assert [row["events"] for row in visit.funnel] == counts  # sample rate 1: weight 1
    conversions = [1.0] + [round(b / a, 4) for a, b in itertools.pairwise(counts)]
    assert [row["conversion"] for row in visit.funnel] == conversions
    assert min(counts) >= 1


def test_an_id_passed_as_a_label_is_refused_in_the_browser(visit: Visit) -> None:
    for row in visit.of("rum.event", "/"):
        assert "rum.event.label.item_id" not in row.attributes


def test_identify_stores_only_the_hash_never_the_email(visit: Visit) -> None:
    assert visit.user_hash == USER_HASH, "DECO_RUM.sha256 is SHA-256 in lowercase hex"
    product_rows = visit.on("/")
    assert product_rows
    assert {r.attr("rum.user.hash") for r in product_rows} == {USER_HASH}
    for row in visit.rows:
        assert USER_EMAIL not in repr(row), row.event


def test_identify_null_stops_the_hash(visit: Visit) -> None:
    cart_rows = visit.on("/cart")
    assert cart_rows
    assert {r.attr("rum.user.hash") for r in cart_rows} == {""}


def test_an_error_thrown_before_the_snippet_loaded_is_stored(visit: Visit) -> None:
    (error,) = visit.of("rum.error", "/")
    assert "boom" in error.attr("rum.error.message")
    assert error.attr("rum.error.type") == "TypeError"
    assert error.attr("rum.error.source") == "error"
    assert error.attr("rum.error.line") not in ("", "0")


def test_a_rejection_before_the_snippet_loaded_is_stored(visit: Visit) -> None:
    (error,) = visit.of("rum.error", "/cart")
    assert error.attr("rum.error.message") == "cart service timed out"
    assert error.attr("rum.error.source") == "unhandledrejection"


def test_the_resource_rollup_counts_what_the_page_loaded(visit: Visit) -> None:
    (row,) = visit.of("rum.resources", "/")
    seen = visit.resources["/"]
    assert int(row.attr("rum.resources.count")) == len(seen) == 8
    assert int(row.attr("rum.resources.transfer_bytes")) == sum(e["transferSize"] for e in seen)
    # Each transfer holds its known body (plus response headers): the assets and the snippet.
    snippet = (STATIC / "rum.attribution.js").stat().st_size
    bodies = sum(len(asset.body) for asset in ASSETS.values()) + snippet
    assert bodies < int(row.attr("rum.resources.transfer_bytes")) < bodies + 8 * 1000
    assert row.attr("rum.resources.initiator.img.count") == "4"
    assert row.attr("rum.resources.initiator.script.count") == "3"
    assert row.attr("rum.resources.initiator.link.count") == "1"
    # Other origins' content types need CORS; without it the browser says "" (unknown).
    for content_type in {e["contentType"] for e in seen}:
        key = content_type or "unknown"
        count = sum(1 for e in seen if e["contentType"] == content_type)
        assert row.attr(f"rum.resources.content_type.{key}.count") == str(count)
    assert row.attr("rum.resources.content_type.text/css.count") == "1"
    assert row.attr("rum.resources.render_blocking") == "2"  # the stylesheet and app.js
    assert row.attr("rum.resources.cache_hits") == "0"


def test_the_resource_rollup_tells_third_parties_by_registrable_domain(visit: Visit) -> None:
    (row,) = visit.of("rum.resources", "/")
    third = [e for e in visit.resources["/"] if f"//{THIRD_PARTY}:" in e["name"]]
    assert row.attr("rum.resources.third_party.count") == "2"
    assert row.attr("rum.resources.third_party_share") == "0.25"
    host_bytes = row.attr("rum.resources.third_party.host.thirdparty.test.transfer_bytes")
    assert int(host_bytes) == sum(e["transferSize"] for e in third)
    # cdn.shop.test is the shop's own CDN: first party.
    assert not [key for key in row.attributes if "shop.test" in key]


def test_the_slowest_resource_is_stored_without_its_query(visit: Visit) -> None:
    (row,) = visit.of("rum.resources", "/")
    slowest = row.attr("rum.resources.slowest.1.url")
    assert re.fullmatch(r"http://shop\.test:\d+/img/slow\.png", slowest)
    assert float(row.attr("rum.resources.slowest.1.duration")) >= SLOW_MS
    assert "secret" not in repr(row)


def test_a_second_page_finds_the_logo_in_the_cache(visit: Visit) -> None:
    (row,) = visit.of("rum.resources", "/cart")
    seen = visit.resources["/cart"]
    hits = [e for e in seen if e["transferSize"] == 0 and e["decodedBodySize"] > 0]
    assert hits, seen
    assert row.attr("rum.resources.cache_hits") == str(len(hits))


def test_the_early_errors_stub_is_the_documented_one() -> None:
    assert EARLY_ERRORS_STUB in DOCS.read_text()


def test_the_development_build_warns_once_per_distinct_mistake(visit: Visit) -> None:
    warnings = visit.dev_warnings
    assert len(warnings) == 3, warnings
    assert "event name" in warnings[0]
    assert "item_id: looks like an identifier" in warnings[1]
    assert "identify takes a SHA-256" in warnings[2]
    # The valid call still goes, the invalid ones do not.
    dev_events = [r for r in visit.rows if r.site == SITE + "-dev" and r.event == "rum.event"]
    assert [r.attr("rum.event.name") for r in dev_events] == ["newsletter_signup"]
