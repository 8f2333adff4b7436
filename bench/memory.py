"""Peak memory of one step, from the kernel's high-water mark (chdb has no query_log)."""

from __future__ import annotations

import contextlib
from pathlib import Path


def _status(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak(pid: int | str = "self") -> int:
    """Reset the peak RSS of ``pid`` to its current RSS (Linux ``clear_refs`` 5); returns it."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    return _status(pid, "VmRSS")


def peak_growth(pid: int | str, baseline: int) -> int:
    """Bytes the peak RSS grew above ``baseline`` since :func:`reset_peak`."""
    return max(0, _status(pid, "VmHWM") - baseline)
