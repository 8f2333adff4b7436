"""`rum-server schema`: prints the DDL, applies it idempotently, refuses a foreign table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rum_server.settings import Settings
from rum_server.storage.store import Store


def rum_server(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rum_server.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_schema_prints_every_statement_and_on_cluster_when_asked() -> None:
    plain = rum_server("schema", "--dsn", "chdb:///unused")
    assert plain.returncode == 0
    assert "CREATE TABLE IF NOT EXISTS otel.otel_logs (" in plain.stdout
    assert "ON CLUSTER" not in plain.stdout
    clustered = rum_server("schema", "--cluster", "prod", "--dsn", "chdb:///unused")
    assert "otel.otel_logs ON CLUSTER `prod`" in clustered.stdout
    assert "ReplicatedMergeTree" in clustered.stdout


def test_apply_twice_is_idempotent(tmp_path: Path) -> None:
    dsn = f"chdb://{tmp_path / 'data'}"
    for _ in range(2):
        result = rum_server("schema", "--apply", "--dsn", dsn)
        assert result.returncode == 0, result.stderr
        assert "schema applied to otel.otel_logs" in result.stderr


def test_an_existing_table_without_the_exporter_columns_is_reported_not_altered(
    tmp_path: Path,
) -> None:
    settings = Settings(dsn=f"chdb://{tmp_path / 'data'}")
    store = Store(settings)
    try:
        store.command("CREATE DATABASE otel")
        store.command(
            "CREATE TABLE otel.otel_logs (Timestamp DateTime64(9), Body String) "
            "ENGINE = MergeTree ORDER BY Timestamp"
        )
    finally:
        store.close()
    result = rum_server("schema", "--apply", "--dsn", settings.dsn)
    assert result.returncode != 0
    assert "does not match the OpenTelemetry logs shape" in result.stderr
    assert "column EventName String is missing" in result.stderr
    assert "Traceback" not in result.stderr
    store = Store(settings)
    try:
        assert set(store.table_columns()) == {"Timestamp", "Body"}
    finally:
        store.close()
