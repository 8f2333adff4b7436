"""The package's shape: no import cycle (in-function imports included, so none can hide
one), and the pure transforms import nothing from storage, ingest or any HTTP library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "rum_server"
HTTP_LIBRARIES = ("litestar", "uvicorn", "httpx", "urllib.request", "http")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str) -> set[str]:
    """Every module ``name`` imports, at any depth of its code (functions too)."""
    found: set[str] = set()
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def internal_imports(name: str) -> set[str]:
    return {module for module in imports_of(name) if module in MODULES and module != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path (first module repeated at the end), or [] when none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_rum_server_has_no_import_cycle() -> None:
    graph = {name: internal_imports(name) for name in MODULES}
    assert find_cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


TRANSFORM = sorted(name for name in MODULES if name.startswith("rum_server.transform"))


@pytest.mark.parametrize("name", TRANSFORM)
def test_transforms_import_no_storage_ingest_or_http(name: str) -> None:
    forbidden = [
        module
        for module in imports_of(name)
        if module.startswith(("rum_server.storage", "rum_server.ingest", "rum_server.app"))
        or module.split(".")[0] in {lib.split(".")[0] for lib in HTTP_LIBRARIES if "." not in lib}
        or module.startswith(tuple(lib for lib in HTTP_LIBRARIES if "." in lib))
        or module in ("clickhouse_connect", "chdb")
    ]
    assert forbidden == []


def test_the_transform_package_is_found() -> None:
    assert {"rum_server.transform.rows", "rum_server.transform.pipeline"} <= set(TRANSFORM)
