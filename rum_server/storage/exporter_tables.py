"""Tables and rows of older OpenTelemetry Collector ``clickhouseexporter`` versions.

Older exporters created the logs table without columns added since (``EventName``
most recently; ``ScopeName``/``ScopeVersion``/the schema URLs before it) and with
wider integer types (``TraceFlags UInt32``, ``SeverityNumber Int32``), and they
insert rows without an ``EventName``. Every report selects by ``EventName``, so
such rows would be stored and then never counted. This module says what to do
about both, as SQL an operator reviews before ``rum-server schema --migrate
--apply`` runs it:

- add each missing exporter column (``ADD COLUMN IF NOT EXISTS``) and bring a
  column of another type to the exporter's (``MODIFY COLUMN``, which rewrites it);
- give RUM rows without an ``EventName`` (``ScopeName = 'deco.rum'`` or our
  ``rum.*`` attributes) the name their attributes imply, by inserting them again
  with it (so the rollup views see them) and deleting the unnamed originals.

Until then, :func:`count_unnamed` lets health and the CLI report them.
"""

from __future__ import annotations

import sys
import time
import weakref

from rum_server.contract import (
    CUSTOM_EVENT,
    ERROR_EVENT,
    ERROR_FINGERPRINT,
    EVENT_NAME,
    EXPORTER_COLUMNS,
    METRIC_NAME,
    PAGE_VIEW,
    PAGE_VIEW_ID,
    WEB_VITAL,
)
from rum_server.settings import Settings
from rum_server.storage.cluster import local_target
from rum_server.storage.schema import (
    MAP_BUCKETS_SETTING,
    SchemaTarget,
    differing_columns,
    layout_statements,
    map_buckets_ddl,
    statements,
)
from rum_server.storage.store import Store, StoreError, schema_target

UNNAMED_RUM = (
    f"EventName = '' AND (ScopeName = 'deco.rum' OR mapContains(LogAttributes, '{PAGE_VIEW_ID}')"
    f" OR mapContains(LogAttributes, '{METRIC_NAME}'))"
)
"""Rows that are ours (by scope or by the id every RUM row carries) but have no event name."""

DERIVED_EVENT_NAME = (
    f"multiIf(mapContains(LogAttributes, '{METRIC_NAME}'), '{WEB_VITAL}', "
    f"mapContains(LogAttributes, '{ERROR_FINGERPRINT}'), '{ERROR_EVENT}', "
    f"mapContains(LogAttributes, '{EVENT_NAME}'), '{CUSTOM_EVENT}', '{PAGE_VIEW}')"
)
"""The event a RUM row is, from the keys only that event carries (wire.md); else a page view."""


def column_statements(target: SchemaTarget, existing: dict[str, str]) -> list[str]:
    """ALTERs that give an existing logs table every exporter column with the exporter's type."""
    table = f"{target.database}.{target.table}{target.on_cluster}"
    return [
        f"ALTER TABLE {table} MODIFY COLUMN `{name}` {ctype}"
        if found
        else f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS `{name}` {ctype}"
        for name, ctype, found in differing_columns(existing)
    ]


def derive_statements(target: SchemaTarget, before: str) -> list[str]:
    """Insert unnamed RUM rows (older than ``before``, a DateTime64 literal) again, named;
    then delete the unnamed originals. The insert goes through the rollup views."""
    logs = f"{target.database}.{target.table}"
    where = f"{UNNAMED_RUM} AND Timestamp < {before}"
    kept = [name for name in EXPORTER_COLUMNS if name != "EventName"]
    return [
        # The filter sits in a subquery: beside "… AS EventName" ClickHouse would read
        # WHERE EventName as the alias, select nothing, and the DELETE would lose the rows.
        f"INSERT INTO {logs} ({', '.join(EXPORTER_COLUMNS)})\n"
        f"SELECT {', '.join(kept)}, {DERIVED_EVENT_NAME} AS EventName\n"
        f"FROM (SELECT * FROM {logs} WHERE {where})",
        f"ALTER TABLE {logs}{target.on_cluster} DELETE WHERE {where}",
    ]


