"""Which values may be a custom-event label, and which event names are accepted."""

from __future__ import annotations

import pytest

from rum_server.transform.labels import REASONS, LabelStats, is_event_name, label_refusal


@pytest.mark.parametrize(
    "value",
    ["BRL", "credit_card", "express", "Home > Shoes", "pix", "42", "2026", "tenis-azul-42"],
)
def test_low_cardinality_values_may_be_labels(value: str) -> None:
    assert label_refusal(value) == ""


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("x" * 65, "too_long"),
        ("ana@example.org", "email"),
        ("ana%40example.org", "email"),  # percent-encoded before detecting
        ("ana%2540example.org", "email"),  # and double-encoded
        ("an\u200ba@exam\x00ple.org", "email"),  # invisible characters removed first
        ("5f0c8a2e-1b3d-4e6f-9a7b-8c9d0e1f2a3b", "uuid"),
        ("5f0c8a2e1b3d4e6f9a7b8c9d0e1f2a3b", "uuid"),
        ("deadbeef12345678", "hex"),
        ("sku-8472615", "digits"),
        ("8472615", "digits"),
        ("(11) 9 8765-4321", "digits"),
        ("529.982.247-25", "digits"),
        ("Bearer abc.def.ghi.jkl", "pii"),
    ],
)
def test_identifier_like_values_are_refused_with_a_reason(value: str, reason: str) -> None:
    assert label_refusal(value) == reason
    assert reason in REASONS


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("purchase", True),
        ("add_to_cart", True),
        ("a", True),
        ("a" * 40, True),
        ("a" * 41, False),
        ("Purchase", False),
        ("add-to-cart", False),
        ("1st_visit", False),
        ("_private", False),
        ("view product", False),
        ("purchase\n", False),
    ],
)
def test_event_names_are_lower_snake_case_up_to_40(name: str, accepted: bool) -> None:
    assert is_event_name(name) is accepted


def test_stats_list_every_reason_even_at_zero() -> None:
    stats = LabelStats()
    stats.refused("email")
    stats.refused("email")
    stats.overflowed()
    snapshot = stats.snapshot()
    assert snapshot["refused"] == {reason: 2 if reason == "email" else 0 for reason in REASONS}
    assert snapshot["over_budget"] == 1
