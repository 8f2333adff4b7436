"""Body bytes → rows: decode once (strict), then redact, enrich and build rows.

Pure apart from the process-wide User-Agent cache: no I/O, no clock, no HTTP. The
ingest handler hands in the receive time and headers, checks the decoded site
itself (a guard, between :meth:`Pipeline.decode` and :meth:`Pipeline.rows`), and
gives the rows to the writer. A batch that cannot be used raises
:class:`InvalidBatch`, which the HTTP layer answers with a 400.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from rum_server.settings import Settings
from rum_server.symbolicate import StackSymbolicator
from rum_server.transform.cardinality import LabelGuard
from rum_server.transform.enrich.user_agent import parse_user_agent
from rum_server.transform.redact import RedactionPolicy, is_clean_site
from rum_server.transform.rows import BatchContext, BatchRows, Columns, EventRejected
from rum_server.transform.wire import (
    MAX_NESTING,
    Envelope,
    Event,
    batch_decoder,
    event_decoder,
    nesting_too_deep,
    typed_batch_decoder,
)


class InvalidBatch(ValueError):
    """The envelope is not valid JSON of wire format v1, or no event is valid."""

    def __init__(self, message: str, detail: list[object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail: list[object] = detail or []


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded batch: typed events when all are valid, else raw ones to decode one by one."""

    envelope: Envelope
    events: Sequence[Event] = ()
    raw_events: Sequence[msgspec.Raw] = ()

    @property
    def site(self) -> str:
        return self.envelope.site


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What the HTTP layer knows about one request besides its body."""

    received_ns: int
    user_agent: str = ""
    country: str = ""


@dataclass(slots=True)
class Processed:
    """The rows of the accepted events and why each rejected event was rejected."""

    columns: Columns
    rejected: list[dict[str, str | int]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.columns.count


class Pipeline:
    """Everything decided once per process (redaction policy, label budget) lives here."""

    def __init__(self, settings: Settings, symbolicator: StackSymbolicator | None = None) -> None:
        self._symbolicator = symbolicator  # source maps, passed in: the pipeline does no I/O
        self._policy = RedactionPolicy(settings.query_allowlist)
        self._labels = LabelGuard(max_values=settings.label_max_values)

    def process(self, body: bytes, request: RequestContext) -> Processed:
        """Decode and transform one batch; raises :class:`InvalidBatch`."""
        return self.rows(self.decode(body), request)

    @staticmethod
    def decode(body: bytes) -> Decoded:
        """One strict decode; a batch with a bad event keeps its events raw instead."""
        if nesting_too_deep(body):
            raise InvalidBatch("invalid batch", [f"JSON nests deeper than {MAX_NESTING} levels"])
        try:
            typed = typed_batch_decoder.decode(body)
        except msgspec.DecodeError:
            pass
        except RecursionError:  # nesting the bracket count could not see (brackets in strings)
            raise InvalidBatch("invalid batch", ["JSON nests too deep"]) from None
        else:
            return Decoded(typed, events=typed.events)
        try:
            batch = batch_decoder.decode(body)
        except msgspec.ValidationError as exc:
            raise InvalidBatch("invalid batch", [str(exc)]) from None
        except msgspec.DecodeError as exc:
            raise InvalidBatch("body is not valid JSON", [str(exc)]) from None
        except RecursionError:
            raise InvalidBatch("invalid batch", ["JSON nests too deep"]) from None
        return Decoded(batch, raw_events=batch.events)

    def rows(self, decoded: Decoded, request: RequestContext) -> Processed:
        """Rows of every valid event, and the index and reason of each rejected one."""
        if not is_clean_site(decoded.site):  # stored as is: it must read as a name, not as PII
            raise InvalidBatch("invalid batch", ["site must contain a letter and no personal data"])
        rows = BatchRows(
            decoded.envelope,
            self._context(request),
            self._policy,
            self._labels,
            self._symbolicator,
        )
        rejected: list[dict[str, str | int]] = []
        for index, event in enumerate(decoded.events):
            try:
                rows.add(event)
            except EventRejected as exc:
                rejected.append({"index": index, "reason": str(exc)})
        for index, raw in enumerate(decoded.raw_events):  # the slow path: one decode each
            try:
                rows.add(event_decoder.decode(raw))
            except (msgspec.ValidationError, msgspec.DecodeError, EventRejected) as exc:
                rejected.append({"index": index, "reason": str(exc)})
        if not rows.columns.count:
            raise InvalidBatch("no valid event in the batch", list(rejected))
        return Processed(rows.finish(), rejected)

    @staticmethod
    def _context(request: RequestContext) -> BatchContext:
        return BatchContext(
            received_ns=request.received_ns,
            client=parse_user_agent(request.user_agent),
            country=request.country,
        )
