"""Where rows end up. The writer only knows this two-method interface.

ClickHouse is the one sink today; an OTLP exporter slots in beside it without
touching the writer.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from rum_server.storage.store import Store

EARLIEST_NS = 10**18
"""2001-09-09: ClickHouse reads a shorter seconds text as a date, and no real beacon is older."""

_encoder = msgspec.json.Encoder()


class Sink(Protocol):
    """A destination for column-oriented rows. ``write`` raises when the rows did not land."""

    name: str

    def write(self, columns: dict[str, list[Any]], dedup_token: str = "") -> None: ...


class ClickHouseSink:
    """Inserts into the logs table through the process's one :class:`Store`.

    Rows travel as ``JSONCompactColumns`` encoded by msgspec: about ten times less
    Python work per row than clickhouse-connect's native serialisation of Map
    columns, and the parsing happens in ClickHouse's C++ (outside the GIL with
    chdb). Timestamps go as exact decimal seconds text, never through a float.
    """

    name = "clickhouse"

    def __init__(self, store: Store) -> None:
        self._store = store
        self._table = store.settings.qualified_table

    def write(self, columns: dict[str, list[Any]], dedup_token: str = "") -> None:
        """Insert; the same ``dedup_token`` with the same rows again is dropped by ClickHouse."""
        names = list(columns)
        values = [
            [decimal_seconds(ns) for ns in column] if name == "Timestamp" else column
            for name, column in columns.items()
        ]
        settings = dedup_settings(dedup_token) if dedup_token else None
        payload = _encoder.encode(values)
        self._store.insert_raw(self._table, names, payload, "JSONCompactColumns", settings)

    def table_answers(self) -> bool:
        """True when the store answers and the table exists (an insert can succeed)."""
        return self._store.table_exists(self._table)


def dedup_settings(token: str) -> dict[str, Any]:
    """Settings that make a replayed insert a no-op, in the rollups' views as well."""
    return {
        "insert_deduplicate": 1,
        "insert_deduplication_token": token,
        "deduplicate_blocks_in_dependent_materialized_views": 1,
    }


def decimal_seconds(ns: int) -> str:
    """``1764446400123456789`` → ``"1764446400.123456789"`` (DateTime64(9) text, any time zone)."""
    seconds, fraction = divmod(max(ns, EARLIEST_NS), 1_000_000_000)
    return f"{seconds}.{fraction:09d}"
