"""``--sink clickhouse,spans``: our sessions in ``otel_traces``, where ClickStack looks for them.

The session-list SQL below is what HyperDX's ``useSessions``
(``packages/app/src/sessions.ts``) renders for a traces source with the
exporter's default column names and no search typed, written out by hand from
its chart config and its Lucene-to-SQL rules (``common-utils/src/queryParser.ts``):
``field:"x"`` on a Map key is an equality plus an ``indexHint(mapContains(…))``,
an unquoted ``StatusCode:error`` is ``ILIKE '%error%'``, ``field:*`` is
``notEmpty``; a count with a condition is ``countIf``.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

from rum_server.settings import Settings
from rum_server.storage.spans import TRACES_COLUMNS
from rum_server.storage.store import Store
from tests.conftest import EXAMPLES, make_settings
from tests.integration.test_otlp_sink import post_examples
from tests.integration.test_serve_process import free_port, rum_server

HYPERDX_SESSIONS = """
WITH _sessions AS (
    SELECT ServiceName AS serviceName,
           ResourceAttributes['rum.sessionId'] AS sessionId,
           max(Timestamp) AS maxTimestamp,
           min(Timestamp) AS minTimestamp,
           count() AS sessionCount,
           countIf((SpanAttributes['component'] = 'user-interaction'
                    AND indexHint(mapContains(SpanAttributes, 'component')))) AS interactionCount,
           countIf((StatusCode ILIKE '%error%')) AS errorCount,
           countIf((SpanName = 'record init')) AS recordingCount,
           max(SpanAttributes['userEmail']) AS userEmail
    FROM otel.otel_traces
    WHERE (Timestamp >= {now:DateTime64(3)} - INTERVAL 1 DAY
           AND Timestamp <= {now:DateTime64(3)} + INTERVAL 1 HOUR)
      AND (notEmpty(ResourceAttributes['rum.sessionId']) = 1
           AND indexHint(mapContains(ResourceAttributes, 'rum.sessionId')))
    GROUP BY serviceName, sessionId
),
sessions AS (
    SELECT * FROM _sessions
    HAVING interactionCount > 0 OR recordingCount > 0
    ORDER BY maxTimestamp DESC
    LIMIT 500
)
SELECT serviceName, sessionId, sessionCount, interactionCount, errorCount, recordingCount
FROM sessions
ORDER BY sessionId
"""


HYPERDX_SESSION_EVENTS = """
SELECT SpanName, SpanAttributes['component'], SpanAttributes['location.href'] != '',
       SpanAttributes['error.message']
FROM otel.otel_traces
WHERE (Timestamp >= {now:DateTime64(3)} - INTERVAL 1 DAY
       AND Timestamp <= {now:DateTime64(3)} + INTERVAL 1 HOUR)
  AND ((ResourceAttributes['rum.sessionId'] = {session:String}
        AND indexHint(mapContains(ResourceAttributes, 'rum.sessionId')))
  AND ((notEmpty(SpanAttributes['http.status_code']) = 1
        AND indexHint(mapContains(SpanAttributes, 'http.status_code')))
    OR (SpanAttributes['component'] = 'console'
        AND indexHint(mapContains(SpanAttributes, 'component')))
    OR (SpanAttributes['component'] = 'error'
        AND indexHint(mapContains(SpanAttributes, 'component')))
    OR (SpanName = 'routeChange') OR (SpanName = 'documentLoad')
    OR (SpanName = 'intercom.onShow') OR (ScopeName = 'custom-action')))
ORDER BY Timestamp ASC
LIMIT 4000
"""
"""The "All Events" list beside a session (``SessionSubpanel.tsx``), rendered the same way."""


def query(
    settings: Settings, sql: str, parameters: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run one of HyperDX's queries; like HyperDX, the time range comes from the reader's
    clock (the browser's time picker), not from the store's now()."""
    with Store(settings) as store:
        return store.query(sql, {"now": time.time(), **(parameters or {})})


