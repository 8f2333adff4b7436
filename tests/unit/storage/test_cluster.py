"""``schema --cluster``: replicated local tables, a Distributed table by session, local rollups."""

from __future__ import annotations

import re
from dataclasses import astuple

import pytest

from rum_server.cli.main import main
from rum_server.storage.cluster import cluster_option_problems, cluster_statements
from rum_server.storage.rollups import RollupTables
from rum_server.storage.schema import OUR_COLUMNS, SchemaTarget, statements

PROD = SchemaTarget(cluster="prod")
DEFAULT_ENGINE = "('/clickhouse/tables/{shard}/{database}/{table}', '{replica}'"


def creates(statement: str) -> str:
    """The object a CREATE statement makes ('' for any other statement)."""
    match = re.match(r"CREATE (?:TABLE|MATERIALIZED VIEW|DATABASE) IF NOT EXISTS (\S+)", statement)
    return match.group(1) if match else ""


def test_every_statement_runs_on_every_node_and_is_idempotent() -> None:
    ddl = cluster_statements(PROD)
    assert ddl[0] == "CREATE DATABASE IF NOT EXISTS otel ON CLUSTER `prod`"
    for statement in ddl:
        assert " ON CLUSTER `prod`" in statement.split("\n", 1)[0], statement[:80]
        assert "IF NOT EXISTS" in statement, statement[:80]


def test_the_logs_table_is_replicated_and_local_to_each_node() -> None:
    local = next(s for s in cluster_statements(PROD) if creates(s) == "otel.otel_logs_local")
    assert f") ENGINE = ReplicatedMergeTree{DEFAULT_ENGINE})" in local
    assert "PARTITION BY toDate(Timestamp)" in local
    for name in OUR_COLUMNS:
        assert f"`{name}` " in local
    assert "Distributed" not in local


def test_the_logs_table_name_is_a_distributed_table_sharded_by_session() -> None:
    ddl = cluster_statements(PROD)
    distributed = next(s for s in ddl if creates(s) == "otel.otel_logs")
    assert "AS otel.otel_logs_local" in distributed
    assert (
        "ENGINE = Distributed('prod', 'otel', 'otel_logs_local', "
        "if(mapContains(LogAttributes, 'rum.session.id'), "
        "cityHash64(LogAttributes['rum.session.id']), rand()))"
    ) in distributed
    # created after the local table it copies, and given every column we add later
    assert ddl.index(distributed) > [creates(s) for s in ddl].index("otel.otel_logs_local")
    for name in OUR_COLUMNS:
        assert (
            f"ALTER TABLE otel.otel_logs ON CLUSTER `prod` ADD COLUMN IF NOT EXISTS `{name}` "
        ) in "\n".join(ddl)


def test_the_rollups_read_the_local_table_and_are_replicated() -> None:
    ddl = cluster_statements(PROD)
    views = [s for s in ddl if s.startswith("CREATE MATERIALIZED VIEW")]
    assert len(views) == 6  # vitals stage, errors, page views, releases, events, label values
    for view in views:
        assert "FROM otel.otel_logs_local\n" in view, view[:120]
    tables = [s for s in ddl if s.startswith("CREATE TABLE") and "rum_" in creates(s)]
    assert {creates(s) for s in tables} == set(astuple(RollupTables.in_database("otel")))
    for table in tables:
        assert re.search(r"ENGINE = Replicated(Replacing|Aggregating)?MergeTree\(", table), table
        assert DEFAULT_ENGINE in table
    stage = next(s for s in tables if creates(s) == "otel.rum_vitals_stage")
    assert f"ReplicatedReplacingMergeTree{DEFAULT_ENGINE}, Timestamp)" in stage


def test_keeper_path_and_replica_name_are_options() -> None:
    target = SchemaTarget(cluster="prod", keeper_path="/rum/{shard}/{table}", replica="{host}")
    for statement in cluster_statements(target):
        if "MergeTree" in statement and "ENGINE" in statement:
            assert "Replicated" in statement and "('/rum/{shard}/{table}', '{host}'" in statement


def test_the_single_node_schema_is_unchanged() -> None:
    ddl = "\n".join(statements(SchemaTarget()))
    assert "otel_logs_local" not in ddl and "Distributed" not in ddl
    assert "Replicated" not in ddl and "ON CLUSTER" not in ddl


def test_names_and_paths_that_could_break_out_of_quotes_are_refused() -> None:
    assert cluster_option_problems("prod", "/clickhouse/tables/{shard}/{table}", "{replica}") == []
    problems = cluster_option_problems("prod'", "/x'); DROP TABLE t; --", "r 1")
    assert len(problems) == 3
    assert cluster_option_problems("prod", "relative/{shard}", "{replica}") == [
        "--keeper-path 'relative/{shard}' must start with /"
    ]


def test_the_cli_prints_the_cluster_ddl_with_its_options_and_refuses_bad_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["schema", "--dsn", "chdb:///unused", "--cluster", "prod"]
    assert main([*args, "--keeper-path", "/rum/{shard}/{table}", "--replica", "{host}"]) == 0
    out = capsys.readouterr().out
    assert "ENGINE = ReplicatedMergeTree('/rum/{shard}/{table}', '{host}')" in out
    assert "ENGINE = Distributed('prod', 'otel', 'otel_logs_local'" in out
    assert main([*args, "--keeper-path", "/x'); DROP TABLE t"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rum-server: bad cluster options: --keeper-path") and err.count("\n") == 1
