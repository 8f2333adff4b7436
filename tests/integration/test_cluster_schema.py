"""``schema --cluster``'s DDL, run on the real engine.

The embedded engine has no Keeper and runs no ``ON CLUSTER`` queries, so the
cluster statements run here as one node would after its DDL worker received them:
``ON CLUSTER`` removed, and each ``Replicated*MergeTree`` as its plain twin (the
same columns, keys, partitions and TTL; only replication is gone). The engine is
told of a cluster ``rum_test`` whose one shard is this node, so the
``Distributed`` table is real: rows inserted into ``otel.otel_logs`` travel
through it to ``otel_logs_local``, the rollup views fire on the local table, and
every report must equal the single-node store's on the same rows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path

import pytest

from rum_server.cli.demo_data import Seed, generate
from rum_server.settings import Settings
from rum_server.storage.cluster import cluster_statements
from rum_server.storage.rollups import RollupTables, settle
from rum_server.storage.schema import OUR_COLUMNS, SchemaTarget, statements
from rum_server.storage.store import Store
from tests.conftest import REPO, ClickHouseServer, clickhouse_http
from tests.integration.test_serve_process import free_port
from tests.integration.test_server_path import CLI_REPORTS, SITE, cli_json, filled

CLUSTER = "rum_test"
ROLLUPS = RollupTables.in_database("otel")


def as_one_node(statement: str) -> str:
    """What a node runs of an ON CLUSTER statement, minus replication (no Keeper here)."""
    statement = statement.replace(f" ON CLUSTER `{CLUSTER}`", "")
    return re.sub(r"Replicated(\w*MergeTree)\('[^']*', '[^']*'(?:, )?", r"\1(", statement)


def test_the_rewrite_leaves_exactly_the_single_node_ddl_of_the_local_table() -> None:
    """So what runs below is the cluster DDL itself, less ON CLUSTER and replication."""
    cluster_ddl = cluster_statements(SchemaTarget(cluster=CLUSTER))
    ddl = [as_one_node(statement) for statement in cluster_ddl]
    single = statements(SchemaTarget(table="otel_logs_local"))
    distributed = [s for s in ddl if "ENGINE = Distributed" in s or "TABLE otel.otel_logs " in s]
    assert [s for s in ddl if s not in distributed] == single
    assert len(distributed) == 1 + len(OUR_COLUMNS)


@pytest.fixture
def cluster_node(tmp_path: Path) -> Iterator[ClickHouseServer]:
    """A ClickHouse HTTP endpoint whose engine knows cluster ``rum_test``: one shard, itself.

    A shard is "local" when its host is this machine and its port the server's
    ``tcp_port``; nothing listens there, the engine only compares the numbers.
    """
    port = free_port()
    config = tmp_path / "cluster.xml"
    config.write_text(
        f"""<clickhouse>
  <tcp_port>{port}</tcp_port>
  <remote_servers><{CLUSTER}>
    <shard><replica><host>localhost</host><port>{port}</port></replica></shard>
  </{CLUSTER}></remote_servers>
  <macros><shard>01</shard><replica>node-1</replica></macros>
