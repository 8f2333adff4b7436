"""The daily label budget: bounded per (day, site, event, key), seeded from stored values."""

from __future__ import annotations

from datetime import date, timedelta

from rum_server.storage.label_values import label_values_sql
from rum_server.transform.label_budget import LabelBudget, utc_day
from rum_server.transform.redact import OVERFLOW

DAY = date(2026, 11, 30)


def test_values_beyond_the_budget_overflow_but_known_ones_stay() -> None:
    budget = LabelBudget(max_values=2)
    assert budget.admit(DAY, "shop", "add_to_cart", "category", "shirts") == "shirts"
    assert budget.admit(DAY, "shop", "add_to_cart", "category", "shoes") == "shoes"
    assert budget.admit(DAY, "shop", "add_to_cart", "category", "hats") == OVERFLOW
    assert budget.admit(DAY, "shop", "add_to_cart", "category", "shirts") == "shirts"


def test_each_site_event_and_key_has_its_own_budget() -> None:
    budget = LabelBudget(max_values=1)
    assert budget.admit(DAY, "a", "e", "k", "1") == "1"
    assert budget.admit(DAY, "b", "e", "k", "2") == "2"
    assert budget.admit(DAY, "a", "f", "k", "3") == "3"
    assert budget.admit(DAY, "a", "e", "j", "4") == "4"
    assert budget.admit(DAY, "a", "e", "k", "5") == OVERFLOW


def test_a_new_utc_day_opens_a_new_budget() -> None:
    budget = LabelBudget(max_values=1)
    assert budget.admit(DAY, "a", "e", "k", "1") == "1"
    assert budget.admit(DAY, "a", "e", "k", "2") == OVERFLOW
    assert budget.admit(DAY + timedelta(days=1), "a", "e", "k", "2") == "2"


def test_yesterday_is_still_known_older_days_are_not() -> None:
    budget = LabelBudget(max_values=1)
    budget.admit(DAY, "a", "e", "k", "1")
    budget.admit(DAY + timedelta(days=1), "a", "e", "k", "1")
    assert budget.admit(DAY, "a", "e", "k", "2") == OVERFLOW  # yesterday: still full
    assert budget.admit(DAY - timedelta(days=1), "a", "e", "k", "x") == OVERFLOW


def test_one_site_cannot_use_up_another_sites_slots() -> None:
    budget = LabelBudget(max_values=5, max_slots_per_site=1)
    assert budget.admit(DAY, "a", "e", "k", "1") == "1"
    assert budget.admit(DAY, "a", "e", "other_key", "1") == OVERFLOW
    assert budget.admit(DAY, "b", "e", "k", "1") == "1"


def test_seeding_from_stored_values_does_not_reopen_the_budget() -> None:
    """A restart (or a second worker) starts from what is already stored."""
    stored = [(DAY, "a", "e", "k", f"v{i}") for i in range(3)]
    budget = LabelBudget(max_values=3)
    assert budget.seed(stored) == 3
    assert budget.admit(DAY, "a", "e", "k", "new") == OVERFLOW
    assert budget.admit(DAY, "a", "e", "k", "v1") == "v1"


def test_two_workers_seeded_from_one_store_agree() -> None:
    first, second = LabelBudget(max_values=2), LabelBudget(max_values=2)
    assert first.admit(DAY, "a", "e", "k", "x") == "x"
    second.seed([(DAY, "a", "e", "k", "x")])  # what the first stored, read at start
    assert second.admit(DAY, "a", "e", "k", "y") == "y"
    assert second.admit(DAY, "a", "e", "k", "z") == OVERFLOW


def test_the_budget_day_is_the_utc_day() -> None:
    assert utc_day(1_764_547_199 * 10**9) == date(2025, 11, 30)  # 23:59:59 UTC
    assert utc_day(1_764_547_200 * 10**9) == date(2025, 12, 1)


def test_the_seed_query_reads_the_small_rollup_with_a_bound_per_slot() -> None:
    sql = label_values_sql("otel", DAY, 100)
    assert "otel.rum_event_label_values" in sql
    assert "otel_logs" not in sql
    assert "LIMIT 200 BY day, ServiceName, RumEventName, label_key" in sql