def test_hyperdx_session_list_finds_our_sessions_with_an_interaction(tmp_path: Any) -> None:
    settings = make_settings(tmp_path / "data", sinks=("clickhouse", "spans"))
    post_examples(settings)
    # docs/examples: session s-4d2b8e6f0a had an INP (an interaction) and three errors on its
    # second page; s-9e8d7c6b5a had no interaction, so HyperDX hides it as it hides any
    # browser session without one.
    assert query(settings, HYPERDX_SESSIONS) == [("acme-store", "s-4d2b8e6f0a", 10, 1, 3, 0)]


def test_a_sessions_event_list_shows_its_page_loads_and_errors(tmp_path: Any) -> None:
    settings = make_settings(tmp_path / "data", sinks=("clickhouse", "spans"))
    post_examples(settings)
    events = query(settings, HYPERDX_SESSION_EVENTS, {"session": "s-4d2b8e6f0a"})
    kinds = sorted((name, component) for name, component, _, _ in events)
    assert kinds[-2:] == [("documentLoad", "document-load")] * 2
    errors = [event for event in events if event[1] == "error"]
    assert len(errors) == 3 and all(event[3] for event in errors)  # each with its message
    assert all(has_href for _, _, has_href, _ in events)


def test_spans_land_in_the_exporters_traces_table_beside_the_logs(tmp_path: Any) -> None:
    settings = make_settings(tmp_path / "data", sinks=("clickhouse", "spans"))
    post_examples(settings)
    columns = query(
        settings,
        "SELECT name, type FROM system.columns WHERE database = 'otel' AND table = 'otel_traces' "
        "ORDER BY position",
    )
    assert dict(columns) == TRACES_COLUMNS and [n for n, _ in columns] == list(TRACES_COLUMNS)
    names = query(
        settings,
        "SELECT SpanName, SpanAttributes['component'], count() FROM otel.otel_traces "
        "GROUP BY 1, 2 ORDER BY 1",
    )
    logs = dict(
        query(settings, "SELECT EventName, count() FROM otel.otel_logs GROUP BY 1 ORDER BY 1")
    )
    spans = {name: count for name, _, count in names}
    assert spans["documentLoad"] == logs["rum.page_view"] == len(EXAMPLES)
    assert sum(spans[m] for m in ("TTFB", "FCP", "LCP", "CLS", "INP")) == logs["rum.web_vital"]
    assert sum(c for _, component, c in names if component == "error") == logs["rum.error"]
    orphans = query(
        settings,
        "SELECT count() FROM otel.otel_traces AS s WHERE SpanName != 'documentLoad' "
        "AND ParentSpanId NOT IN (SELECT SpanId FROM otel.otel_traces "
        "WHERE SpanName = 'documentLoad')",
    )
    assert orphans == [(0,)]  # every vital and error hangs under its page's documentLoad


def test_without_the_spans_sink_no_traces_table_is_made(tmp_path: Any) -> None:
    settings = make_settings(tmp_path / "data")
    post_examples(settings)
    assert query(settings, "EXISTS TABLE otel.otel_traces") == [(0,)]


def test_serve_refuses_an_older_traces_table_in_one_line(tmp_path: Any) -> None:
    settings = make_settings(tmp_path / "data")
    store = Store(settings)
    try:
        store.command("CREATE DATABASE IF NOT EXISTS otel")
        store.command(  # an exporter version before ScopeName/ScopeVersion
            "CREATE TABLE otel.otel_traces (Timestamp DateTime64(9), SpanName String) "
            "ENGINE = MergeTree ORDER BY Timestamp"
        )
    finally:
        store.close()
    result = subprocess.run(
        rum_server(
            "serve", "--port", str(free_port()), "--dsn", settings.dsn, "--sink", "clickhouse,spans"
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "otel.otel_traces exists without the columns TraceId" in result.stderr
