"""The global API through the queue stub, and soft navigations (data-soft-navs)."""

from __future__ import annotations

from e2e.harness import Run

SITE = "e2e-api"


def test_calls_queued_before_the_snippet_loaded_are_replayed(run: Run) -> None:
    events = run.of(SITE, "rum.event")
    assert [r.attr("rum.event.name") for r in events] == ["page_ready"]
    assert events[0].attr("rum.event.attr.kind") == "home"
    assert events[0].attr("rum.event.label.source") == "stub"


def test_identify_sets_the_user_hash_on_later_rows(run: Run) -> None:
    assert {r.attr("rum.user.hash") for r in run.of(SITE)} == {
        "cebf292c038fdcd2de5f7ac62c3b81bcfe4efc535383031d762b06b26cfabea2"
    }


def test_push_state_starts_a_soft_navigation_page_view(run: Run) -> None:
    assert run.observed[SITE]["pathname"] == "/demo/products/2"
    views = run.of(SITE, "rum.page_view")
    assert [r.attr("rum.navigation.type") for r in views] == ["navigate", "soft-navigation"]
    assert views[0].attr("rum.page_view.id") != views[1].attr("rum.page_view.id")
    assert "/demo/products/2" in views[1].attr("rum.page.url")
