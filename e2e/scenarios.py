"""What the browser does on the demo pages, one function per site id.

Each scenario opens its own browser context, drives the demo page through its query
switches (rum_server/web/demo.py), hides the page for real (by leaving it) so the snippet
beacons, and returns what the page measured itself for the tests to compare.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, Page

from e2e.harness import ARTIFACTS, Scenario, hide_by_leaving, toggle_visibility


@contextmanager
def open_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        yield context.new_page()
    finally:
        context.close()


def settle(page: Page) -> None:
    """Let the page load and paint, and the async snippet run."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(700)


def vitals(browser: Browser, base: str) -> dict[str, Any]:
    """A known layout shift, an add-to-cart event, a 150 ms click handler, trace meta tags."""
    with open_page(browser) as page:
        page.goto(f"{base}/?site=e2e-vitals&shift=1&block=150&trace=1")
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "demo-page.png"), full_page=True)
        page.click("button.add >> nth=0")
        page.click("#slow")
        page.wait_for_timeout(300)
        observed: dict[str, Any] = page.evaluate("window.__observed")
        hide_by_leaving(page)
    return observed


def no_shift(browser: Browser, base: str) -> dict[str, Any]:
    with open_page(browser) as page:
        page.goto(f"{base}/demo/products/2?site=e2e-noshift")
        settle(page)
        hide_by_leaving(page)
    return {}


def errors(browser: Browser, base: str) -> dict[str, Any]:
    """One error thrown three times, a rejection, an error whose message holds an email."""
    with open_page(browser) as page:
        page.goto(f"{base}/?site=e2e-errors&throw=3&reject=1&email=1")
        settle(page)
        hide_by_leaving(page)
    return {}


def bfcache(browser: Browser, base: str) -> dict[str, Any]:
    """Leave the page and come back: Chromium restores it from the back/forward cache."""
    with open_page(browser) as page:
        page.goto(f"{base}/?site=e2e-bfcache")
        settle(page)
        page.goto(f"{base}/demo/cart?site=e2e-bfcache-other")
        settle(page)
        page.go_back(wait_until="commit")
        page.wait_for_timeout(1000)
        restored = page.evaluate(
            "performance.getEntriesByType('navigation')[0].type + ' ' + document.readyState"
        )
        hide_by_leaving(page)
    return {"restored": restored}


def visit(
    browser: Browser, base: str, query: str, clicks: tuple[str, ...] = ("#slow",)
) -> dict[str, Any]:
    """Load the home page with `query`, click, and leave; report the page's sessionStorage keys."""
    with open_page(browser) as page:
        page.goto(f"{base}/?{query}")
        settle(page)
        for selector in clicks:
            page.click(selector)
        storage: list[str] = page.evaluate("Object.keys(sessionStorage)")
        hide_by_leaving(page)
    return {"session_storage_keys": storage}


def rate_zero(browser: Browser, base: str) -> dict[str, Any]:
    return visit(browser, base, "site=e2e-rate0&rate=0&throw=1")


def errors_only_sampled(browser: Browser, base: str) -> dict[str, Any]:
    """Sessions dropped for vitals (rate 0) but kept for errors (error rate 1)."""
    return visit(browser, base, "site=e2e-error-rate&rate=0&error_rate=1&throw=2")


def errors_dropped(browser: Browser, base: str) -> dict[str, Any]:
    """Sessions kept (rate 1) whose errors are dropped (error rate 0)."""
    return visit(browser, base, "site=e2e-no-error-rate&rate=1&error_rate=0&throw=2")


def without_inp_support(browser: Browser, base: str) -> dict[str, Any]:
    """A page whose Event Timing lacks interactionId, as in browsers without INP."""
    return visit(browser, base, "site=e2e-fid&no_inp=1&block=150")


def consent_never(browser: Browser, base: str) -> dict[str, Any]:
    """Consent required and never given: nothing leaves the page, nothing is stored."""
    return visit(browser, base, "site=e2e-consent-never&consent=required&throw=1")


def consent_given(browser: Browser, base: str) -> dict[str, Any]:
    """Consent required, then given: what was measured before and after is sent."""
    with open_page(browser) as page:
        page.goto(f"{base}/?site=e2e-consent-given&consent=required&throw=1")
        settle(page)
        before = page.evaluate("Object.keys(sessionStorage)")
        page.click("#accept")
        page.click("button.add >> nth=1")
        after = page.evaluate("Object.keys(sessionStorage)")
        hide_by_leaving(page)
    return {"before": before, "after": after}


def errors_build(browser: Browser, base: str) -> dict[str, Any]:
    return visit(browser, base, "site=e2e-errors-build&build=errors&throw=1&shift=1")


def attribution_build(browser: Browser, base: str) -> dict[str, Any]:
    return visit(browser, base, "site=e2e-attribution&build=attribution&shift=1")


def rereports(browser: Browser, base: str) -> dict[str, Any]:
    """Hide and show the page three times while CLS and INP grow: the same ids are re-sent."""
    with open_page(browser) as page:
        page.goto(f"{base}/?site=e2e-rereport&block=120")
        settle(page)
        page.click("button.add >> nth=0")
        toggle_visibility(page, hidden=True)
        toggle_visibility(page, hidden=False)
        for height in (80, 160):
            page.evaluate(
                """(height) => {
                    const banner = document.createElement('div');
                    banner.style.height = height + 'px';
                    banner.textContent = 'Sale';
                    document.body.insertBefore(banner, document.querySelector('main'));
                }""",
                height,
            )
            page.wait_for_timeout(700)
            page.click("#slow")
            page.wait_for_timeout(300)
            toggle_visibility(page, hidden=True)
            toggle_visibility(page, hidden=False)
        hide_by_leaving(page)
    return {}


def api_and_soft_navigation(browser: Browser, base: str) -> dict[str, Any]:
    """API calls queued by the stub before the snippet loads, then a pushState navigation."""
    with open_page(browser) as page:
        page.goto(f"{base}/?site=e2e-api&stub=1&soft_navs=1")
        settle(page)
        page.click("a[data-soft]")
        page.wait_for_timeout(300)
        url: str = page.evaluate("location.pathname")
        hide_by_leaving(page)
    return {"pathname": url}


SCENARIOS: dict[str, Scenario] = {
    "e2e-vitals": vitals,
    "e2e-noshift": no_shift,
    "e2e-errors": errors,
    "e2e-bfcache": bfcache,
    "e2e-rate0": rate_zero,
    "e2e-error-rate": errors_only_sampled,
    "e2e-no-error-rate": errors_dropped,
    "e2e-consent-never": consent_never,
    "e2e-consent-given": consent_given,
    "e2e-errors-build": errors_build,
    "e2e-attribution": attribution_build,
    "e2e-rereport": rereports,
    "e2e-fid": without_inp_support,
    "e2e-api": api_and_soft_navigation,
}
