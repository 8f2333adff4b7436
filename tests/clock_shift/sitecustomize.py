"""Moves this Python process's wall clock by ``RUM_TEST_CLOCK_OFFSET`` seconds, when set.

scripts/clock_check.sh puts this directory on PYTHONPATH, so pytest and every Python
process the tests start (servers, CLIs) share one moved clock that keeps ticking.
time-machine moves ``time.time``, ``datetime.now`` and friends but not the monotonic
clock, sleeps or timed waits, so timeouts behave as usual. (libfaketime, tried first,
broke both: ``time.sleep`` failed with EINVAL and lock timeouts never fired.) The
embedded ClickHouse reads the real clock either way, which is why every report takes
its day from Python's clock.
"""

from __future__ import annotations

import os
import time

_offset = os.environ.get("RUM_TEST_CLOCK_OFFSET", "")
if _offset:
    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
