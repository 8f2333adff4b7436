"""Ratings use web-vitals' thresholds; stored numbers are text with 0 as "0"."""

from __future__ import annotations

import pytest

from rum_server.transform.rating import format_value, rating


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("LCP", 2500, "good"),
        ("LCP", 2500.1, "needs-improvement"),
        ("LCP", 4000, "needs-improvement"),
        ("LCP", 4000.1, "poor"),
        ("INP", 200, "good"),
        ("INP", 501, "poor"),
        ("CLS", 0, "good"),
        ("CLS", 0.1, "good"),
        ("CLS", 0.25, "needs-improvement"),
        ("CLS", 0.26, "poor"),
        ("FCP", 1800, "good"),
        ("FCP", 3001, "poor"),
        ("TTFB", 800, "good"),
        ("TTFB", 1000, "needs-improvement"),
        ("FID", 100, "good"),
        ("FID", 301, "poor"),
    ],
)
def test_ratings_follow_web_vitals_thresholds(metric: str, value: float, expected: str) -> None:
    assert rating(metric, value) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (2315.0, "2315"),
        (312.4, "312.4"),
        (0.1832, "0.1832"),
        (0.123456, "0.1235"),
        (0.00001, "0"),
        (600000, "600000"),
        (-12.5, "-12.5"),
    ],
)
def test_numbers_are_stored_as_short_exact_text(value: float, text: str) -> None:
    assert format_value(value) == text
