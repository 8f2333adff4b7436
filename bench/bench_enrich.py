"""Cost of the per-batch enrichment: User-Agent parsing, route, clock.

Run from the repository root: ``python bench/bench_enrich.py``. Prints
microseconds per call. The ingest path calls each function once per batch
(event times once per event), so compare these with the ~100-160 µs a batch
costs at the no-op ceiling (6,000-10,000 batches/s on this kind of machine).

The User-Agent mix is what real traffic looks like: a dozen current browsers
make most requests, and a long tail (the test corpus, old and exotic strings
and crawlers) makes the rest, each string seen a few times at most.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from rum_server.transform.clock import clock_skew_ns, event_time_ns  # noqa: E402
from rum_server.transform.route import route_for  # noqa: E402
from rum_server.transform.user_agent import (  # noqa: E402
    cache_clear,
    cache_info,
    load_rules,
    parse_user_agent,
)

CORPUS = ROOT / "tests" / "data" / "user-agents.txt"

COMMON_USER_AGENTS = list(corpus.COMMON_USER_AGENTS)
COMMON_SHARE = 0.9
"""Share of requests from the common strings (Zipf-weighted among them)."""

URLS = [
    ("/_products/$slug/p", "https://shop.example/camiseta-polo-azul-12345/p?skuId=1"),
    ("/", "https://shop.example/"),
    ("/:category", "https://shop.example/feminino"),
    ("", "https://shop.example/feminino/vestidos?page=2"),
    ("", "https://shop.example/camiseta-polo-azul-12345/p?skuId=1"),
    ("", "https://shop.example/account/orders/1234567890123-01"),
    ("", "https://shop.example/s?q=camiseta"),
    ("", "https://shop.example/blog/2026-11-29/black-friday-2026"),
    ("", "https://shop.example/u/550e8400-e29b-41d4-a716-446655440000/wishlist"),
]


def per_call_us(function: Callable[[], object], calls: int) -> float:
    """Mean microseconds per call over ``calls`` calls (best of three rounds)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter_ns()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter_ns() - started) / calls / 1_000)
    return best


def each_once_us(function: Callable[[str], object], inputs: Sequence[str]) -> float:
    """Mean microseconds per call, calling once per input."""
    started = time.perf_counter_ns()
    for value in inputs:
        function(value)
    return (time.perf_counter_ns() - started) / len(inputs) / 1_000


def realistic_mix(tail: list[str], requests: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    weights = [1 / rank for rank in range(1, len(COMMON_USER_AGENTS) + 1)]
    mix = []
    for _ in range(requests):
        if rng.random() < COMMON_SHARE:
            mix.append(rng.choices(COMMON_USER_AGENTS, weights)[0])
        else:
            mix.append(rng.choice(tail))
    return mix


def row(label: str, microseconds: float) -> None:
    print(f"{label:<84} {microseconds:10.2f} µs/call")


def main() -> None:
    tail = CORPUS.read_text(encoding="utf-8").splitlines()

    started = time.perf_counter()
    resolver = load_rules()
    print(f"ua-parser resolver {resolver}, rules loaded in {time.perf_counter() - started:.2f} s")

    for attempt in ("first pass, rules compile as needed", "second pass, rules ready"):
        cache_clear()
        row(
            f"parse_user_agent uncached, {len(tail)} corpus strings, {attempt}",
            each_once_us(parse_user_agent, tail),
        )
    cache_clear()
    row(
        f"parse_user_agent uncached, the {len(COMMON_USER_AGENTS)} common strings",
        each_once_us(parse_user_agent, COMMON_USER_AGENTS),
    )
    common = COMMON_USER_AGENTS[0]
    row("parse_user_agent warm (cache hit)", per_call_us(lambda: parse_user_agent(common), 200_000))

    cache_clear()
    mix = realistic_mix(tail, 20_000)
    mixed = each_once_us(parse_user_agent, mix)
    info = cache_info()
    hit_rate = info.hits / (info.hits + info.misses)
    label = f"parse_user_agent mix of {len(mix)}, {COMMON_SHARE:.0%} common strings"
    row(f"{label}, cache from empty (hits {hit_rate:.0%})", mixed)

    def route_cost(hint: str, url: str) -> float:
        return per_call_us(lambda: route_for(hint, url), 50_000)

    for hint, url in (URLS[0], URLS[3], URLS[5]):
        label = "hint given" if hint else url.removeprefix("https://shop.example")
        row(f"route_for {label}", route_cost(hint, url))
    row(
        f"route_for mixed ({len(URLS)} urls)",
        per_call_us(lambda: [route_for(h, u) for h, u in URLS], 5_000) / len(URLS),
    )

    received_ns = time.time_ns()
    sent_ms = received_ns / 1e6 - 120.5
    row("clock_skew_ns", per_call_us(lambda: clock_skew_ns(sent_ms, received_ns), 200_000))
    skew_ns = clock_skew_ns(sent_ms, received_ns)
    row(
        "event_time_ns",
        per_call_us(lambda: event_time_ns(sent_ms - 3_000.25, skew_ns, received_ns), 200_000),
    )


if __name__ == "__main__":
    main()
