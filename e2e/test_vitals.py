"""Web Vitals measured by the snippet in Chromium match what the browser itself saw."""

from __future__ import annotations

import pytest

from e2e.harness import Run

SITE = "e2e-vitals"


@pytest.mark.parametrize(
    ("metric", "observed_key"), [("LCP", "lcp"), ("FCP", "fcp"), ("TTFB", "ttfb")]
)
def test_timings_match_the_page_own_observer(run: Run, metric: str, observed_key: str) -> None:
    rows = run.vitals(SITE, metric)
    assert len(rows) == 1, [r.attributes for r in rows]
    stored = float(rows[0].attr("rum.metric.value"))
    observed = float(run.observed[SITE][observed_key])
    assert abs(stored - observed) <= 1.0, f"{metric}: stored {stored}, page saw {observed}"


def test_known_layout_shift_gives_cls_above_zero(run: Run) -> None:
    values = [float(r.attr("rum.metric.value")) for r in run.vitals(SITE, "CLS")]
    assert values and max(values) > 0


def test_page_without_shift_stores_cls_zero(run: Run) -> None:
    rows = run.vitals("e2e-noshift", "CLS")
    assert [r.attr("rum.metric.value") for r in rows] == ["0"]


def test_click_blocking_150_ms_gives_inp_of_at_least_150(run: Run) -> None:
    values = [float(r.attr("rum.metric.value")) for r in run.vitals(SITE, "INP")]
    assert values and max(values) >= 150, values


def test_every_row_carries_page_and_session_context(run: Run) -> None:
    rows = run.of(SITE)
    assert {r.event for r in rows} >= {"rum.page_view", "rum.web_vital", "rum.event"}
    assert len({r.attr("rum.page_view.id") for r in rows}) == 1
    assert len({r.attr("rum.session.id") for r in rows}) == 1
    for row in rows:
        assert row.attr("rum.navigation.type") == "navigate"
        assert row.attr("rum.route") == "/"
        assert row.attr("rum.viewport") == "1280x720"
        assert row.attr("rum.sample_rate") == "1"


def test_trace_and_request_ids_come_from_the_page_meta_tags(run: Run) -> None:
    for row in run.of(SITE):
        assert row.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert row.attr("rum.request.id") == "req-demo-1"
        assert row.attr("rum.cf_ray") == "8f1c2d3e4a5b6c7d-GRU"


def test_add_to_cart_is_a_custom_event(run: Run) -> None:
    rows = run.of(SITE, "rum.event")
    assert [r.attr("rum.event.name") for r in rows] == ["add_to_cart"]
    assert rows[0].attr("rum.event.attr.sku") == "1"


def test_without_inp_support_first_input_delay_is_sent_as_fid_never_as_inp(run: Run) -> None:
    assert run.vitals("e2e-fid", "INP") == []
    fid = run.vitals("e2e-fid", "FID")
    assert len(fid) == 1
    assert 0 <= float(fid[0].attr("rum.metric.value")) < 150
    assert run.vitals("e2e-fid", "LCP") != []
