"""Web Vitals ratings, computed on the server from the value so every row is rated alike.

Thresholds are web-vitals' own: good up to the first bound, poor above the second.
"""

from __future__ import annotations

THRESHOLDS: dict[str, tuple[float, float]] = {
    "LCP": (2500, 4000),
    "INP": (200, 500),
    "CLS": (0.1, 0.25),
    "FCP": (1800, 3000),
    "TTFB": (800, 1800),
    "FID": (100, 300),
}

UNITS: dict[str, str] = {"CLS": ""}
"""Every metric is in milliseconds except CLS, which is unitless."""

MAX_CLS = 100.0


def rating(metric: str, value: float) -> str:
    """``good``, ``needs-improvement`` or ``poor`` for a metric's value."""
    good, poor = THRESHOLDS[metric]
    if value <= good:
        return "good"
    if value <= poor:
        return "needs-improvement"
    return "poor"


def format_value(value: float) -> str:
    """The stored text of a number: integers without a point, others with up to 4 decimals.

    ``0`` → ``"0"`` (never ``""``), ``2315.0`` → ``"2315"``, ``0.123456`` → ``"0.1235"``.
    """
    if value == int(value):
        return str(int(value))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