</clickhouse>
"""
    )
    with clickhouse_http(tmp_path / "cluster-data", "--config-file", str(config)) as server:
        store = Store(Settings(dsn=server.dsn()))
        try:
            for statement in cluster_statements(SchemaTarget(cluster=CLUSTER)):
                store.command(as_one_node(statement))
        finally:
            store.close()
        yield server


def engines(dsn: str) -> dict[str, str]:
    store = Store(Settings(dsn=dsn))
    try:
        rows = store.query("SELECT name, engine FROM system.tables WHERE database = 'otel'")
        local = store.query(f"SELECT is_local FROM system.clusters WHERE cluster = '{CLUSTER}'")
        assert local == [(1,)], "the test cluster's shard should be this node"
        return dict(rows)
    finally:
        store.close()


def test_the_cluster_ddl_creates_a_distributed_table_over_local_tables(
    cluster_node: ClickHouseServer,
) -> None:
    tables = engines(cluster_node.dsn())
    assert tables["otel_logs"] == "Distributed"
    assert tables["otel_logs_local"] == "MergeTree"
    assert tables["rum_vitals_stage"] == "ReplacingMergeTree"
    assert tables["rum_vitals_stage_mv"] == "MaterializedView"
    assert tables["rum_page_views_daily"] == "AggregatingMergeTree"


@pytest.fixture
def twin_stores(cluster_node: ClickHouseServer, tmp_path: Path) -> tuple[str, str]:
    """The same rows in a single-node embedded store and through the cluster's Distributed table."""
    chunks = list(generate(Seed(rows=3_000, days=5, site=SITE), now_ns=time.time_ns()))
    dsns = (f"chdb://{tmp_path / 'embedded'}", cluster_node.dsn())
    for dsn in dsns:
        store = filled(dsn, chunks)  # the serve path: ensure_schema, then the ingest sink
        try:
            assert settle(store)
        finally:
            store.close()
    store = Store(Settings(dsn=cluster_node.dsn()))
    try:
        total = store.query("SELECT count() FROM otel.otel_logs_local")[0][0]
        assert total == sum(len(chunk["Timestamp"]) for chunk in chunks)
    finally:
        store.close()
    return dsns


@pytest.mark.parametrize("args", CLI_REPORTS, ids=" ".join)
def test_every_report_on_the_cluster_equals_the_single_node_one(
    twin_stores: tuple[str, str], capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    single, cluster = twin_stores
    expected = cli_json(capsys, single, args)
    assert expected["rows"], f"{args} answered no rows on seeded data"
    assert cli_json(capsys, cluster, args) == expected


# ------------------------------------------------------------------ replicated engines, for real

REPLICATED_CREATES = """
import json, os, sys
import chdb
from rum_server.storage.cluster import cluster_statements
from rum_server.storage.schema import SchemaTarget

data, config, keeper_path = sys.argv[1:]
try:
    engine = chdb.connect(f"file:{data}?config-file={config}")
    target = SchemaTarget(cluster="rum_test", keeper_path=keeper_path)
    for statement in cluster_statements(target):
        if statement.startswith("CREATE"):
            engine.query(statement.replace(" ON CLUSTER `rum_test`", ""))
    rows = engine.query(
        "SELECT table, zookeeper_path, replica_name FROM system.replicas ORDER BY table", "JSON"
    )
    print(json.dumps(json.loads(str(rows))["data"]), flush=True)
finally:
    os._exit(0)  # an engine with replicated tables hangs in its own shutdown; nothing to save
"""


@pytest.mark.parametrize(
    ("keeper_path", "expected"),
    [
        ("/clickhouse/tables/{shard}/{database}/{table}", "/clickhouse/tables/07/otel/"),
        ("/rum/{shard}/{table}", "/rum/07/"),
    ],
)
def test_the_engine_takes_every_replicated_create_and_fills_in_the_macros(
    tmp_path: Path, keeper_path: str, expected: str
) -> None:
    """With ClickHouse's in-process test Keeper the replicated CREATEs run as written (less
    ON CLUSTER); the tables stay read-only there, so nothing is inserted."""
    port = free_port()
    config = tmp_path / "keeper.xml"
    config.write_text(
        f"""<clickhouse>
  <tcp_port>{port}</tcp_port>
  <zookeeper><implementation>testkeeper</implementation></zookeeper>
  <remote_servers><{CLUSTER}>
    <shard><replica><host>localhost</host><port>{port}</port></replica></shard>
  </{CLUSTER}></remote_servers>
  <macros><shard>07</shard><replica>node-7</replica></macros>
</clickhouse>
"""
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            REPLICATED_CREATES,
            str(tmp_path / "data"),
            str(config),
            keeper_path,
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    replicas = json.loads(result.stdout)
    tables = {row["table"] for row in replicas}
    assert tables == {"otel_logs_local", *(name.split(".")[1] for name in astuple(ROLLUPS))}
    for row in replicas:
        assert row["zookeeper_path"] == expected + row["table"]
        assert row["replica_name"] == "node-7"
