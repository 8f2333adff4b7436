"""A back/forward cache restore is a new page view, honestly named."""

from __future__ import annotations

from e2e.harness import Run

SITE = "e2e-bfcache"


def test_chromium_restored_the_page_from_the_bfcache(run: Run) -> None:
    # A restored page keeps its original navigation entry; a reload would be a new one.
    assert run.observed[SITE]["restored"] == "navigate complete"


def test_restore_gives_a_new_page_view_id_with_back_forward_cache(run: Run) -> None:
    views = run.of(SITE, "rum.page_view")
    assert [r.attr("rum.navigation.type") for r in views] == ["navigate", "back-forward-cache"]
    first, restored = (r.attr("rum.page_view.id") for r in views)
    assert first != restored
    assert views[0].attr("rum.session.id") == views[1].attr("rum.session.id")


def test_metrics_after_the_restore_belong_to_the_restored_page_view(run: Run) -> None:
    restored = run.of(SITE, "rum.page_view")[-1].attr("rum.page_view.id")
    ttfb = run.vitals(SITE, "TTFB")
    assert len(ttfb) == 2
    assert ttfb[-1].attr("rum.page_view.id") == restored
    assert ttfb[-1].attr("rum.navigation.type") == "back-forward-cache"
