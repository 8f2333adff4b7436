"""docs/storage.md lists every ``rum.*`` key the server writes, so users' queries can trust it."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KEY = re.compile(r"""["'](rum\.[a-z0-9_.]+)["']""")
SNIPPET_FILES = {"rum.js", "rum.attribution.js", "rum.errors.js", "rum.dev.js"}


def keys_in_server_code() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "rum_server").rglob("*.py"):
        found.update(KEY.findall(path.read_text()))
    return found - SNIPPET_FILES


def documented(key: str, doc: str) -> bool:
    """A key is documented by name, or by the prefix of a family (``rum.event.attr.<key>``)."""
    return f"`{key}`" in doc or any(
        key.startswith(prefix) for prefix in re.findall(r"`(rum\.[a-z0-9_.]+\.)<", doc)
    )


def test_every_key_the_server_writes_is_documented() -> None:
    doc = (REPO / "docs" / "storage.md").read_text()
    missing = sorted(key for key in keys_in_server_code() if not documented(key, doc))
    assert not missing, f"docs/storage.md does not list: {missing}"


def test_the_scan_finds_the_keys_every_row_carries() -> None:
    assert {"rum.session.id", "rum.page_view.id", "rum.route"} <= keys_in_server_code()
