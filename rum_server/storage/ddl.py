"""Building blocks of the rollups' DDL, shared by the vitals, errors and events rollups."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rum_server.storage.schema import SchemaTarget

WEIGHT_EXPR = "if(RumSampleRate > 0 AND RumSampleRate <= 1, 1 / RumSampleRate, 1.)"
"""A kept sample stands for 1 / sample-rate events; bad rates count as 1."""


def rollup_table(
    target: SchemaTarget,
    name: str,
    columns: list[str],
    kind: str,
    order_by: str,
    partition_by: str = "",
    ttl: str = "",
    engine_args: str = "",
) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for one rollup table, on the target's engine."""
    engine = target.engine(kind)
    if engine_args:
        engine = engine[:-1] + (", " if engine.endswith("')") else "") + engine_args + ")"
    lines = [
        f"CREATE TABLE IF NOT EXISTS {target.database}.{name}{target.on_cluster} (",
        "    " + ",\n    ".join(columns),
        f") ENGINE = {engine}",
    ]
    if partition_by:
        lines.append(f"PARTITION BY {partition_by}")
    lines.append(f"ORDER BY ({order_by})")
    if ttl:
        lines.append(f"TTL {ttl}")
    return "\n".join(lines)


def rollup_view(target: SchemaTarget, name: str, to_table: str, select: str) -> str:
    """The insert-triggered view that feeds ``to_table`` from each insert into the logs."""
    return (
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {target.database}.{name}{target.on_cluster} "
        f"TO {target.database}.{to_table} AS\n{select}"
    )
