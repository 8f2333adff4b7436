"""The redaction audit rule: no client string reaches a stored column without the redactor.

The row builder types every stored value as ``redact.Redacted``, which only
``rum_server/transform/redact.py`` makes; ``mypy --strict`` then refuses a change that stores a
client string directly. These tests prove both halves: mypy rejects a bypass (and
accepts the same code through the redactor), and nothing outside the redactor
constructs a ``Redacted``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

BYPASSES = """
from rum_server.transform.redact import RedactionPolicy
from rum_server.transform.rows import Attributes, BatchContext, shared_attributes, vital_attributes
from rum_server.transform.wire import Envelope, WebVital


def page_url_unredacted(envelope: Envelope, attributes: Attributes) -> None:
    attributes["rum.page.url"] = envelope.url


def route_unredacted(envelope: Envelope, context: BatchContext, url: str) -> Attributes:
    return shared_attributes(envelope, context, envelope.route, url)


def attribution_unredacted(vital: WebVital, envelope: Envelope, attributes: Attributes) -> None:
    vital_attributes(vital, envelope.route, attributes, RedactionPolicy())
"""

REDACTED = """
from rum_server.transform.redact import RedactionPolicy, redact_text, redact_url
from rum_server.transform.rows import Attributes
from rum_server.transform.wire import Envelope


def page_url(envelope: Envelope, attributes: Attributes) -> None:
    attributes["rum.page.url"] = redact_url(envelope.url, RedactionPolicy())
    attributes["rum.route"] = redact_text(envelope.route)
"""


def mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on one snippet with the project's settings, ``rum_server`` from
    this tree (not an installed copy)."""
    snippet = tmp_path / "snippet.py"
    snippet.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--config-file", str(REPO / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), str(snippet)],
        cwd=tmp_path, env={**os.environ, "MYPYPATH": str(REPO)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_mypy_rejects_a_client_string_stored_without_redaction(tmp_path: Path) -> None:
    done = mypy(tmp_path, BYPASSES)
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert done.returncode == 1, done.stdout + done.stderr
    assert len(errors) == 4, done.stdout  # the URL, the route (twice) and the vital's route
    assert all('"Redacted"' in line for line in errors), done.stdout


def test_mypy_accepts_the_same_values_through_the_redactor(tmp_path: Path) -> None:
    done = mypy(tmp_path, REDACTED)
    assert done.returncode == 0, done.stdout + done.stderr


def test_only_the_redactor_makes_a_redacted_value() -> None:
    makers = []
    for path in sorted((REPO / "rum_server").rglob("*.py")):
        if path.name == "redact.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Redacted":
                makers.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert makers == []
