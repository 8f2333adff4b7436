"""A lock shared by the processes of one machine (the workers of one ``serve``).

Settling rebuilds a day through one scratch table: two processes doing it at once
would mix their rows there. ``threading.Lock`` covers one process; this covers
all of a machine's processes on the same store, with ``flock`` on a file in the
temporary directory (released by the kernel if the process dies).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def host_lock(name: str) -> Iterator[None]:
    """Hold the machine-wide lock called ``name`` (any text; it is hashed into a file name)."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:20]
    path = Path(tempfile.gettempdir()) / f"rum-server-{digest}.lock"
    with path.open("a") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
