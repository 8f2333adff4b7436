"""Rollups of custom events (``rum.event``): the funnel's counts and the label budget's memory.

- ``rum_events_daily``: weighted event counts (1 / sample rate) per site, day, event
  name, route, device type, release and labels (sorted (key, value) pairs). Funnels and
  "top events" read it instead of the logs table; labels are bounded by the daily
  budget, so the rollup stays small.
- ``rum_event_label_values``: the distinct label values stored per UTC day, site, event
  and key, which a starting process reads to seed its label budget
  (:mod:`rum_server.transform.label_budget`). Kept a week: only today and yesterday are read.

Both are filled by insert-triggered materialized views, like the error and page-view
rollups in :mod:`rum_server.storage.rollups`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rum_server.contract import CUSTOM_EVENT, EVENT_LABEL_PREFIX
from rum_server.storage.ddl import WEIGHT_EXPR, rollup_table, rollup_view
from rum_server.storage.label_values import LABEL_VALUES_TABLE
from rum_server.transform.redact import OVERFLOW

if TYPE_CHECKING:
    from rum_server.storage.schema import SchemaTarget

EVENTS_DAILY_TABLE = "rum_events_daily"
LABEL_VALUES_TTL_DAYS = 7

_KEY_START = len(EVENT_LABEL_PREFIX) + 1
"""Where the label's own key starts in ``rum.event.label.<key>`` (SQL counts from 1)."""
_LABELS = f"mapFilter((k, v) -> startsWith(k, '{EVENT_LABEL_PREFIX}'), LogAttributes)"
_BUDGETED = (
    f"mapFilter((k, v) -> startsWith(k, '{EVENT_LABEL_PREFIX}') AND v != '{OVERFLOW}', "
    "LogAttributes)"
)


def event_rollup_statements(target: SchemaTarget, logs: str, rollup_ttl: str) -> list[str]:
    """DDL for the custom-event rollups, in order; each idempotent."""
    return [
        rollup_table(
            target,
            EVENTS_DAILY_TABLE,
            [
                "ServiceName LowCardinality(String)",
                "day Date",
                "RumEventName LowCardinality(String)",
                "RumRoute LowCardinality(String)",
                "RumDeviceType LowCardinality(String)",
                "ServiceVersion LowCardinality(String)",
                "labels Array(Tuple(String, String))",
                "events SimpleAggregateFunction(sum, Float64)",
                "kept SimpleAggregateFunction(sum, UInt64)",
            ],
            "AggregatingMergeTree",
            "ServiceName, day, RumEventName, RumRoute, RumDeviceType, ServiceVersion, labels",
            partition_by="toYYYYMM(day)",
            ttl=rollup_ttl,
        ),
        rollup_view(
            target,
            f"{EVENTS_DAILY_TABLE}_mv",
            EVENTS_DAILY_TABLE,
            "SELECT ServiceName, toDate(Timestamp) AS day, RumEventName, RumRoute,\n"
            "       RumDeviceType, ServiceVersion,\n"
            f"       arraySort(arrayMap((k, v) -> (substring(k, {_KEY_START}), v),\n"
            f"           mapKeys({_LABELS}), mapValues({_LABELS}))) AS labels,\n"
            f"       sum({WEIGHT_EXPR}) AS events, count() AS kept\n"
            f"FROM {logs}\n"
            f"WHERE EventName = '{CUSTOM_EVENT}' AND RumEventName != ''\n"
            "GROUP BY ServiceName, day, RumEventName, RumRoute, RumDeviceType, ServiceVersion,"
            " labels",
        ),
        rollup_table(
            target,
            LABEL_VALUES_TABLE,
            [
                "day Date",
                "ServiceName LowCardinality(String)",
                "RumEventName LowCardinality(String)",
                "label_key LowCardinality(String)",
                "label_value String",
            ],
            "ReplacingMergeTree",
            "day, ServiceName, RumEventName, label_key, label_value",
            partition_by="day",
            ttl=f"day + toIntervalDay({LABEL_VALUES_TTL_DAYS})",
        ),
        rollup_view(
            target,
            f"{LABEL_VALUES_TABLE}_mv",
            LABEL_VALUES_TABLE,
            # The budget's day is the UTC day of the row, whatever the store's time zone.
            "SELECT toDate(Timestamp, 'UTC') AS day, ServiceName, RumEventName,\n"
            f"       substring(key, {_KEY_START}) AS label_key, value AS label_value\n"
            f"FROM {logs}\n"
            f"ARRAY JOIN mapKeys({_BUDGETED}) AS key, mapValues({_BUDGETED}) AS value\n"
            f"WHERE EventName = '{CUSTOM_EVENT}'\n"
            "GROUP BY day, ServiceName, RumEventName, label_key, label_value",
        ),
    ]
