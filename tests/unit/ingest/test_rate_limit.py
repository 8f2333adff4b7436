"""A token bucket per client: bursts allowed, a steady rate after, memory bounded."""

from __future__ import annotations

import pytest

from rum_server.ingest.rate_limit import RateLimited, RateLimiter, visitor_address


def test_a_burst_is_allowed_then_the_client_waits_for_tokens() -> None:
    limiter = RateLimiter(rate=2, burst=3)
    for _ in range(3):
        limiter.check("a", now=0.0)
    with pytest.raises(RateLimited) as raised:
        limiter.check("a", now=0.0)
    assert raised.value.status_code == 429
    assert raised.value.headers == {"Retry-After": "1"}
    limiter.check("a", now=0.5)  # one token back after half a second at 2/s


def test_clients_are_limited_independently() -> None:
    limiter = RateLimiter(rate=1, burst=1)
    limiter.check("a", now=0.0)
    limiter.check("b", now=0.0)
    with pytest.raises(RateLimited):
        limiter.check("a", now=0.1)


def test_the_least_recently_seen_clients_are_forgotten_past_the_bound() -> None:
    limiter = RateLimiter(rate=1, burst=1, max_clients=2)
    limiter.check("a", now=0.0)
    limiter.check("b", now=0.0)
    limiter.check("c", now=0.0)  # forgets "a"
    limiter.check("a", now=0.0)  # a fresh bucket again


def test_the_visitor_is_the_address_our_proxy_appended_never_the_leftmost() -> None:
    spoofed = ["6.6.6.6, 203.0.113.9"]  # the client wrote 6.6.6.6; our proxy appended the rest
    assert visitor_address(spoofed) == "203.0.113.9"
    assert visitor_address(["6.6.6.6, 203.0.113.9, 10.0.0.2"], hops=2) == "203.0.113.9"
    assert visitor_address(["6.6.6.6", "203.0.113.9"]) == "203.0.113.9"  # two header lines
    assert visitor_address(["203.0.113.9"], hops=3) == "203.0.113.9"
    assert visitor_address([" , "]) == ""
