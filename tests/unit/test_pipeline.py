"""Body bytes → rows: one strict decode, per-event rejection, the site allow-list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rum_server.ingest.errors import Forbidden, MalformedBatch
from rum_server.settings import Settings
from rum_server.transform.pipeline import Pipeline, RequestContext

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


def test_a_batch_with_no_valid_event_is_malformed() -> None:
    with pytest.raises(MalformedBatch, match="no valid event") as raised:
        Pipeline(Settings()).process(body(events=[{"t": "?"}]), REQUEST)
    assert raised.value.detail[0] == {"index": 0, "reason": raised.value.detail[0]["reason"]}


def test_sites_outside_the_allow_list_are_forbidden() -> None:
    pipeline = Pipeline(Settings(sites=("shop",)))
    assert pipeline.process(body(), REQUEST).accepted == 1
    with pytest.raises(Forbidden, match="'other'"):
        pipeline.process(body(site="other"), REQUEST)
