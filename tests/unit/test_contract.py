"""contract.py names every stored thing once; the docs, the code and the rows agree with it."""

from __future__ import annotations

import ast
import json
import re
import typing
from pathlib import Path

from rum_server import contract
from rum_server.transform import wire

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "rum_server"
GOLDEN = REPO / "tests" / "data" / "example_rows.golden.json"
KEY = re.compile(r"\brum\.[A-Za-z_]+(?:\.[A-Za-z_]+)*\.?")
"""A ``rum.`` key (rum.route, rum.event.label.); the snippet's file names are not keys."""
QUOTED_KEY = re.compile(r"""["']""" + KEY.pattern + r"""["']""")
SNIPPET_FILES = {"rum.js", "rum.attribution.js", "rum.errors.js", "rum.dev.js"}


def python_strings(source: str) -> list[str]:
    """Every string constant of a module except docstrings (prose may name keys)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def key_literals(path: Path) -> list[str]:
    """The keys spelled in a file: in Python string constants, or quoted in SQL, JS, HTML."""
    text = path.read_text()
    if path.suffix == ".py":
        found = [m.group(0) for value in python_strings(text) for m in KEY.finditer(value)]
    else:
        found = [m.group(0)[1:-1] for m in QUOTED_KEY.finditer(text)]
    return [key for key in found if key not in SNIPPET_FILES]


def test_docs_storage_md_is_the_rendered_contract() -> None:
    doc = (REPO / "docs" / "storage.md").read_text()
    assert contract.render_storage_doc(doc) == doc, (
        "docs/storage.md drifted from rum_server/contract.py: "
        "run python -m rum_server.contract docs/storage.md"
    )


def test_the_literal_scan_finds_what_it_must() -> None:
    assert "rum.route" in key_literals(PACKAGE / "contract.py")
    assert python_strings('"""Docs name `rum.route`."""\nX = f"rum.event.attr.{k}"') == [
        "rum.event.attr."
    ]
    assert QUOTED_KEY.search("x['rum.route']") and not QUOTED_KEY.search('"deco.rum"')


def documented(key: str, attributes: tuple[contract.Attribute, ...]) -> bool:
    return any(
        key == a.key or (a.key.endswith("<key>") and key.startswith(a.key[: -len("<key>")]))
        for a in attributes
    )


def test_every_key_the_examples_store_is_documented() -> None:
    rows = json.loads(GOLDEN.read_text())["otel_logs"]
    stored = {key for row in rows for key in row["LogAttributes"]}
    resource = {key for row in rows for key in row["ResourceAttributes"]}
    assert stored and all(documented(key, contract.ATTRIBUTES) for key in stored), stored
    assert resource == {a.key for a in contract.RESOURCE_ATTRIBUTES}
    kinds = {k.name: (k.severity.text, k.severity.number) for k in contract.EVENT_KINDS}
    assert {row["EventName"] for row in rows} <= set(kinds)  # the examples send no resources
    assert all(
        (row["SeverityText"], row["SeverityNumber"]) == kinds[row["EventName"]] for row in rows
    )
    assert {row["ScopeName"] for row in rows} == {contract.SCOPE_NAME}


def test_every_documented_key_is_a_named_constant() -> None:
    constants = {v for k, v in vars(contract).items() if k.isupper() and isinstance(v, str)}
    for attribute in contract.ATTRIBUTES + contract.RESOURCE_ATTRIBUTES:
        assert attribute.key.removesuffix("<key>") in constants, attribute.key


def test_the_wire_metric_names_are_the_contracts() -> None:
    assert set(typing.get_args(wire.MetricName)) == set(contract.METRIC_NAMES)
    assert all(m.good < m.poor for m in contract.METRICS.values())




def test_the_dashboard_keeps_no_copy_of_metric_names_or_thresholds() -> None:
    """It reads them from GET /__deco/rum/api/contract (query/contract_info.py)."""
    script = (PACKAGE / "web" / "dashboard_assets" / "dashboard.js").read_text()
    assert "/contract" in script
    for metric in contract.METRICS.values():
        assert f"{metric.good:g}, {metric.poor:g}" not in script, metric.name
    assert '"TTFB"' not in script and "TTFB:" not in script


def test_no_rum_key_literal_outside_the_contract() -> None:
    offenders = {
        str(path.relative_to(REPO)): key_literals(path)
        for pattern in ("*.py", "*.sql")  # dashboard.js shows SQL to copy: see README
        for path in PACKAGE.rglob(pattern)
        if path.name != "contract.py" and "static" not in path.parts
    }
    assert {path: keys for path, keys in offenders.items() if keys} == {}