def layout_migration(store: Store, target: SchemaTarget) -> list[str]:
    """What brings a logs table made by an earlier version (or a Collector) to today's
    storage layout: codecs, the ids as ALIAS, bucketed Maps where the engine has them."""
    stored = local_target(target) if target.cluster else target  # where the parts live
    existing = store.column_storage(stored.table)
    if not existing:
        return []
    layout = layout_statements(stored, existing, store.skip_indexes(stored.table))
    if store.knows_merge_tree_setting(MAP_BUCKETS_SETTING) and (
        "with_buckets" not in store.table_settings(stored.table)
    ):
        layout.append(map_buckets_ddl(stored))
    return layout


def migration(store: Store, cluster: str = "") -> tuple[list[str], list[str]]:
    """What makes the configured table ours, in order: (exporter columns, our schema so the
    rollup views exist, and today's storage layout; then the named copies of unnamed RUM rows)."""
    target = schema_target(store.settings, cluster)
    existing = store.table_columns()
    prepare = [
        *(column_statements(target, existing) if existing else []),
        *statements(target),
        *layout_migration(store, target),
    ]
    return prepare, derive_statements(target, rows_present_before(store) if existing else "0")


def rows_present_before(store: Store) -> str:
    """A bound just after the newest stored row: the rows present now, read from the data
    rather than a clock (the store's and this process's clocks may disagree)."""
    newest = store.query(
        "SELECT toString(max(Timestamp) + toIntervalNanosecond(1)) "
        f"FROM {store.settings.qualified_table}"
    )[0][0]
    return f"toDateTime64('{newest}', 9)"


def count_unnamed(store: Store, days: int | None = 7) -> int:
    """RUM rows of the last ``days`` (None: all) that no report counts: they have no EventName."""
    since = f"Timestamp >= now() - INTERVAL {int(days)} DAY AND " if days else ""
    rows = store.query(
        f"SELECT count() FROM {store.settings.qualified_table} WHERE {since}{UNNAMED_RUM}"
    )
    return int(rows[0][0])


def unnamed_note(count: int, days: int) -> str:
    """One line for an operator: what the rows are and the command that fixes them."""
    return (
        f"{count} rows of the last {days} days look like RUM (scope deco.rum or rum.* "
        "attributes) but have no EventName, so no report counts them (an older OpenTelemetry "
        "Collector exporter wrote them); `rum-server schema --migrate` shows the fix"
    )


def run_migration(settings: Settings, cluster: str, apply: bool) -> int:
    """``rum-server schema --migrate``: print the statements, or run them in order."""
    with Store(settings) as store:
        prepare, derive = migration(store, cluster)
        planned = prepare + derive
        if not apply:
            print(
                "-- Review, stop any Collector still writing rows without EventName, then run\n"
                "-- again with --apply. MODIFY COLUMN rewrites that column's data.\n"
            )
            print(";\n\n".join(planned) + ";")
            return 0
        for statement in prepare:
            store.command(statement)
        unnamed = count_unnamed(store, days=None)
        insert, delete = derive
        total = store.query(f"SELECT count() FROM {settings.qualified_table}")[0][0]
        store.command(insert)
        added = store.query(f"SELECT count() FROM {settings.qualified_table}")[0][0] - total
        if added < unnamed:  # never delete originals whose copies are not all in
            raise StoreError(
                f"the named copies of {unnamed} rows did not all arrive ({added}); "
                "the originals were kept, nothing was deleted"
            )
        store.command(delete)
    print(
        f"migrated {settings.qualified_table}: {len(planned)} statements, "
        f"{unnamed} rows given an EventName",
        file=sys.stderr,
    )
    return 0


CHECK_INTERVAL_SECONDS = 300.0
_checked: weakref.WeakKeyDictionary[Store, tuple[float, int]] = weakref.WeakKeyDictionary()


def unnamed_recently(store: Store, days: int = 7) -> int:
    """:func:`count_unnamed`, asked at most every few minutes per store (health is polled)."""
    now = time.monotonic()
    last = _checked.get(store)
    if last is not None and now - last[0] < CHECK_INTERVAL_SECONDS:
        return last[1]
    try:
        count = count_unnamed(store, days)
    except StoreError:  # health reports the store itself; this is a note
        return last[1] if last else 0
    _checked[store] = (now, count)
    return count


def unnamed_known(store: Store) -> int:
    """The last count :func:`unnamed_recently` made, without asking the store (for health)."""
    last = _checked.get(store)
    return last[1] if last else 0
