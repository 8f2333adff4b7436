"""Web Vitals ratings, computed on the server from the value so every row is rated alike.

Thresholds are web-vitals' own (good up to the first bound, poor above the second) and
live in :mod:`rum_server.contract` with the metric names.
"""

from __future__ import annotations

from rum_server import contract as c


def rating(metric: str, value: float) -> str:
    """``good``, ``needs-improvement`` or ``poor`` for a metric's value."""
    thresholds = c.METRICS[metric]
    if value <= thresholds.good:
        return c.GOOD
    if value <= thresholds.poor:
        return c.NEEDS_IMPROVEMENT
    return c.POOR


def vital_body(metric: str, value: str, grade: str, route: str) -> str:
    """The Body of a vital's row: ``LCP 2315 ms good /_products/$slug/p`` (CLS has no unit)."""
    unit = c.METRICS[metric].unit
    return f"{metric} {value}{' ' + unit if unit else ''} {grade} {route}"


def format_value(value: float) -> str:
    """The stored text of a number: integers without a point, others with up to 4 decimals.

    ``0`` → ``"0"`` (never ``""``), ``2315.0`` → ``"2315"``, ``0.123456`` → ``"0.1235"``.
    """
    if value == int(value):
        return str(int(value))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
