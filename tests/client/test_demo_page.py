"""The demo page (rum_server/web/demo.py): the documented tag, its switches, and safe escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rum_server.web.demo import QUEUE_STUB, render_demo_page, route_of

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "snippet.md").read_text()
TAG = re.compile(r'<script src="/__deco/[^"]+" async data-site=[^\n]*></script>')


def snippet_tag(html: str) -> str:
    found: list[str] = TAG.findall(html)
    assert len(found) == 1, found
    return found[0]


def test_default_tag_has_the_documented_one_line_form() -> None:
    documented = snippet_tag(DOCS)
    tag = snippet_tag(render_demo_page("/", {}, "standard"))
    assert re.sub(r'="[^"]*"', '=""', tag) == re.sub(r'="[^"]*"', '=""', documented)


def test_queue_stub_is_the_documented_one() -> None:
    assert QUEUE_STUB in DOCS
    html = render_demo_page("/", {}, "standard")
    assert html.index(QUEUE_STUB) < html.index(snippet_tag(html))


@pytest.mark.parametrize(
    ("path", "kind", "route"),
    [
        ("/", "home", "/"),
        ("/demo/", "home", "/"),
        ("/demo/products/3", "product", "/demo/products/:id"),
        ("/demo/cart", "cart", "/demo/cart"),
        ("/demo/unknown/page", "home", "/"),
    ],
)
def test_route_patterns(path: str, kind: str, route: str) -> None:
    assert route_of(path) == (kind, route)
    assert f'data-route="{route}"' in render_demo_page(path, {}, "standard")


@pytest.mark.parametrize(
    ("build", "src"),
    [
        ("standard", "/__deco/rum.js"),
        ("attribution", "/__deco/rum.attribution.js"),
        ("errors", "/__deco/rum.errors.js"),
        ("nonsense", "/__deco/rum.js"),
    ],
)
def test_build_switch_picks_the_script(build: str, src: str) -> None:
    assert f'src="{src}"' in snippet_tag(render_demo_page("/", {"build": build}, build))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"site": "e2e-x"}, 'data-site="e2e-x"'),
        ({"rate": "0"}, 'data-sample-rate="0"'),
        ({"rate": "0.25"}, 'data-sample-rate="0.25"'),
        ({"error_rate": "1"}, 'data-error-sample-rate="1"'),
        ({"consent": "required"}, 'data-consent="required"'),
        ({"soft_navs": "1"}, 'data-soft-navs=""'),
    ],
)
def test_switches_set_attributes(query: dict[str, str], expected: str) -> None:
    assert expected in snippet_tag(render_demo_page("/", query, "standard"))


@pytest.mark.parametrize(
    ("query", "absent"),
    [
        ({"site": '"><script>alert(1)</script>'}, "alert(1)"),
        ({"rate": "2"}, 'data-sample-rate="2"'),
        ({"rate": "1;x"}, "1;x"),
        ({"block": "1e9"}, "performance.now() + 1e9"),
        ({"throw": "-1"}, "i <= -1"),
    ],
)
def test_bad_switch_values_never_reach_the_page(query: dict[str, str], absent: str) -> None:
    assert absent not in render_demo_page("/", query, "standard")


@pytest.mark.parametrize(
    ("query", "present"),
    [
        ({"shift": "1"}, "Free shipping this week"),
        ({"block": "300"}, "performance.now() + 300"),
        ({"throw": "3"}, "i <= 3"),
        ({"reject": "1"}, "Promise.reject"),
        ({"email": "1"}, "jane.doe@example.com"),
        ({"trace": "1"}, '<meta name="traceparent"'),
        ({"consent": "required"}, 'id="accept"'),
        ({"stub": "1"}, "DECO_RUM.track('page_ready'"),
    ],
)
def test_scenario_switches(query: dict[str, str], present: str) -> None:
    assert present in render_demo_page("/", query, "standard")
    assert present not in render_demo_page("/", {}, "standard")


def test_page_records_the_browsers_own_timings() -> None:
    html = render_demo_page("/", {}, "standard")
    for entry_type in ("largest-contentful-paint", "paint", "navigation"):
        assert entry_type in html
    assert "window.__observed" in html
