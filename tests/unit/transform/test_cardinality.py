"""Custom-event labels stay groupable: a bounded number of values per key."""

from __future__ import annotations

from rum_server.transform.cardinality import OTHER, LabelGuard, RouteGuard


def test_values_beyond_the_bound_become_other_but_known_ones_stay() -> None:
    guard = LabelGuard(max_values=2)
    assert guard.admit("shop", "add_to_cart", "category", "shirts") == "shirts"
    assert guard.admit("shop", "add_to_cart", "category", "shoes") == "shoes"
    assert guard.admit("shop", "add_to_cart", "category", "hats") == OTHER
    assert guard.admit("shop", "add_to_cart", "category", "shirts") == "shirts"


def test_each_site_event_and_key_has_its_own_bound() -> None:
    guard = LabelGuard(max_values=1)
    assert guard.admit("a", "e", "k", "1") == "1"
    assert guard.admit("b", "e", "k", "2") == "2"
    assert guard.admit("a", "f", "k", "3") == "3"
    assert guard.admit("a", "e", "j", "4") == "4"
    assert guard.admit("a", "e", "k", "5") == OTHER


def test_the_number_of_tracked_keys_is_bounded_too() -> None:
    guard = LabelGuard(max_values=5, max_keys=1)
    assert guard.admit("a", "e", "k", "1") == "1"
    assert guard.admit("a", "e", "other-key", "1") == OTHER


def test_each_site_has_its_own_label_key_budget() -> None:
    guard = LabelGuard(max_values=5, max_keys=2)
    assert [guard.admit("noisy", "e", f"k{n}", "v") for n in range(3)] == ["v", "v", OTHER]
    assert guard.admit("quiet", "e", "category", "shirts") == "shirts"


def test_the_number_of_tracked_sites_is_bounded() -> None:
    guard = LabelGuard(max_sites=1)
    assert guard.admit("a", "e", "k", "1") == "1"
    assert guard.admit("b", "e", "k", "1") == OTHER


def test_routes_beyond_a_sites_daily_budget_become_other_until_the_next_day() -> None:
    guard = RouteGuard(max_routes=2)
    assert [guard.admit("shop", 1, route) for route in ("/a", "/b", "/c", "/a")] == [
        "/a",
        "/b",
        OTHER,
        "/a",
    ]
    assert guard.admit("other-shop", 1, "/c") == "/c"
    assert guard.admit("shop", 2, "/c") == "/c"
