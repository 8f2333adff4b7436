"""Self-metrics in the Prometheus text format, served at ``/__deco/rum/metrics``.

Hand-written rather than ``prometheus-client``: the exposition format for a few
counters, gauges and one histogram is some sixty lines, and a registry per app
(tests run many apps in one process) keeps figures from leaking between them
without a runtime dependency for every server. Every mutation takes one lock;
gauges are read from callbacks at scrape time, so nothing on the hot path
computes them.

Other stages count through the module-level :data:`hooks` (for example the
redactor: ``hooks.redaction("email")``), so they need no app state.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
INSERT_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Counter:
    """A monotonically increasing count, optionally split by one label."""

    def __init__(self, name: str, help_text: str, label: str = "") -> None:
        self.name = name
        self.help = help_text
        self.label = label
        self._values: dict[str, float] = {} if label else {"": 0.0}
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, label_value: str = "") -> None:
        with self._lock:
            self._values[label_value] = self._values.get(label_value, 0.0) + amount

    def value(self, label_value: str = "") -> float:
        with self._lock:
            return self._values.get(label_value, 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.label, key)} {_number(v)}" for key, v in items]


class Gauge:
    """A value read from a callback at scrape time."""

    def __init__(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        self.name = name
        self.help = help_text
        self._read = read

    def samples(self) -> list[str]:
        return [f"{self.name} {_number(self._read())}"]


class Histogram:
    """Observations counted into fixed cumulative buckets, plus their sum and count."""

    def __init__(self, name: str, help_text: str, buckets: Iterable[float]) -> None:
        self.name = name
        self.help = help_text
        self._bounds = tuple(sorted(buckets))
        self._counts = [0] * (len(self._bounds) + 1)
        self._sum = 0.0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self._counts[bisect.bisect_left(self._bounds, value)] += 1
            self._sum += value

    def samples(self) -> list[str]:
        with self._lock:
            counts, total = list(self._counts), self._sum
        lines, cumulative = [], 0
        for bound, count in zip((*self._bounds, float("inf")), counts, strict=True):
            cumulative += count
            le = "+Inf" if bound == float("inf") else _number(bound)
            lines.append(f'{self.name}_bucket{{le="{le}"}} {cumulative}')
        lines.append(f"{self.name}_sum {_number(total)}")
        lines.append(f"{self.name}_count {cumulative}")
        return lines


Metric = Counter | Gauge | Histogram
M = TypeVar("M", Counter, Gauge, Histogram)


class Metrics:
    """Every self-metric of one server; see docs/operations.md for what each means."""

    def __init__(self) -> None:
        self._all: list[Metric] = []
        self.accepted_events = self._add(Counter("rum_accepted_events_total", "Events accepted."))
        self.accepted_batches = self._add(
            Counter("rum_accepted_batches_total", "Batches answered 204 or 202.")
        )
        self.rejected = self._add(
            Counter("rum_rejected_total", "Batches or events refused, by reason.", "reason")
        )
        self.dropped = self._add(
            Counter(
                "rum_dropped_total", "Values replaced by a bound (label, route), by kind.", "kind"
            )
        )
        self.clamped = self._add(
            Counter("rum_clamped_total", "Values raised or cut to a limit, by field.", "field")
        )
        self.rate_limited = self._add(
            Counter("rum_rate_limited_total", "Batches answered 429 by the rate limit.")
        )
        self.dead_lettered = self._add(
            Counter(
                "rum_dead_lettered_segments_total", "Segments moved to the dead-letter directory."
            )
        )
        self.spooled_rows = self._add(
            Counter("rum_spooled_rows_total", "Rows appended to the write-ahead log.")
        )
        self.replayed_rows = self._add(
            Counter("rum_replayed_rows_total", "Rows found in the log at start and replayed.")
        )
        self.written_rows = self._add(Counter("rum_written_rows_total", "Rows inserted."))
        self.failed_inserts = self._add(
            Counter("rum_failed_inserts_total", "Inserts that failed (and are retried).")
        )
        self.redactions = self._add(
            Counter(
                "rum_redactions_total", "Values masked by the redactor, by detector.", "detector"
            )
        )
        self.insert_seconds = self._add(
            Histogram(
                "rum_insert_duration_seconds", "Time per segment insert.", INSERT_SECONDS_BUCKETS
            )
        )
        self._open_connections = 0
        self._connections_lock = threading.Lock()
        self._add(
            Gauge(
                "rum_open_connections",
                "HTTP connections open now.",
                lambda: float(self._open_connections),
            )
        )

    def _add(self, metric: M) -> M:
        self._all.append(metric)
        return metric

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        """Register a gauge read at scrape time (queue figures come from the log)."""
        self._all.append(Gauge(name, help_text, read))

    def connection_opened(self) -> None:
        with self._connections_lock:
            self._open_connections += 1

    def connection_closed(self) -> None:
        with self._connections_lock:
            self._open_connections -= 1

    def render(self) -> str:
        """The Prometheus text exposition of every metric."""
        lines: list[str] = []
        for metric in self._all:
            kind = type(metric).__name__.lower()
            lines.append(f"# HELP {metric.name} {metric.help}")
            lines.append(f"# TYPE {metric.name} {kind}")
            lines.extend(metric.samples())
        return "\n".join(lines) + "\n"


class Hooks:
    """Counters any stage can bump without app state; the current app's metrics receive them."""

    def __init__(self) -> None:
        self.target: Metrics | None = None

    def redaction(self, detector: str, count: int = 1) -> None:
        """One or more values masked by ``detector`` (called by the redactor)."""
        if self.target is not None and count:
            self.target.redactions.inc(count, detector)

    def connections(self, delta: int) -> None:
        """A connection opened (+1) or closed (-1) (called by the server's protocol)."""
        if self.target is not None:
            if delta > 0:
                self.target.connection_opened()
            else:
                self.target.connection_closed()

    def dropped(self, kind: str) -> None:
        if self.target is not None:
            self.target.dropped.inc(1, kind)

    def clamped(self, field: str) -> None:
        if self.target is not None:
            self.target.clamped.inc(1, field)


hooks = Hooks()
"""The process's hook point; ``open_state`` points it at the running app's :class:`Metrics`."""


def _labels(label: str, value: str) -> str:
    if not label:
        return ""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{{{label}="{escaped}"}}'


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
