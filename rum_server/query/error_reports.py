"""Errors as the person on call reads them: stacks symbolicated on read, and one bug's detail.

The top-errors list comes from the daily rollup (:func:`rum_server.query.reports.errors_query`);
a second query fetches each fingerprint's latest stack (its minified form when the row
kept one) with its site and release, and that stack goes through the maps uploaded by
now, so a map uploaded after the errors arrived still helps; fingerprints stored before
their map are then gathered into the bug their stack names (:func:`bugs`). Symbolicated
stacks are cached per (site, release, stack) and the state of that release's maps.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from rum_server.contract import (
    ERROR_EVENT,
    ERROR_MESSAGE,
    ERROR_STACK,
    ERROR_STACK_MINIFIED,
    ERROR_TYPE,
)
from rum_server.query.reports import (
    Filters,
    Query,
    Report,
    ReportError,
    _and,
    _conditions,
    _tables,
    dated,
    errors_query,
    in_window,
    quote,
    run,
)
from rum_server.sourcemaps.store import READ_BUDGET_SECONDS, cache_for
from rum_server.storage.ddl import WEIGHT_EXPR
from rum_server.transform.fingerprint import fingerprint as bug_fingerprint
from rum_server.transform.symbolicate import ParsedMap, Symbolicated, symbolicate

if TYPE_CHECKING:
    from rum_server.storage.store import Store

log = logging.getLogger(__name__)
_STACK = (
    f"if(LogAttributes['{ERROR_STACK_MINIFIED}'] != '',"
    f" LogAttributes['{ERROR_STACK_MINIFIED}'], LogAttributes['{ERROR_STACK}'])"
)
REPORT_BUDGET_SECONDS = 10.0
"""A report's stacks share this much waiting for maps being parsed; an answer cut short is
not cached, so the next read finishes the job."""
MIN_STACK_BUDGET = 0.05
MERGE_CANDIDATES = 1000
"""How many stored fingerprints are read to gather bugs (the rollup's limit)."""
_FINGERPRINT = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Ours are 16 hex digits; rows stored before them may hold the snippet's base-36 ids."""


def _error_conditions(filters: Filters) -> list[str]:
    conditions = [
        f"EventName = '{ERROR_EVENT}'",
        in_window(filters, "toDate(Timestamp)"),
    ]
    if filters.site:
        conditions.append(f"ServiceName = {quote(filters.site)}")
    if filters.device:
        conditions.append(f"RumDeviceType = {quote(filters.device)}")
    return conditions


def latest_stacks_query(
    logs_table: str, errors_daily: str, filters: Filters, fingerprints: list[str]
) -> Query:
    """Per fingerprint: its latest stack as the browser sent it, with site and release.

    The rollup knows when each fingerprint was last seen, so only the rows of those
    instants are read (the Timestamp min-max index skips every other part and granule):
    the raw error rows of the whole window, with their attribute maps, took seconds at
    millions of rows.
    """
    listed = ", ".join(quote(fingerprint) for fingerprint in fingerprints) or "''"
    in_rollup = _conditions(filters, metric=False)
    latest = (
        "SELECT RumErrorFingerprint, max(last_seen) AS at\n"
        f"    FROM {errors_daily}\n"
        f"    WHERE {_and([*in_rollup, f'RumErrorFingerprint IN ({listed})'], '    ')}\n"
        "    GROUP BY RumErrorFingerprint"
    )
    conditions = [
        *_error_conditions(filters),
        "toDate(Timestamp) IN (SELECT toDate(at) FROM latest)",
        "(RumErrorFingerprint, Timestamp) IN (SELECT RumErrorFingerprint, at FROM latest)",
    ]
    sql = (
        f"WITH latest AS (\n    {latest}\n)\n"
        "SELECT RumErrorFingerprint AS fingerprint,\n"
        f"       argMax({_STACK}, Timestamp) AS stack,\n"
        "       argMax(ServiceName, Timestamp) AS site,\n"
        "       argMax(ServiceVersion, Timestamp) AS release\n"
        f"FROM {logs_table}\n"
        "WHERE " + "\n  AND ".join(conditions) + "\n"
        "GROUP BY fingerprint"
    )
    return Query(sql, ["fingerprint", "stack", "site", "release"])


def error_detail_query(
    logs_table: str, filters: Filters, fingerprint: str, stored: list[str] | None = None
) -> Query:
    """One bug: when, where (releases, routes), how much (weighted), its latest stack.

    ``stored`` are the stored fingerprints the bug gathers (default: itself). Per page
    view, the row with the largest ``rum.error.count`` is the truth (the snippet re-sends
    a repeat with its new total); page views and sessions are weighted by 1 / sample
    rate, each counted once.
    """
    listed = ", ".join(quote(one) for one in stored or [fingerprint])
    conditions = [*_error_conditions(filters), f"RumErrorFingerprint IN ({listed})"]
    sql = (
        f"SELECT {quote(fingerprint)} AS fingerprint, any(error_type) AS type,\n"
        "       argMax(message, last) AS message,\n"
        "       toUInt64(round(sum(occurrences * weight))) AS count,\n"
        "       toUInt64(round(sum(weight))) AS page_views,\n"
        "       toUInt64(round(arraySum(arrayMap(s -> s.2,"
        " arrayDistinct(groupArray((session, weight))))))) AS sessions,\n"
        "       min(first) AS first_seen, max(last) AS last_seen,\n"
        "       arraySort(groupUniqArrayArray(releases)) AS releases,\n"
        "       arraySort(groupUniqArrayArray(routes)) AS routes,\n"
        "       argMax(stack, last) AS stack, argMax(site, last) AS site,\n"
        "       argMax(release, last) AS release\n"
        "FROM (\n"
        "    SELECT RumPageViewId, any(RumSessionId) AS session,\n"
        f"           any({WEIGHT_EXPR}) AS weight,\n"
        "           max(RumErrorCount) AS occurrences,\n"
        f"           any(LogAttributes['{ERROR_TYPE}']) AS error_type,\n"
        f"           argMax(LogAttributes['{ERROR_MESSAGE}'], Timestamp) AS message,\n"
        "           min(Timestamp) AS first, max(Timestamp) AS last,\n"
        "           groupUniqArrayIf(ServiceVersion, ServiceVersion != '') AS releases,\n"
        "           groupUniqArray(RumRoute) AS routes,\n"
        f"           argMax({_STACK}, Timestamp) AS stack,\n"
        "           argMax(ServiceName, Timestamp) AS site,\n"
        "           argMax(ServiceVersion, Timestamp) AS release\n"
        f"    FROM {logs_table}\n"
        "    WHERE " + "\n      AND ".join(conditions) + "\n"
        "    GROUP BY RumPageViewId\n"
        ")\n"
        "HAVING count() > 0"
    )
    columns = [
        "fingerprint",
        "type",
        "message",
        "count",
        "page_views",
        "sessions",
        "first_seen",
        "last_seen",
        "releases",
        "routes",
        "stack",
        "site",
        "release",
    ]
    return Query(sql, columns)


def symbolicate_stored(
    store: Store, stack: str, site: str, release: str, budget: float = READ_BUDGET_SECONDS
) -> Symbolicated:
    """A stored stack through the maps its release has now (cached until they change)."""
    settings = store.settings
    if not stack or not release:
        return symbolicate(stack, _no_maps, 0)
    root, cap = settings.sourcemap_path, settings.sourcemap_max_bytes
    state = cache_for(root, cap).store.release_state(site, release)
    return _symbolicated(root, cap, stack, site, release, state, budget)


def _no_maps(_url: str, _wait: float) -> ParsedMap | None:
    return None


_READ_CACHE: OrderedDict[tuple[Path, str, str, str, int], Symbolicated] = OrderedDict()
_READ_CACHE_SIZE = 4096
_read_cache_lock = threading.Lock()


def _symbolicated(
    root: Path, cap: int, stack: str, site: str, release: str, state: int, budget: float
) -> Symbolicated:
    """Cached by stack and the release's maps' version; an answer cut short by the time
    budget (a large map still parsing) is not kept, so the next read maps it fully."""
    key = (root, stack, site, release, state)
    with _read_cache_lock:
        if key in _READ_CACHE:
            _READ_CACHE.move_to_end(key)
            return _READ_CACHE[key]
    maps = cache_for(root, cap)

    def lookup(url: str, wait: float) -> ParsedMap | None:
        return maps.get(site, release, url, wait, state)

    try:
        result = symbolicate(stack, lookup, budget)
    except Exception:  # an unforeseen map must not take the report down: show it unmapped
        log.exception("symbolicating a stored stack of %s %s failed", site, release)
        return symbolicate(stack, _no_maps, 0)
    if result.complete:
        with _read_cache_lock:
            _READ_CACHE[key] = result
            while len(_READ_CACHE) > _READ_CACHE_SIZE:
                _READ_CACHE.popitem(last=False)
    return result


def top_frame(result: Symbolicated) -> str:
    frame = result.top_in_app or (result.frames[0] if result.frames else None)
    return frame.text().strip().removeprefix("at ") if frame else ""


def mapped_note(result: Symbolicated) -> str:
    """Which frames a map resolved: ``4/4 frames mapped``, ``3/4 frames mapped (not #4)``."""
    if not result.frames:
        return "no stack"
    note = f"{result.mapped}/{len(result.frames)} frames mapped"
    if 0 < result.mapped < len(result.frames):
        missing = [f"#{n}" for n, frame in enumerate(result.frames, 1) if not frame.mapped]
        note += f" (not {', '.join(missing)})"
    return note


def bugs(store: Store, filters: Filters, candidates: int) -> tuple[list[dict[str, object]], str]:
    """The top stored fingerprints, gathered into bugs as the maps uploaded by now see them.

    A fingerprint stored before its release's map was uploaded was made from the message
    (rule 2 of docs/snippet.md#fingerprints); once its latest stack maps, it is the bug of
    its top in-app frame (rule 1), the fingerprint errors stored since carry, and the
    two are one row. Returns the merged rows (most occurrences first) and the SQL.
    """
    filters = dated(store, filters)  # the window ends on the clock's day, like every report
    top = run(store, errors_query(_tables(store), filters, candidates))
    stored = [str(row["fingerprint"]) for row in top.rows]
    stacks_query = latest_stacks_query(
        store.settings.qualified_table, _tables(store).errors_daily, filters, stored
    )
    latest = {row["fingerprint"]: row for row in run(store, stacks_query).rows}
    merged: dict[str, dict[str, object]] = {}
    deadline = time.monotonic() + REPORT_BUDGET_SECONDS
    for row in top.rows:
        sample = latest.get(row["fingerprint"], {})
        budget = min(READ_BUDGET_SECONDS, max(MIN_STACK_BUDGET, deadline - time.monotonic()))
        result = symbolicate_stored(
            store,
            str(sample.get("stack", "")),
            str(sample.get("site", "")),
            str(sample.get("release", "")),
            budget,
        )
        frame = result.top_in_app
        bug = (
            bug_fingerprint(str(row["type"]), str(row["message"]), "", "", frame)
            if frame
            else str(row["fingerprint"])
        )
        into = merged.get(bug)
        if into is None:
            merged[bug] = {
                **row,
                "fingerprint": bug,
                "top_frame": top_frame(result),
                "mapped": mapped_note(result),
                "fingerprints": [row["fingerprint"]],
            }
            continue
        into["count"] = _int(into["count"]) + _int(row["count"])
        into["page_views"] = _int(into["page_views"]) + _int(row["page_views"])
        into["first_seen"] = min(str(into["first_seen"]), str(row["first_seen"]))
        into["last_seen"] = max(str(into["last_seen"]), str(row["last_seen"]))
        into["fingerprints"] = [*_list(into["fingerprints"]), row["fingerprint"]]
    rows = sorted(merged.values(), key=lambda row: (-_int(row["count"]), str(row["fingerprint"])))
    return rows, f"{top.sql};\n\n{stacks_query.sql};"


def _int(value: object) -> int:
    return value if isinstance(value, int) else int(str(value))


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def errors(store: Store, filters: Filters, limit: int = 20) -> Report:
    """Top bugs, each with its symbolicated top frame, how much of it is mapped, and the
    stored fingerprints it gathers."""
    if not 1 <= limit <= MERGE_CANDIDATES:
        raise ReportError(f"limit must be between 1 and {MERGE_CANDIDATES}, got {limit}")
    rows, sql = bugs(store, filters, min(MERGE_CANDIDATES, max(100, 5 * limit)))
    columns = errors_query(_tables(store), filters, limit).columns
    return Report(
        columns=[*columns, "top_frame", "mapped", "fingerprints"], rows=rows[:limit], sql=sql
    )


def error_detail(store: Store, filters: Filters, fingerprint: str) -> Report:
    """One bug in full: symbolicated stack, first/last seen, releases, routes, weighted
    page views and sessions, and the SQL behind it. ``fingerprint`` is the bug's (as
    ``query errors`` lists it) or any stored fingerprint it gathers."""
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise ReportError(f"fingerprint must be an id `query errors` shows, got {fingerprint!r}")
    filters = dated(store, filters)
    rows, _ = bugs(store, filters, MERGE_CANDIDATES)
    found = next(
        (row for row in rows if fingerprint in (row["fingerprint"], *_list(row["fingerprints"]))),
        None,
    )
    bug = str(found["fingerprint"]) if found else fingerprint
    stored = [str(one) for one in _list(found["fingerprints"])] if found else [fingerprint]
    query = error_detail_query(store.settings.qualified_table, filters, bug, stored)
    detail = run(store, query)
    if not detail.rows:
        raise ReportError(
            f"no error with fingerprint {fingerprint!r} in the last {filters.days} days"
            + (f" on site {filters.site!r}" if filters.site else "")
            + " (see `rum-server query errors` for the fingerprints there are)"
        )
    row = detail.rows[0]
    result = symbolicate_stored(store, str(row["stack"]), str(row["site"]), str(row["release"]))
    row["stack"] = result.stack
    row["mapped"] = mapped_note(result)
    row["fingerprints"] = stored
    return Report(columns=[*detail.columns, "mapped", "fingerprints"], rows=[row], sql=detail.sql)


def render_detail(report: Report) -> str:
    """One error as the CLI prints it: a field a line, then the stack."""
    if not report.rows:
        return "(no rows: no data for these filters)\n"
    lines = []
    for row in report.rows:
        for column in report.columns:
            if column == "stack":
                continue
            value = row.get(column)
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            if column in ("first_seen", "last_seen"):
                text = text[:19].replace("T", " ")
            lines.append(f"{column + ':':<12} {text}")
        lines += ["", str(row.get("stack") or "(no stack)"), ""]
    return "\n".join(lines)
