"""The schema on a ClickHouse cluster: replicated local tables behind one ``Distributed`` table.

``rum-server schema --cluster NAME`` creates, on every node (``ON CLUSTER``):

- ``<table>_local``: the logs table as on one node (the exporter's columns, our
  MATERIALIZED columns), on ``ReplicatedMergeTree`` with the Keeper path and
  replica name given (defaults: the ``{shard}`` and ``{replica}`` macros);
- ``<table>``: a ``Distributed`` table over the local tables, sharded by the
  session id, so every row of a session (and so each page view and its vitals)
  lands on one shard. Writers and Collectors insert into it and readers read it
  under the name they always used;
- the rollups on each node's *local* table: their materialized views read
  ``<table>_local``, and their tables are replicated too, so each shard rolls up
  its own sessions and a session's duplicate vital reports meet on one shard.

Every statement stays idempotent, so applying it again (or after a node joins) is safe.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rum_server.contract import SESSION_ID
from rum_server.storage.rollups import rollup_statements
from rum_server.storage.schema import OUR_COLUMNS, SchemaTarget, logs_table_ddl
from rum_server.storage.schema import our_column_ddl as column_ddl

LOCAL_SUFFIX = "_local"

SESSION_SHARDING_KEY = (
    f"if(mapContains(LogAttributes, '{SESSION_ID}'), "
    f"cityHash64(LogAttributes['{SESSION_ID}']), rand())"
)
"""A session's rows on one shard; rows of other senders (no session id) spread evenly."""

_SAFE_ENGINE_ARGUMENT = re.compile(r"[A-Za-z0-9_{}/.\-]{1,200}")


def local_target(target: SchemaTarget) -> SchemaTarget:
    """The same target, naming the per-node table the Distributed table spreads over."""
    return replace(target, table=target.table + LOCAL_SUFFIX)


def distributed_table_ddl(target: SchemaTarget) -> str:
    """``<table>`` as a Distributed table over ``<table>_local`` on every node of the cluster."""
    local = local_target(target)
    return (
        f"CREATE TABLE IF NOT EXISTS {target.database}.{target.table}{target.on_cluster}\n"
        f"AS {local.database}.{local.table}\n"
        f"ENGINE = Distributed('{target.cluster}', '{local.database}', '{local.table}', "
        f"{SESSION_SHARDING_KEY})"
    )


def cluster_statements(target: SchemaTarget) -> list[str]:
    """Every DDL statement for a cluster, in order; each idempotent and ON CLUSTER."""
    if not target.cluster:
        raise ValueError("a cluster schema needs a cluster name")
    local = local_target(target)
    return [
        f"CREATE DATABASE IF NOT EXISTS {target.database}{target.on_cluster}",
        logs_table_ddl(local),
        *(column_ddl(local, name) for name in OUR_COLUMNS),
        distributed_table_ddl(target),
        # A Distributed table made before a column was added lacks it: add it there too.
        *(column_ddl(target, name) for name in OUR_COLUMNS),
        *rollup_statements(local),
    ]


def cluster_option_problems(cluster: str, keeper_path: str, replica: str) -> list[str]:
    """Names and paths end up inside quotes in the DDL: a strict alphabet, nothing else."""
    problems = []
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,100}", cluster):
        problems.append(f"cluster {cluster!r} must be letters, digits, '_' and '-'")
    for option, value in (("--keeper-path", keeper_path), ("--replica", replica)):
        if not _SAFE_ENGINE_ARGUMENT.fullmatch(value):
            problems.append(
                f"{option} {value!r} may hold only letters, digits, _ - . / and {{macros}}"
            )
    if not keeper_path.startswith("/"):
        problems.append(f"--keeper-path {keeper_path!r} must start with /")
    return problems
