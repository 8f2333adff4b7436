"""The ClickHouse connection: open from a DSN, apply the schema, check an existing table.

The same clickhouse-connect code talks to embedded chdb (``chdb:///abs/path``) and to
a server (``clickhouse://…``). Failures become :class:`StoreError` with one line an
operator can act on, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

import clickhouse_connect

from rum_server.settings import Settings
from rum_server.storage.schema import (
    MAP_BUCKETS_SETTING,
    SchemaTarget,
    dedup_window_statements,
    map_buckets_ddl,
    missing_columns,
    statements,
)


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message is one clear line."""


class DataDirectoryLocked(StoreError):
    """Another process holds the embedded data directory (a server is running on it)."""


def open_client(dsn: str) -> Any:
    """A clickhouse-connect client for ``dsn``; shared across threads, so no session ids."""
    try:
        if dsn.startswith("chdb://"):
            with native_stderr_silenced():
                return clickhouse_connect.get_client(dsn=dsn)
        return clickhouse_connect.get_client(dsn=dsn, autogenerate_session_id=False)
    except Exception as exc:
        text = " ".join(str(exc).split())
        if "Error initializing EmbeddedServer" in text:
            raise DataDirectoryLocked(
                f"the data directory {dsn.removeprefix('chdb://')} is in use by another process "
                "(is rum-server serve running on it?)"
            ) from None
        if "Connection refused" in text or "Failed to establish" in text:
            text = "connection refused (is the ClickHouse server running and reachable?)"
        raise StoreError(f"cannot open the store at {redact_dsn(dsn)}: {text[:300]}") from None


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """chdb prints its own copy of an open error to fd 2; ours is the one line users see."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def redact_dsn(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    if "@" not in dsn or "://" not in dsn:
        return dsn
    scheme, rest = dsn.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def schema_target(settings: Settings, cluster: str = "") -> SchemaTarget:
    return SchemaTarget(settings.database, settings.table, settings.ttl_days, cluster)


class Store:
    """One client per process, guarded by a lock: chdb runs one query at a time safely."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = open_client(settings.dsn)
        self._side_client: Any = None
        self._lock = threading.Lock()

    def ensure_schema(self) -> None:
        """Create what is missing; report an existing table that lacks an exporter column."""
        target = schema_target(self.settings)
        existing = self.table_columns()
        if existing:
            problems = missing_columns(existing)
            if problems:
                raise StoreError(
                    f"table {self.settings.qualified_table} exists but does not match the "
                    f"OpenTelemetry logs shape: {'; '.join(problems)} "
                    "(`rum-server schema --migrate` shows the statements that fix it)"
                )
        for statement in statements(target):
            self.command(statement)
        for statement in dedup_window_statements(target, self.table_engines()):
            self.command(statement)
        if not existing and self.knows_merge_tree_setting(MAP_BUCKETS_SETTING):
            # A table made just now; an existing one gets it from `schema --migrate`.
            self.command(map_buckets_ddl(target))

    def knows_merge_tree_setting(self, name: str) -> bool:
        """Whether this engine's MergeTree has the setting (newer ones add layouts)."""
        rows = self.query(
            "SELECT count() FROM system.merge_tree_settings WHERE name = {name:String}",
            {"name": name},
        )
        return bool(rows[0][0])

    def column_storage(self, table: str) -> dict[str, tuple[str, str]]:
        """Name -> (default kind, codec) of a table's columns in our database."""
        rows = self.query(
            "SELECT name, default_kind, compression_codec FROM system.columns "
            "WHERE database = {db:String} AND table = {table:String}",
            {"db": self.settings.database, "table": table},
        )
        return {name: (kind, codec) for name, kind, codec in rows}

    def skip_indexes(self, table: str) -> set[str]:
        """Names of a table's skip indexes in our database."""
        rows = self.query(
            "SELECT name FROM system.data_skipping_indices "
            "WHERE database = {db:String} AND table = {table:String}",
            {"db": self.settings.database, "table": table},
        )
        return {name for (name,) in rows}

    def table_settings(self, table: str) -> str:
        """A table's engine with its SETTINGS clause, as the store reports it."""
        rows = self.query(
            "SELECT engine_full FROM system.tables WHERE database = {db:String} "
            "AND name = {table:String}",
            {"db": self.settings.database, "table": table},
        )
        return str(rows[0][0]) if rows else ""

    def table_engines(self) -> dict[str, str]:
        """Name -> engine of the tables in our database."""
        rows = self.query(
            "SELECT name, engine FROM system.tables WHERE database = {db:String}",
            {"db": self.settings.database},
        )
        return {name: engine for name, engine in rows}

    def table_columns(self) -> dict[str, str]:
        """Name -> type of the logs table's columns; empty when it does not exist yet."""
        rows = self.query(
            "SELECT name, type FROM system.columns WHERE database = {db:String} "
            "AND table = {table:String}",
            {"db": self.settings.database, "table": self.settings.table},
        )
        return {name: ctype for name, ctype in rows}

    def command(self, sql: str) -> Any:
        with self._lock:
            try:
                return self.client.command(sql)
            except Exception as exc:
                raise StoreError(" ".join(str(exc).split())[:500]) from None

    def query(self, sql: str, parameters: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                result = self.client.query(sql, parameters=parameters)
            except Exception as exc:
                raise StoreError(" ".join(str(exc).split())[:500]) from None
            return [tuple(row) for row in result.result_rows]

    def query_formatted(self, sql: str, fmt: str, settings: dict[str, Any]) -> bytes:
        """A query's answer as bytes in a ClickHouse output format (``CSVWithNames`` …).

        It runs on a second client: chdb keeps a query's settings on its connection, and
        a ``readonly`` left on the writer's connection would refuse every insert after.
        """
        with self._lock:
            if self._side_client is None:
                self._side_client = open_client(self.settings.dsn)
            try:
                return bytes(self._side_client.raw_query(sql, fmt=fmt, settings=settings))
            except Exception as exc:
                raise StoreError(" ".join(str(exc).split())[:500]) from None

    def insert_columns(self, table: str, columns: dict[str, list[Any]]) -> None:
        """Insert column-oriented data (one list per column, equal lengths)."""
        names = list(columns)
        with self._lock:
            self.client.insert(
                table, list(columns.values()), column_names=names, column_oriented=True
            )

    def insert_raw(
        self,
        table: str,
        names: list[str],
        payload: bytes,
        fmt: str,
        settings: dict[str, Any] | None = None,
    ) -> None:
        """Insert bytes already in a ClickHouse input format (``JSONCompactColumns`` …)."""
        with self._lock:
            self.client.raw_insert(table, names, insert_block=payload, fmt=fmt, settings=settings)

    def table_exists(self, qualified_table: str) -> bool:
        """False when the store does not answer or the table is missing."""
        try:
            return self.query(f"EXISTS TABLE {qualified_table}") == [(1,)]
        except StoreError:
            return False

    def ping(self) -> bool:
        try:
            return self.query("SELECT 1") == [(1,)]
        except StoreError:
            return False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        # Closing a broken client must not mask the error that broke it.
        with self._lock, contextlib.suppress(Exception):
            if self._side_client is not None:
                self._side_client.close()
            self.client.close()
