"""Batch → rows, as a pure transform: the storage contract's keys and values, event by event."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from rum_server.transform.redact import RedactionPolicy
from rum_server.transform.rows import (
    ROW_COLUMNS,
    BatchContext,
    BatchRows,
    EventRejected,
    parse_traceparent,
)
from rum_server.transform.user_agent import ClientInfo
from rum_server.transform.wire import Envelope, Event, event_decoder

RECEIVED_NS = 1_800_000_000_000_000_000
PHONE = ClientInfo("Mobile Safari", "18.1", "iOS", "18.1", "mobile")
USER_HASH = "1c90a808f9abcdfb2f6997468ce2ed2707b9efe66ac044a73522ad615d096ed9"
SHA256 = "5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8"
"""A user hash as identify() takes it: upper case is stored lower case."""


def envelope(**overrides: Any) -> Envelope:
    values: dict[str, Any] = {
        "v": 1,
        "site": "shop",
        "url": "https://shop.example/products/123/p?utm_source=ads&q=maria#top",
        "pv": "pv1",
        "sid": "sid1",
        "st": 1_000_000.0,
        "sv": "0.1.0",
        "ver": "r42",
        "env": "production",
    }
    values.update(overrides)
    return Envelope(**values)


def event(**fields: Any) -> Event:
    return event_decoder.decode(msgspec.json.encode(fields))


def rows_for(*events: Event, **envelope_overrides: Any) -> list[dict[str, Any]]:
    builder = BatchRows(
        envelope(**envelope_overrides), BatchContext(RECEIVED_NS, PHONE, "BR"), RedactionPolicy()
    )
    for item in events:
        builder.add(item)
    columns = builder.finish()
    data = columns.merged()
    return [{name: data[name][i] for name in ROW_COLUMNS} for i in range(columns.count)]


def test_every_row_carries_the_page_and_client_context() -> None:
    (row,) = rows_for(event(t="page_view", ts=999_000.0))
    assert row["EventName"] == "rum.page_view"
    assert row["Body"] == "/products/:id/p"
    assert row["ServiceName"] == "shop"
    assert row["ScopeName"] == "deco.rum" and row["ScopeVersion"] == "0.1.0"
    assert row["ResourceAttributes"] == {
        "service.name": "shop",
        "service.version": "r42",
        "deployment.environment.name": "production",
        "deployment.environment": "production",
        "rum.sessionId": "sid1",
    }
    attributes = row["LogAttributes"]
    assert attributes["rum.route"] == "/products/:id/p"
    assert attributes["rum.page.url"].startswith("https://shop.example/products/123/p?")
    assert "utm_source=ads" in attributes["rum.page.url"]
    assert "maria" not in attributes["rum.page.url"] and "#top" not in attributes["rum.page.url"]
    assert attributes["rum.device.type"] == "mobile"
    assert attributes["rum.browser.name"] == "Mobile Safari"
    assert attributes["rum.country"] == "BR"
    assert attributes["rum.sample_rate"] == "1"
    assert "rum.user.hash" not in attributes and "rum.request.id" not in attributes


@pytest.mark.parametrize(
    ("fields", "body", "expected"),
    [
        (
            {"name": "LCP", "v": 2315.0, "id": "m1"},
            "LCP 2315 ms good /products/:id/p",
            {"rum.metric.value": "2315", "rum.metric.delta": "2315", "rum.metric.rating": "good"},
        ),
        (
            {"name": "CLS", "v": 0, "id": "m2"},
            "CLS 0 good /products/:id/p",
            {"rum.metric.value": "0", "rum.metric.delta": "0"},
        ),
        (
            {"name": "CLS", "v": 0.31, "id": "m3", "d": 0.05},
            "CLS 0.31 poor /products/:id/p",
            {"rum.metric.value": "0.31", "rum.metric.delta": "0.05", "rum.metric.rating": "poor"},
        ),
        (
            {"name": "INP", "v": 350, "id": "m4"},
            "INP 350 ms needs-improvement /products/:id/p",
            {"rum.metric.name": "INP", "rum.metric.id": "m4"},
        ),
        (
            {"name": "FID", "v": 12, "id": "m5"},
            "FID 12 ms good /products/:id/p",
            {"rum.metric.name": "FID"},
        ),
        (
            {
                "name": "LCP",
                "v": 900,
                "id": "m6",
                "attr": {
                    "element": "img.hero",
                    "url": "https://cdn.example/a.jpg?sig=secret",
                    "bad key!": "x",
                },
            },
            "LCP 900 ms good /products/:id/p",
            {"rum.attribution.element": "img.hero"},
        ),
    ],
    ids=["lcp", "cls-zero", "cls-rereport", "inp", "fid", "attribution"],
)
def test_web_vital_rows(fields: dict[str, Any], body: str, expected: dict[str, str]) -> None:
    (row,) = rows_for(event(t="web_vital", ts=999_500.0, **fields))
    assert row["EventName"] == "rum.web_vital"
    assert (row["SeverityText"], row["SeverityNumber"]) == ("INFO", 9)
    assert row["Body"] == body
    attributes = row["LogAttributes"]
    assert expected.items() <= attributes.items()
    assert all(isinstance(value, str) for value in attributes.values())
    assert not any(key.startswith("rum.attribution.bad") for key in attributes)
    assert "secret" not in str(attributes)


def test_cls_above_100_is_rejected() -> None:
    with pytest.raises(EventRejected, match="CLS 101"):
        rows_for(event(t="web_vital", ts=1.0, name="CLS", v=101, id="x"))


def test_error_rows_are_redacted_and_counted() -> None:
    (row,) = rows_for(
        event(
            t="error",
            ts=999_000.0,
            msg="No stock for ana@example.com",
            type="TypeError",
            stack="at f (https://shop.example/app.js?token=abc:1:2)",
            n=4,
            src="error",
            file="https://shop.example/app.js?token=abc",
            line=1,
            col=2,
        )
    )
    assert (row["SeverityText"], row["SeverityNumber"]) == ("ERROR", 17)
    attributes = row["LogAttributes"]
    assert "ana@example.com" not in row["Body"] and row["Body"] == attributes["rum.error.message"]
    assert attributes["rum.error.count"] == "4"
    assert attributes["rum.error.type"] == "TypeError"
    assert (attributes["rum.error.line"], attributes["rum.error.column"]) == ("1", "2")
    assert "token=abc" not in attributes["rum.error.file"]
    assert "token=abc" not in attributes["rum.error.stack"]
    assert len(attributes["rum.error.fingerprint"]) == 16


def test_custom_event_rows_split_labels_from_free_attributes() -> None:
    (row,) = rows_for(
        event(
            t="event",
            ts=999_000.0,
            name="add_to_cart",
            labels={"category": "shirts"},
            attrs={"sku": "123", "email": "bob@example.com"},
        )
    )
    attributes = row["LogAttributes"]
    assert row["Body"] == "add_to_cart" and row["EventName"] == "rum.event"
    assert attributes["rum.event.name"] == "add_to_cart"
    assert attributes["rum.event.label.category"] == "shirts"
    assert attributes["rum.event.attr.sku"] == "123"
    assert "bob@example.com" not in attributes["rum.event.attr.email"]


@pytest.mark.parametrize(
    ("traceparent", "expected"),
    [
        ("", ("", "", 0)),
        ("not-a-traceparent", ("", "", 0)),
        (
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
            ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1),
        ),
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ("", "", 0)),
        (
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1),
        ),
        (
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
            ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0),
        ),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", ("", "", 0)),
    ],
    ids=[
        "absent",
        "garbage",
        "uppercase",
        "version-ff",
        "sampled",
        "not-sampled",
        "invalid-zero-trace",
    ],
)
def test_trace_ids_come_from_the_traceparent(
    traceparent: str, expected: tuple[str, str, int]
) -> None:
    assert parse_traceparent(traceparent) == expected


def test_event_times_are_shifted_by_the_clock_skew_and_never_in_the_future() -> None:
    early, late = rows_for(event(t="page_view", ts=999_000.0), event(t="page_view", ts=5_000_000.0))
    assert early["Timestamp"] == RECEIVED_NS - 1_000_000_000
    assert late["Timestamp"] == RECEIVED_NS


def test_optional_context_is_stored_only_when_present() -> None:
    (row,) = rows_for(
        event(t="page_view", ts=1.0),
        rid="req-1",
        ray="ray-1",
        conn="4g",
        vp="390x844",
        uh=SHA256,
        rate=0.1,
        nav="back-forward-cache",
        tp="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )
    attributes = row["LogAttributes"]
    assert attributes["rum.request.id"] == "req-1"
    assert attributes["rum.cf_ray"] == "ray-1"
    assert attributes["rum.connection.type"] == "4g"
    assert attributes["rum.viewport"] == "390x844"
    assert attributes["rum.user.hash"] == SHA256.lower()
    assert attributes["rum.sample_rate"] == "0.1"
    assert attributes["rum.navigation.type"] == "back-forward-cache"
    assert row["TraceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize(
    "user_hash",
    [
        "abcdef0123456789",  # 16 hex: too short to be a SHA-256
        USER_HASH + "00",
        "jane.doe@example.com",
        "",
    ],
)
def test_a_user_hash_that_is_not_a_lowercase_sha256_is_never_stored(user_hash: str) -> None:
    (row,) = rows_for(event(t="page_view", ts=1.0), uh=user_hash[:128])
    assert "rum.user.hash" not in row["LogAttributes"]


def resources_event(**overrides: Any) -> Event:
    fields: dict[str, Any] = {
        "t": "resources",
        "ts": 2.0,
        "n": 5,
        "b": 12_000,
        "c": 1,
        "rb": 2,
        "i": {"img": [3, 9000], "script": [2, 3000]},
        "ct": {"image/png": [3, 9000], "text/javascript": [1, 3000], "": [1, 0]},
        "h": {
            "cdn.shop.example": [1, 4000],
            "www.google-analytics.com": [1, 1000],
            "img.google-analytics.com": [1, 500],
        },
        "s": [
            ["https://shop.example/orders/123456/receipt.png", 812.34],
            ["https://www.google-analytics.com/g/collect", 120.0],
        ],
    }
    fields.update(overrides)
    return event(**fields)


def test_resources_rollup_is_one_row_of_rum_resources_keys() -> None:
    (row,) = rows_for(resources_event(), url="https://www.shop.example/products/1/p")
    attributes = row["LogAttributes"]
    assert row["EventName"] == "rum.resources"
    assert row["Body"] == "5 requests, 12000 B transferred"
    expected = {
        "rum.resources.count": "5",
        "rum.resources.transfer_bytes": "12000",
        "rum.resources.cache_hits": "1",
        "rum.resources.cache_hit_share": "0.2",
        "rum.resources.render_blocking": "2",
        "rum.resources.initiator.img.count": "3",
        "rum.resources.initiator.img.transfer_bytes": "9000",
        "rum.resources.initiator.script.count": "2",
        "rum.resources.content_type.image/png.count": "3",
        "rum.resources.content_type.text/javascript.transfer_bytes": "3000",
        "rum.resources.content_type.unknown.count": "1",
        # cdn.shop.example is the page's own registrable domain: first party.
        "rum.resources.third_party.count": "2",
        "rum.resources.third_party.transfer_bytes": "1500",
        "rum.resources.third_party_share": "0.4",
        "rum.resources.third_party.host.google-analytics.com.count": "2",
        "rum.resources.third_party.host.google-analytics.com.transfer_bytes": "1500",
        "rum.resources.slowest.1.duration": "812.3",
        "rum.resources.slowest.2.url": "https://www.google-analytics.com/g/collect",
    }
    assert {key: attributes.get(key) for key in expected} == expected
    assert not [key for key in attributes if "shop.example" in key]
    # A slow URL is redacted and its ids collapsed like any URL.
    assert "123456" not in attributes["rum.resources.slowest.1.url"]
    assert attributes["rum.resources.slowest.1.url"].startswith("https://shop.example/orders/")


def test_resources_keys_from_the_browser_keep_a_strict_alphabet() -> None:
    (row,) = rows_for(
        resources_event(
            i={"IMG<script>": [1, 10], "img": [1, 5]},
            ct={"text/html; charset=utf-8": [1, 10], "undefined": [1, 5]},
            h={"evil.example/../x": [1, 10], "[::1]": [1, 5]},
            s=[],
        )
    )
    keys = [key for key in row["LogAttributes"] if key.startswith("rum.resources.")]
    assert "rum.resources.initiator.other.count" in keys
    assert "rum.resources.content_type.unknown.count" in keys
    assert row["LogAttributes"]["rum.resources.content_type.unknown.count"] == "2"
    assert not [key for key in keys if "<" in key or "/.." in key or ";" in key]
    assert not [key for key in keys if key.startswith("rum.resources.slowest.")]


@pytest.mark.parametrize(
    "overrides",
    [
        {"n": -1},
        {"n": 100_001},
        {"i": {f"k{i}": [1, 1] for i in range(17)}},
        {"s": [["https://x.example/", 1.0]] * 6},
        {"s": [["https://x.example/" + "a" * 8200, 1.0]]},
        {"h": {"x.example": [1]}},
        {"extra": 1},
    ],
)
def test_resources_beyond_the_wire_bounds_are_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(msgspec.ValidationError):
        resources_event(**overrides)


@pytest.mark.parametrize("url", ["https://[bad/p", "https://[::1/p", "https://exa\u2100mple/p"])
def test_a_page_url_urlsplit_refuses_fails_the_batch_with_or_without_resources(url: str) -> None:
    """The page host is only read for resources rows, but a URL ``urlsplit`` refuses
    fails the whole batch either way (the HTTP layer answers 400), as it always did."""
    for events in ([event(t="page_view", ts=999_000.0)], [event(t="resources", ts=1.0, n=1)]):
        with pytest.raises(ValueError):
            rows_for(*events, url=url)
