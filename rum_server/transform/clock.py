"""Event times on the server's clock, in integer nanoseconds.

The snippet stamps each event (``ts``) and the batch (``st``, when sent) with
the client's clock, in epoch milliseconds. Client clocks can be minutes or
years off, so the server measures the skew once per batch (its receive time
minus the send time) and shifts every event by it. The skew also holds the
beacon's transit time, so corrected times err late by that much (typically
well under a second), never early; they are then clamped to
``[0, received_ns]`` so no row is ever in the server's future.

Milliseconds arrive as floats with sub-millisecond fractions
(``performance.timeOrigin + now()``). Epoch milliseconds times 10**6 exceeds
a float's 53-bit precision, so whole milliseconds and the fraction are
converted separately: the result is exact to the float's own precision.
"""

from __future__ import annotations

import math

NS_PER_MS = 1_000_000


def ms_to_ns(epoch_ms: float) -> int:
    """Milliseconds to integer nanoseconds without float rounding on the large part."""
    whole_ms = math.floor(epoch_ms)
    return whole_ms * NS_PER_MS + round((epoch_ms - whole_ms) * NS_PER_MS)


def clock_skew_ns(client_sent_ms: float, received_ns: int) -> int:
    """How far the client's clock is behind the server's (negative when ahead).

    A send time that is not a finite number gives no correction (0).
    """
    if not math.isfinite(client_sent_ms):
        return 0
    return received_ns - ms_to_ns(client_sent_ms)


def event_time_ns(event_ms: float, skew_ns: int, received_ns: int) -> int:
    """The event's time on the server's clock, clamped to ``[0, received_ns]``.

    An event time that is not a finite number is taken as the receive time.
    """
    if not math.isfinite(event_ms):
        return max(received_ns, 0)
    whole_ms = math.floor(event_ms)  # ms_to_ns, inlined: this runs for every event
    corrected = whole_ms * NS_PER_MS + round((event_ms - whole_ms) * NS_PER_MS) + skew_ns
    return max(0, min(corrected, received_ns))
