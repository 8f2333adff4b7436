"""Rollup tables and materialized views (owned by the analytics work; empty until it lands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rum_server.schema import SchemaTarget


def rollup_statements(target: SchemaTarget) -> list[str]:
    """DDL for the rollups, in order; each idempotent."""
    return []
