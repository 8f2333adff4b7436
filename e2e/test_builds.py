"""The errors-only and attribution builds do what their names say."""

from __future__ import annotations

from e2e.harness import Run


def test_errors_build_sends_errors_and_page_views_but_no_web_vitals(run: Run) -> None:
    events = [r.event for r in run.of("e2e-errors-build")]
    assert "rum.page_view" in events
    assert "rum.error" in events
    assert "rum.web_vital" not in events


def test_attribution_build_stores_the_lcp_element_selector(run: Run) -> None:
    lcp = run.vitals("e2e-attribution", "LCP")
    assert len(lcp) == 1
    # web-vitals 6 names the LCP element's selector `target` (rum.attribution.target).
    assert lcp[0].attr("rum.attribution.target").startswith(("html>", "body>", "main>", "#"))


def test_attribution_build_stores_the_interaction_target(run: Run) -> None:
    inp = run.vitals("e2e-attribution", "INP")
    assert inp and inp[-1].attr("rum.attribution.interactionTarget") == "#slow"
    assert inp[-1].attr("rum.attribution.interactionType") == "pointer"


def test_standard_build_sends_no_attribution(run: Run) -> None:
    for row in run.of("e2e-vitals", "rum.web_vital"):
        assert not [k for k in row.attributes if k.startswith("rum.attribution.")]
