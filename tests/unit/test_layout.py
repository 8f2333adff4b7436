"""The package's layout is its design: each stage in one place, imports flowing one way.

A beacon travels guard → decode → redact → enrich → rows → writer → sink → rollups
→ query (README, "Layout"). These tests read the imports of every module, the
in-function ones included (only ``if TYPE_CHECKING:`` blocks are left out, they
never run), and fail when a layer reaches the wrong way or two modules import
each other, so no in-function import can hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "rum_server"

ALLOWED: dict[str, set[str]] = {
    "transform": {"transform", "contract", "settings", "metrics"},
    "storage": {"storage", "transform", "contract", "settings", "metrics"},
    "sourcemaps": {"sourcemaps", "transform", "settings", "query", "storage"},
    "query": {"query", "storage", "transform", "sourcemaps", "contract", "settings", "metrics"},
    "ingest": {"ingest", "transform", "storage", "contract", "settings", "metrics", "operation"},
}
"""Which top-level parts of rum_server each layer may import (itself included)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path) -> set[str]:
    """The rum_server modules ``path`` imports when it runs (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("rum_server"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rum_server"):
            module = node.module or ""
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                is_module = (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists()
                found.add(candidate if is_module else module)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in runtime_imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def layer(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def test_rum_server_has_no_import_cycle() -> None:
    graph = import_graph()
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue  # a package and its own modules
            if state.get(nxt) == "open":
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


def test_each_layer_imports_only_the_layers_below_it() -> None:
    wrong = sorted(
        f"{module} imports {imported}"
        for module, imports in import_graph().items()
        if layer(module) in ALLOWED
        for imported in imports
        if layer(imported) not in ALLOWED[layer(module)]
    )
    assert wrong == []


def test_the_transform_touches_neither_the_store_nor_http() -> None:
    for path in (PACKAGE / "transform").rglob("*.py"):
        source = path.read_text()
        for banned in ("clickhouse_connect", "litestar", "chdb", "urllib.request", "socket"):
            assert f"import {banned}" not in source and f"from {banned}" not in source, (
                f"{path.name} imports {banned}"
            )


def test_the_scan_sees_in_function_imports_and_skips_type_checking() -> None:
    probe = PACKAGE.parent / "tests" / "data" / "layout_probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from rum_server.storage.store import Store\n"
        "def f():\n    from rum_server.transform import rows\n"
    )
    try:
        assert runtime_imports(probe) == {"rum_server.transform.rows"}
    finally:
        probe.unlink()
