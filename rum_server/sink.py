"""Where rows end up. The writer only knows this two-method interface.

ClickHouse is the one sink today; an OTLP exporter or a durable spool slots in
beside it without touching the writer.
"""

from __future__ import annotations

from typing import Any, Protocol

from rum_server.store import Store


class Sink(Protocol):
    """A destination for column-oriented rows. ``write`` raises when the rows did not land."""

    name: str

    def write(self, columns: dict[str, list[Any]]) -> None: ...


class ClickHouseSink:
    """Inserts into the logs table through the process's one :class:`Store`."""

    name = "clickhouse"

    def __init__(self, store: Store) -> None:
        self._store = store
        self._table = store.settings.qualified_table

    def write(self, columns: dict[str, list[Any]]) -> None:
        self._store.insert_columns(self._table, columns)
