"""Clock skew: event times moved onto the server's clock, never in its future, never negative."""

from __future__ import annotations

import itertools
import math

import pytest

from rum_server.transform.clock import clock_skew_ns, event_time_ns, ms_to_ns

RECEIVED_NS = 1_764_417_600_000_000_000  # 2025-11-29T12:00:00Z on the server's clock
RECEIVED_MS = RECEIVED_NS // 1_000_000
SECOND_NS = 1_000_000_000


@pytest.mark.parametrize(
    ("epoch_ms", "ns"),
    [
        (0.0, 0),
        (1.0, 1_000_000),
        (0.5, 500_000),
        (1_764_417_600_000.0, 1_764_417_600_000_000_000),
        (1_764_417_600_123.0, 1_764_417_600_123_000_000),
        # sub-millisecond fractions survive (float * 1e6 would round them away)
        (1_764_417_600_123.25, 1_764_417_600_123_250_000),
        (1_764_417_600_123.5, 1_764_417_600_123_500_000),
        (-1.5, -1_500_000),
    ],
)
def test_ms_to_ns_is_exact(epoch_ms: float, ns: int) -> None:
    assert ms_to_ns(epoch_ms) == ns
    assert isinstance(ms_to_ns(epoch_ms), int)


def test_ms_to_ns_beats_plain_float_multiplication() -> None:
    epoch_ms = 1_764_417_600_123.25
    assert int(epoch_ms * 1_000_000) != 1_764_417_600_123_250_000
    assert ms_to_ns(epoch_ms) == 1_764_417_600_123_250_000


def test_ms_to_ns_keeps_the_float_precision_everywhere_in_the_range() -> None:
    for epoch_ms in (1_000_000_000_000.001, 1_764_417_600_123.4567, 99_999_999_999_999.0):
        ulp_ns = math.ulp(epoch_ms) * 1_000_000
        assert abs(ms_to_ns(epoch_ms) - epoch_ms * 1_000_000) <= ulp_ns


@pytest.mark.parametrize(
    ("client_sent_ms", "skew_ns"),
    [
        (RECEIVED_MS, 0),
        (RECEIVED_MS - 250, 250_000_000),  # client 250 ms behind (or 250 ms in flight)
        (RECEIVED_MS + 90_000, -90 * SECOND_NS),  # client 90 s ahead
        (RECEIVED_MS - 365 * 86_400_000, 365 * 86_400 * SECOND_NS),  # a year behind
        (RECEIVED_MS + 0.5, -500_000),
        (math.nan, 0),
        (math.inf, 0),
        (-math.inf, 0),
    ],
)
def test_clock_skew_is_received_minus_sent(client_sent_ms: float, skew_ns: int) -> None:
    assert clock_skew_ns(client_sent_ms, RECEIVED_NS) == skew_ns


@pytest.mark.parametrize(
    ("case", "event_ms", "client_sent_ms", "expected_ns"),
    [
        (
            "accurate clock: unchanged",
            RECEIVED_MS - 5_000,
            RECEIVED_MS,
            RECEIVED_NS - 5 * SECOND_NS,
        ),
        (
            "client 90 s ahead: pulled back",
            RECEIVED_MS + 90_000 - 5_000,
            RECEIVED_MS + 90_000,
            RECEIVED_NS - 5 * SECOND_NS,
        ),
        (
            "client a day behind: pushed forward",
            RECEIVED_MS - 86_400_000 - 5_000,
            RECEIVED_MS - 86_400_000,
            RECEIVED_NS - 5 * SECOND_NS,
        ),
        (
            "sub-millisecond event time kept",
            RECEIVED_MS - 1_000.25,
            RECEIVED_MS,
            RECEIVED_NS - SECOND_NS - 250_000,
        ),
        ("event after send: clamped to received", RECEIVED_MS + 3_000, RECEIVED_MS, RECEIVED_NS),
        ("event at send: exactly received", RECEIVED_MS, RECEIVED_MS, RECEIVED_NS),
        (
            "skew larger than the epoch: clamped to zero",
            1_000.0,
            RECEIVED_MS + 10_000,
            0,
        ),
        ("event time not a number: received", math.nan, RECEIVED_MS, RECEIVED_NS),
        ("event time infinite: received", math.inf, RECEIVED_MS, RECEIVED_NS),
    ],
)
def test_event_time(case: str, event_ms: float, client_sent_ms: float, expected_ns: int) -> None:
    skew_ns = clock_skew_ns(client_sent_ms, RECEIVED_NS)
    corrected = event_time_ns(event_ms, skew_ns, RECEIVED_NS)
    assert corrected == expected_ns, case
    assert isinstance(corrected, int)


def test_events_keep_their_order_and_spacing() -> None:
    skew_ns = clock_skew_ns(RECEIVED_MS + 42_000.5, RECEIVED_NS)
    sent_ms = [RECEIVED_MS + 42_000.5 - gap for gap in (9_000.0, 4_500.75, 10.0, 0.25)]
    times = [event_time_ns(ms, skew_ns, RECEIVED_NS) for ms in sent_ms]
    assert times == sorted(times)
    assert [b - a for a, b in itertools.pairwise(times)] == [
        4_499_250_000,
        4_490_750_000,
        9_750_000,
    ]


def test_never_after_received_whatever_the_inputs() -> None:
    for event_ms in (0.0, 1.0, RECEIVED_MS - 1.0, RECEIVED_MS + 1.0, 1e14):
        for skew_ns in (-(10**18), -1, 0, 1, 10**18):
            corrected = event_time_ns(event_ms, skew_ns, RECEIVED_NS)
            assert 0 <= corrected <= RECEIVED_NS
