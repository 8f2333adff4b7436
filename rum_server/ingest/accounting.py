"""How ingest counts and reads: accepted and refused batches in the self-metrics, the
bounded body read with its deadline, and a client that went away."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from litestar.datastructures import State
from litestar.exceptions import InternalServerException

from rum_server.ingest.body import read_bounded
from rum_server.ingest.errors import RequestTimeout
from rum_server.metrics import Metrics
from rum_server.transform.rows import OUTSIDE_RETENTION


def count_accepted(
    state: State, accepted: int, rejected_events: list[dict[str, str | int]]
) -> None:
    metrics: Metrics = state.metrics
    metrics.accepted_batches.inc()
    metrics.accepted_events.inc(accepted)
    for rejection in rejected_events:
        too_old = str(rejection["reason"]).startswith(OUTSIDE_RETENTION)
        metrics.rejected.inc(1, "outside_retention" if too_old else "invalid_event")


def count_refused(state: State, error: Exception) -> None:
    """One refused batch, labelled by the error's kind (``payload_too_large`` …)."""
    metrics: Metrics | None = getattr(state, "metrics", None)
    if metrics is None:
        return
    reason = re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()
    metrics.rejected.inc(1, reason)
    if reason == "rate_limited":
        metrics.rate_limited.inc()


async def read_within(chunks: AsyncIterator[bytes], seconds: float) -> bytes:
    """The bounded body read, cut off after ``seconds`` (a client trickling its body)."""
    try:
        async with asyncio.timeout(seconds):
            return await read_bounded(chunks)
    except TimeoutError:
        raise RequestTimeout(f"the body did not arrive within {seconds:g} seconds") from None


def is_client_abort(exc: Exception) -> bool:
    """The client went away mid-request: expected on the web, not a server error."""
    return isinstance(exc, InternalServerException) and "disconnected" in str(exc.detail)
