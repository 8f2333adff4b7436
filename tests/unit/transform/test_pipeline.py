"""Body bytes → rows: one strict decode, per-event rejection, the site allow-list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rum_server.settings import Settings
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.refusals import BatchRefused, SiteNotAccepted

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


def test_a_batch_with_no_valid_event_is_malformed_and_says_why_for_each() -> None:
    events = [{"t": "?"}, {"t": "web_vital", "ts": 1.0, "name": "LCP", "v": -1, "id": "m"}]
    with pytest.raises(BatchRefused, match="no valid event") as raised:
        Pipeline(Settings()).process(body(events=events), REQUEST)
    assert raised.value.detail == [
        {"index": 0, "reason": "Invalid value '?' - at `$.t`"},
        {"index": 1, "reason": "Expected `float` >= 0.0 - at `$.v`"},
    ]


def test_sites_outside_the_allow_list_are_forbidden() -> None:
    pipeline = Pipeline(Settings(sites=("shop",)))
    assert pipeline.process(body(), REQUEST).accepted == 1
    with pytest.raises(SiteNotAccepted, match="'other'"):
        pipeline.process(body(site="other"), REQUEST)


def test_json_nested_too_deep_is_refused_before_decoding() -> None:
    with pytest.raises(BatchRefused) as raised:
        deep: list[Any] = [1]
        for _ in range(17):
            deep = [deep]
        Pipeline(Settings()).process(body(deep=deep), REQUEST)
    assert "deeper than 16" in raised.value.detail[0]


def test_nesting_the_bracket_count_cannot_see_is_still_a_clear_400() -> None:
    """Brackets inside strings cancel out the real ones for the cheap count; the decoder's
    recursion guard then answers, as a BatchRefused rather than a RecursionError."""
    sneaky = b'{"x":' + b'["]",' * 3000 + b"1" + b',"["]' * 3000 + b"}"
    with pytest.raises(BatchRefused):
        Pipeline(Settings()).process(sneaky, REQUEST)


@pytest.mark.parametrize("site", ["52998224725", "4111111111111111", "shop-123.456.789-09"])
def test_a_site_id_holding_personal_data_is_refused(site: str) -> None:
    with pytest.raises(BatchRefused):
        Pipeline(Settings()).process(body(site=site), REQUEST)


JSON_PIECES = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        '"',
        ":",
        ",",
        '"t"',
        '"events"',
        '"page_view"',
        "1",
        "-1e400",
        "null",
        "true",
        '"\\u0000"',
        '"\\ud800"',
        '"a@b.com"',
        " ",
        '"v"',
        '"site"',
        '"\\"',
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(JSON_PIECES, max_size=60),
    mutation=st.integers(min_value=0, max_value=10_000),
    raw=st.binary(max_size=300),
)
def test_any_body_is_processed_or_refused_with_a_client_error(
    pieces: list[str], mutation: int, raw: bytes
) -> None:
    """Hostile bytes never raise anything but BatchRefused or SiteNotAccepted."""
    pipeline = Pipeline(Settings())
    valid = bytearray(body(events=[{"t": "event", "ts": 1, "name": "x", "attrs": {"k": "v"}}]))
    valid[mutation % len(valid)] = (valid[mutation % len(valid)] + 1 + mutation) % 256
    for data in ("".join(pieces).encode(), bytes(valid), raw, body(**{"x": "".join(pieces)})):
        try:
            processed = pipeline.process(data, REQUEST)
        except (BatchRefused, SiteNotAccepted):
            continue
        assert processed.accepted >= 1
