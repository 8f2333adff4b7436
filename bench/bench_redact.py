"""Micro-benchmark of redaction on the ingest hot path: ``python bench/bench_redact.py``.

Prints microseconds per call for typical inputs. "cold" defeats the URL cache by making
every URL distinct (a new query value each call); "warm" repeats one URL, as the many
events of one page view do.
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rum_server.transform.redact import (  # after the sys.path line: runs from a plain checkout
    DEFAULT_POLICY,
    redact_referrer,
    redact_stack,
    redact_text,
    redact_url,
)

PAGE_URL = (
    "https://www.loja.com.br/tenis-nike-air-max-90-masculino-123456/p"
    "?skuId=98765&utm_source=google&utm_medium=cpc&utm_campaign=black-friday&gclid=Cj0KCQiA#reviews"
)
ERROR_MESSAGE = "TypeError: Cannot read properties of undefined (reading 'price')"
ERROR_MESSAGE_WITH_PII = "Error: no account for ana.silva@gmail.com (cpf 123.456.789-09)"
STACK = "\n".join(
    ["TypeError: Cannot read properties of undefined (reading 'price')"]
    + [
        f"    at fn{i} (https://www.loja.com.br/_frsh/js/4f1c2b3a4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a/"
        f"island-{i}.js:{i * 7 + 1}:{i * 131 + 17})"
        for i in range(10)
    ]
)
REFERRER = "https://www.google.com/search?q=tenis+nike&sourceid=chrome"


def _per_call_us(call: Callable[[], object]) -> float:
    """Best of five runs of about 0.2 s each (the minimum is the least disturbed)."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6


def main() -> None:
    serial = count()
    cases: list[tuple[str, int, Callable[[], object]]] = [
        (
            "page URL, cold (cache miss)",
            len(PAGE_URL),
            lambda: redact_url(f"{PAGE_URL}&n={next(serial)}", DEFAULT_POLICY),
        ),
        ("page URL, warm (cache hit)", len(PAGE_URL), lambda: redact_url(PAGE_URL, DEFAULT_POLICY)),
        ("referrer", len(REFERRER), lambda: redact_referrer(REFERRER)),
        ("error message, no PII", len(ERROR_MESSAGE), lambda: redact_text(ERROR_MESSAGE)),
        (
            "error message with PII",
            len(ERROR_MESSAGE_WITH_PII),
            lambda: redact_text(ERROR_MESSAGE_WITH_PII),
        ),
        ("stack, 11 lines", len(STACK), lambda: redact_stack(STACK, DEFAULT_POLICY)),
        (
            "stack, 8 KB (wire limit)",
            8192,
            lambda: redact_stack((STACK * 10)[:8192], DEFAULT_POLICY),
        ),
    ]
    print(f"{'input':<32} {'chars':>6} {'µs/call':>9}")
    print(f"{'-' * 32} {'-' * 6} {'-' * 9}")
    for name, chars, call in cases:
        print(f"{name:<32} {chars:>6} {_per_call_us(call):>9.1f}")


if __name__ == "__main__":
    main()
