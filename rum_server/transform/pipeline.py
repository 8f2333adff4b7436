"""Body bytes → rows: decode once (strict), check the site, redact and enrich, build rows.

Pure apart from the process-wide User-Agent cache: no I/O, no clock. The HTTP
layer hands in the receive time and headers; the writer takes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from rum_server.settings import Settings
from rum_server.transform.cardinality import RouteGuard
from rum_server.transform.label_budget import LabelBudget
from rum_server.transform.labels import LabelStats
from rum_server.transform.limits import RowLimits
from rum_server.transform.redact import RedactionPolicy, is_clean_site
from rum_server.transform.refusals import BatchRefused, SiteNotAccepted
from rum_server.transform.rows import BatchContext, BatchRows, Columns, EventRejected
from rum_server.transform.symbolicate import StackSymbolicator
from rum_server.transform.user_agent import parse_user_agent
from rum_server.transform.wire import (
    MAX_NESTING,
    Envelope,
    batch_decoder,
    event_decoder,
    nesting_too_deep,
    typed_batch_decoder,
)


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
    """Everything decided once per process (policy, allowed sites) lives here."""

    def __init__(self, settings: Settings, symbolicator: StackSymbolicator | None = None) -> None:
        self._symbolicator = symbolicator  # source maps, passed in: the pipeline does no I/O
        self._policy = RedactionPolicy(settings.query_allowlist)
        self._sites = frozenset(settings.sites)
        self.labels = LabelBudget(
            settings.label_budget, max_slots_per_site=settings.max_label_keys_per_site
        )
        self.label_stats = LabelStats()
        self._limits = RowLimits(
            settings.sample_rate_floor,
            settings.ttl_days,
            RouteGuard(settings.max_routes_per_site),
        )

    def process(self, body: bytes, request: RequestContext) -> Processed:
        """Decode and transform one batch; raises :class:`BatchRefused` (or its subclass
        :class:`SiteNotAccepted`)."""
        if nesting_too_deep(body):
            raise BatchRefused("invalid batch", [f"JSON nests deeper than {MAX_NESTING} levels"])
        try:
            typed = typed_batch_decoder.decode(body)
        except msgspec.DecodeError:
            return self._process_event_by_event(body, request)
        except RecursionError:  # nesting the bracket count could not see (brackets in strings)
            raise BatchRefused("invalid batch", ["JSON nests too deep"]) from None
        rows = self._rows_for(typed, request)
        rejected: list[dict[str, str | int]] = []
        for index, event in enumerate(typed.events):
            try:
                rows.add(event)
            except EventRejected as exc:
                rejected.append({"index": index, "reason": str(exc)})
        return self._result(rows, rejected)

    def _rows_for(self, envelope: Envelope, request: RequestContext) -> BatchRows:
        """The checks and the row builder both paths share: site, sample-rate floor, limits."""
        self._check_site(envelope.site)
        envelope.rate = self._limits.sample_rate(envelope.rate)
        return BatchRows(
            envelope,
            self._context(request),
            self._policy,
            self.labels,
            self.label_stats,
            self._limits,
            self._symbolicator,
        )

    def _process_event_by_event(self, body: bytes, request: RequestContext) -> Processed:
        """The slow path for a batch with a bad event: decode each event on its own."""
        try:
            batch = batch_decoder.decode(body)
        except msgspec.ValidationError as exc:
            raise BatchRefused("invalid batch", [str(exc)]) from None
        except msgspec.DecodeError as exc:
            raise BatchRefused("body is not valid JSON", [str(exc)]) from None
        except RecursionError:
            raise BatchRefused("invalid batch", ["JSON nests too deep"]) from None
        rows = self._rows_for(batch, request)
        rejected: list[dict[str, str | int]] = []
        for index, raw in enumerate(batch.events):
            try:
                rows.add(event_decoder.decode(raw))
            except (msgspec.ValidationError, msgspec.DecodeError, EventRejected) as exc:
                rejected.append({"index": index, "reason": str(exc)})
        return self._result(rows, rejected)

    def _check_site(self, site: str) -> None:
        if self._sites and site not in self._sites:
            raise SiteNotAccepted(f"site {site!r} is not accepted here")
        if not is_clean_site(site):  # stored as is: it must read as a name, not as PII
            raise BatchRefused("invalid batch", ["site must contain a letter and no personal data"])

    @staticmethod
    def _context(request: RequestContext) -> BatchContext:
        return BatchContext(
            received_ns=request.received_ns,
            client=parse_user_agent(request.user_agent),
            country=request.country,
        )

    @staticmethod
    def _result(rows: BatchRows, rejected: list[dict[str, str | int]]) -> Processed:
        if not rows.columns.count:
            raise BatchRefused("no valid event in the batch", list(rejected))
        return Processed(rows.finish(), rejected)
