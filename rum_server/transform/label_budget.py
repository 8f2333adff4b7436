"""The daily label budget: per (site, event, label key) at most N distinct values a UTC day.

Labels exist to be grouped by; a page that sends a product id as a label would make one
series per product. Per (UTC day, site, event name, label key) the first ``max_values``
distinct values are stored as they are; later new values are stored as :data:`OVERFLOW`
(and the pipeline keeps the value itself as an attribute) and counted.

The budget must hold across restarts and workers, so a process starts by reading the
values already stored for the current and previous UTC day from the small
``rum_event_label_values`` rollup (an insert-triggered view of distinct
(day, site, event, key, value)), never by scanning raw rows. docs/scaling.md says what
N workers on one store can and cannot guarantee between starts.

The memory is bounded: at most ``max_slots_per_site`` (event, key) slots per site and
day (past it, every value of a new slot is an overflow: one site cannot use another's
room), and days older than the previous one are forgotten.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from rum_server.transform.redact import OVERFLOW, Redacted

DEFAULT_LABEL_BUDGET = 100
DEFAULT_MAX_SLOTS_PER_SITE = 1_000
SEED_DAYS = 2
"""Today and yesterday (UTC): late beacons still land on yesterday's budget."""

Slot = tuple[date, str, str, str]
"""(UTC day, site, event name, label key)."""


def utc_day(timestamp_ns: int) -> date:
    """The UTC calendar day of a row's timestamp: the day its label counts against."""
    return datetime.fromtimestamp(timestamp_ns // 10**9, UTC).date()


class LabelBudget:
    """Admits a label value if its slot has stored it already today or still has room."""

    def __init__(
        self,
        max_values: int = DEFAULT_LABEL_BUDGET,
        max_slots_per_site: int = DEFAULT_MAX_SLOTS_PER_SITE,
    ) -> None:
        self.max_values = max_values
        self._max_slots = max_slots_per_site
        self._values: dict[Slot, set[str]] = {}
        self._slots_per_site: dict[tuple[date, str], int] = {}
        self._newest = date.min
        self._lock = threading.Lock()

    def admit(self, day: date, site: str, event: str, key: str, value: Redacted) -> Redacted:
        """``value`` when admitted (seen today, or room left), else :data:`OVERFLOW`."""
        with self._lock:
            values = self._slot(day, site, event, key)
            if values is None:
                return OVERFLOW
            if value in values:
                return value
            if len(values) >= self.max_values:
                return OVERFLOW
            values.add(value)
            return value

    def seed(self, rows: Iterable[tuple[date, str, str, str, str]]) -> int:
        """Remember stored (day, site, event, key, value) rows; returns how many were new.

        Seeding may exceed ``max_values`` for a slot (two workers filled it at once): the
        slot then simply has no room left.
        """
        added = 0
        with self._lock:
            for day, site, event, key, value in rows:
                values = self._slot(day, site, event, key, seeding=True)
                if values is not None and value not in values:
                    values.add(value)
                    added += 1
        return added

    def _slot(
        self, day: date, site: str, event: str, key: str, seeding: bool = False
    ) -> set[str] | None:
        if day > self._newest:
            self._forget_before(day - timedelta(days=SEED_DAYS - 1))
            self._newest = day
        elif day < self._newest - timedelta(days=SEED_DAYS - 1):
            return None  # a beacon days late: its day's budget is no longer known
        slot = (day, site, event, key)
        values = self._values.get(slot)
        if values is None:
            used = self._slots_per_site.get((day, site), 0)
            if used >= self._max_slots and not seeding:
                return None
            values = self._values[slot] = set()
            self._slots_per_site[(day, site)] = used + 1
        return values

    def _forget_before(self, first: date) -> None:
        self._values = {slot: v for slot, v in self._values.items() if slot[0] >= first}
        self._slots_per_site = {
            day_site: n for day_site, n in self._slots_per_site.items() if day_site[0] >= first
        }
