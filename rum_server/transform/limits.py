"""Bounds every row obeys, decided once per process from the settings.

- ``rum.sample_rate`` is raised to a floor: a beacon claiming ``rate: 0.0001``
  would otherwise weigh as 10,000 page views and move every percentile alone.
- An event older than the table's retention is refused (the table would drop it
  at once, after the rollups had already counted it).
- Routes are bounded per site per day (:class:`~rum_server.transform.cardinality.RouteGuard`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rum_server.metrics import hooks
from rum_server.transform.cardinality import RouteGuard

NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True, slots=True)
class RowLimits:
    sample_rate_floor: float = 0.0
    retention_days: int = 0
    """0: no retention check."""
    routes: RouteGuard | None = field(default=None, compare=False)

    def sample_rate(self, rate: float) -> float:
        """``rate`` raised to the floor (counted when raised)."""
        if rate < self.sample_rate_floor:
            hooks.clamped("sample_rate")
            return self.sample_rate_floor
        return rate

    def outside_retention(self, event_ns: int, received_ns: int) -> bool:
        return (
            bool(self.retention_days) and event_ns < received_ns - self.retention_days * NS_PER_DAY
        )

    def route(self, site: str, received_ns: int, route: str) -> str:
        if self.routes is None:
            return route
        return self.routes.admit(site, received_ns // NS_PER_DAY, route)
