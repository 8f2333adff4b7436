"""Where the server's time goes under load: py-spy samples of the Python side and CPU per
OS thread (ClickHouse's own threads are not Python threads, py-spy does not see them).

The same recipe by hand (docs/benchmarks.md):

    py-spy record --rate 200 --format speedscope -o rum.speedscope.json -p <serve pid>
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds per OS thread name (comm) of ``pid``."""
    out: Counter[str] = Counter()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[re.sub(r"\d+$", "", name) or name] += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return dict(out)


def _label(path: str) -> str:
    if "rum_server/" in path:
        module = path.split("rum_server/")[-1].removesuffix(".py").replace("/", ".")
        if module in ("ingest", "app", "asgi", "body", "rate_limit"):
            return "rum_server HTTP handler (ingest.py, body.py)"
        if module in ("store", "sink"):
            return "store insert (chdb, in the writer thread)"
        return "" if module == "cli" else f"rum_server.{module}"
    for needle, label in (
        ("clickhouse_connect", "store insert (chdb, in the writer thread)"),
        ("chdb", "store insert (chdb, in the writer thread)"),
        ("litestar", "Litestar"),
        ("uvicorn", "uvicorn (HTTP)"),
        ("httptools", "uvicorn (HTTP)"),
        ("h11", "uvicorn (HTTP)"),
        ("asyncio", "asyncio event loop"),
        ("threading", "threads (wait/notify)"),
    ):
        if needle in path:
            return label
    return ""


def category(stack: str) -> str:
    """The part of the server a sampled Python stack belongs to (its innermost known frame)."""
    for frame in reversed(stack.split(";")):
        match = _FRAME.match(frame)
        label = _label(match.group("file") if match else frame)
        if label:
            return label
    return "other"


def record(pid: int, seconds: float, out: Path) -> dict[str, Any]:
    """Sample ``pid`` for ``seconds`` with py-spy; share of samples per category."""
    result = subprocess.run(
        [
            "py-spy",
            "record",
            "--rate",
            "200",
            "--duration",
            str(max(1, round(seconds))),
            "--format",
            "raw",
            "--nonblocking",
            "-o",
            str(out),
            "--pid",
            str(pid),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode or not out.exists():
        return {"error": (result.stderr or result.stdout).strip()[-300:]}
    counts: Counter[str] = Counter()
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counts[category(stack)] += int(count)
    total = sum(counts.values()) or 1
    return {"samples": total, "share": {k: v / total for k, v in counts.most_common()}}
