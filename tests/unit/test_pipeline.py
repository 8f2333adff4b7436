"""Body bytes → rows: one strict decode, per-event rejection; the site is the guard's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rum_server.settings import Settings
from rum_server.transform.pipeline import InvalidBatch, Pipeline, RequestContext

REQUEST = RequestContext(received_ns=1_800_000_000_000_000_000, user_agent="curl/8.0")


def body(**overrides: Any) -> bytes:
    batch: dict[str, Any] = {
        "v": 1,
        "site": "shop",
        "url": "https://shop.example/",
        "pv": "p",
        "sid": "s",
        "st": 1.0,
        "events": [{"t": "page_view", "ts": 1.0}],
    }
    batch.update(overrides)
    return json.dumps(batch).encode()


def test_a_valid_batch_becomes_one_row_per_event() -> None:
    processed = Pipeline(Settings()).process(body(), REQUEST)
    assert processed.accepted == 1 and processed.rejected == []


def test_unknown_envelope_keys_from_newer_snippets_are_ignored() -> None:
    assert Pipeline(Settings()).process(body(future="x"), REQUEST).accepted == 1


def test_each_bad_event_is_rejected_alone_with_its_index() -> None:
    events = [{"t": "page_view", "ts": 1.0}, {"t": "page_view"}, {"t": "web_vital", "ts": 1}]
    processed = Pipeline(Settings()).process(body(events=events), REQUEST)
    assert processed.accepted == 1
    assert [item["index"] for item in processed.rejected] == [1, 2]
    assert "ts" in str(processed.rejected[0]["reason"])


def test_a_batch_with_no_valid_event_is_invalid_and_says_why_per_event() -> None:
    with pytest.raises(InvalidBatch, match="no valid event") as raised:
        Pipeline(Settings()).process(body(events=[{"t": "?"}, {"t": "page_view"}]), REQUEST)
    first, second = raised.value.detail
    assert first == {"index": 0, "reason": "Invalid value '?' - at `$.t`"}
    assert second == {"index": 1, "reason": "Object missing required field `ts`"}


def test_a_body_that_is_not_a_batch_is_invalid() -> None:
    with pytest.raises(InvalidBatch, match="not valid JSON"):
        Pipeline.decode(b"{")
    with pytest.raises(InvalidBatch, match="invalid batch"):
        Pipeline.decode(b'{"v": 1}')


def test_decoding_exposes_the_site_before_any_row_is_built() -> None:
    decoded = Pipeline.decode(body(site="other"))
    assert decoded.site == "other" and len(decoded.events) == 1
    assert Pipeline(Settings(sites=("shop",))).rows(decoded, REQUEST).accepted == 1
