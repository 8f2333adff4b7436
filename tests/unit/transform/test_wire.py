"""The wire format: the published schema matches the Structs, the examples decode."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from rum_server.transform import wire
from tests.conftest import EXAMPLES

DOCS = Path(__file__).parents[3] / "docs"


def test_the_published_json_schema_is_generated_from_the_structs() -> None:
    published = json.loads((DOCS / "wire.schema.json").read_text())
    assert published == wire.json_schema(), (
        "docs/wire.schema.json is stale: run "
        "python -m rum_server.transform.wire > docs/wire.schema.json"
    )


@pytest.mark.parametrize("path", sorted((DOCS / "examples").glob("*.json")), ids=lambda p: p.name)
def test_every_example_decodes_with_every_event_typed(path: Path) -> None:
    batch = msgspec.json.decode(path.read_bytes(), type=wire.TypedBatch, strict=True)
    assert batch.v == wire.WIRE_VERSION and batch.events


def test_every_wire_field_is_documented() -> None:
    text = (DOCS / "wire.md").read_text()
    fields = set(wire.TypedBatch.__struct_fields__)
    for struct in (wire.WebVital, wire.Error, wire.PageView, wire.CustomEvent):
        fields |= set(struct.__struct_fields__)
    missing = sorted(name for name in fields if f"`{name}`" not in text)
    assert missing == []


@pytest.mark.parametrize(
    "event",
    [
        {"t": "web_vital", "ts": 1, "name": "LCP", "v": 1, "id": "a b"},
        {"t": "web_vital", "ts": 1, "name": "XYZ", "v": 1, "id": "a"},
        {"t": "error", "ts": 1},
        {"t": "error", "ts": 1, "msg": "x", "n": 0},
        {"t": "event", "ts": 1, "name": ""},
        {"t": "page_view", "ts": -5},
        {"t": "page_view", "ts": 1, "extra": True},
    ],
    ids=[
        "id-space",
        "unknown-metric",
        "no-message",
        "zero-count",
        "empty-name",
        "negative-time",
        "unknown-key",
    ],
)
def test_events_that_break_a_rule_do_not_decode(event: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        wire.event_decoder.decode(json.dumps(event))


@pytest.mark.parametrize(
    ("data", "too_deep"),
    [
        (b"[" * 16 + b"]" * 16, False),
        (b"[" * 17 + b"]" * 17, True),
        (b'{"a":' * 17 + b"1" + b"}" * 17, True),
        (b"[" * 100_000, True),  # unpaired, but the decoder would recurse through it first
        (b'{"m": "' + b"[" * 100 + b'"}', False),  # brackets inside a string are text
        (b'{"m": "\\"' + b"[" * 100 + b'"}', False),  # also after an escaped quote
        (b"[}", False),  # a syntax error the decoder names
        (b"", False),
    ],
    ids=[
        "16 levels",
        "17 levels",
        "17 objects",
        "unpaired flood",
        "string",
        "escape",
        "bad",
        "empty",
    ],
)
def test_nesting_is_measured_before_decoding(data: bytes, too_deep: bool) -> None:
    assert wire.nesting_too_deep(data) is too_deep


def test_every_example_nests_well_within_the_limit() -> None:
    for path in EXAMPLES:
        assert not wire.nesting_too_deep(path.read_bytes(), limit=5)
