"""Web Vitals ratings, computed on the server from the value so every row is rated alike.

Thresholds are web-vitals' own: good up to the first bound, poor above the second.
"""

from __future__ import annotations

from rum_server.contract import GOOD, METRICS, NEEDS_IMPROVEMENT, POOR

THRESHOLDS: dict[str, tuple[float, float]] = {
    name: (metric.good, metric.poor) for name, metric in METRICS.items()
}
"""(good up to, poor above) by metric name, from the contract."""


def rating(metric: str, value: float) -> str:
    """``good``, ``needs-improvement`` or ``poor`` for a metric's value."""
    good, poor = THRESHOLDS[metric]
    if value <= good:
        return GOOD
    if value <= poor:
        return NEEDS_IMPROVEMENT
    return POOR


def format_value(value: float) -> str:
    """The stored text of a number: integers without a point, others with up to 4 decimals.

    ``0`` → ``"0"`` (never ``""``), ``2315.0`` → ``"2315"``, ``0.123456`` → ``"0.1235"``.
    """
    if value == int(value):
        return str(int(value))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
