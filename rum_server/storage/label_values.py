"""The label budget's memory in the store: the values admitted earlier today.

Each worker seeds its in-memory :class:`LabelBudget` from the rollup
``rum_event_label_values`` at start, so a restart does not admit a new set.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from rum_server.transform.label_budget import SEED_DAYS, LabelBudget, utc_day

if TYPE_CHECKING:
    from rum_server.storage.store import Store

LABEL_VALUES_TABLE = "rum_event_label_values"


def label_values_sql(database: str, first_day: date, max_values: int) -> str:
    """The stored label values since ``first_day``, at most twice ``max_values`` per slot
    (values two workers admitted at once stay admissible: they are series already)."""
    return (
        "SELECT day, ServiceName, RumEventName, label_key, label_value\n"
        f"FROM {database}.{LABEL_VALUES_TABLE}\n"
        f"WHERE day >= toDate('{first_day.isoformat()}')\n"
        "GROUP BY day, ServiceName, RumEventName, label_key, label_value\n"
        "ORDER BY day, ServiceName, RumEventName, label_key, label_value\n"
        f"LIMIT {2 * int(max_values)} BY day, ServiceName, RumEventName, label_key"
    )


def seed_from_store(budget: LabelBudget, store: Store, now_ns: int) -> int:
    """Load the current and previous UTC day's stored label values into ``budget``."""
    first = utc_day(now_ns) - timedelta(days=SEED_DAYS - 1)
    rows = store.query(label_values_sql(store.settings.database, first, budget.max_values))
    return budget.seed((row[0], row[1], row[2], row[3], row[4]) for row in rows)
