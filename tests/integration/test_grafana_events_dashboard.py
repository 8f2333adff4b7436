"""dashboards/site-rum-events.json: the events dashboard, every query run on a real store.

Like the site dashboard's test: Grafana's macros and variables are replaced with plain
SQL and each panel's query runs on an embedded ClickHouse seeded with custom events
whose funnel is known (two releases, one sampled at 0.5, one losing every purchase).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rum_server.settings import Settings
from rum_server.storage.store import Store
from rum_server.transform.labels import RESERVED_FUNNEL
from tests.integration.test_grafana_dashboard import (
    SITE,
    ago,
    all_panels,
    as_rows,
    assert_no_overlap,
    concrete,
    run,
    seeded_store,
)
from tests.support.beacons import Beacons, custom_event

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboards" / "site-rum-events.json"
EVENT = "view_product"
V1_STEPS = (4, 3, 2, 2, 2, 2, 2)
"""Events of each reserved step in release v1 (mobile, sample rate 1)."""
V2_STEPS = (1, 1, 1, 1, 1, 1, 0)
"""And in release v2 (desktop, sample rate 0.5: each counts twice), where nobody buys."""


def load_dashboard() -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return dashboard


def panel_queries() -> list[tuple[str, str]]:
    return [
        (panel["title"], query["rawSql"])
        for panel in all_panels(load_dashboard()["panels"])
        for query in panel.get("targets", [])
    ]


def panel_sql(title: str) -> str:
    (sql,) = [sql for panel_title, sql in panel_queries() if panel_title == title]
    return sql


def events_concrete(sql: str, device: str = "all", event: str = EVENT) -> str:
    """Grafana's SQL with the event variable chosen too."""
    return concrete(sql.replace("${event:singlequote}", f"'{event}'"), device=device)


def seed_rows() -> list[dict[str, Any]]:
    """Beacons through the ingest pipeline, with a label budget of one value per day: the
    first ``sku`` label (``tenis``) is kept, another one is stored as ``(other)``."""
    beacons = Beacons(SITE, Settings(label_budget=1))
    for release, steps, rate, device, route in (
        ("v1", V1_STEPS, 1.0, "mobile", "/p"),
        ("v2", V2_STEPS, 0.5, "desktop", "/c"),
    ):
        page = {"release": release, "rate": rate, "device": device, "route": route}
        for step, (name, times) in enumerate(zip(RESERVED_FUNNEL, steps, strict=True)):
            for index in range(times):
                event = custom_event(name, ago(1.0) + step, sku="tenis" if index < 2 else "bota")
                if name in ("view_product", "add_to_cart"):
                    event["attrs"] = {"item_id": f"sku-{index}"}
                beacons.add(event, session=f"s-{release}", **page)
    beacons.add(custom_event("newsletter_signup", ago(1.0)), release="v1", session="s-v1")
    another_shop = Beacons("another-shop")
    another_shop.add(custom_event("purchase", ago(1.0)), release="v1")
    return [*as_rows(beacons.columns()), *as_rows(another_shop.columns())]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    yield from seeded_store(tmp_path_factory.mktemp("grafana-events") / "data", seed_rows())


# ------------------------------------------------------------------ structure


def test_the_dashboard_pivots_on_events_with_its_own_uid_and_variables() -> None:
    dashboard = load_dashboard()
    assert dashboard["uid"] == "deco-rum-events"
    names = [variable["name"] for variable in dashboard["templating"]["list"]]
    assert names == ["datasource", "site", "device", "event"]
    for title, sql in panel_queries():
        assert "otel.otel_logs" in sql and "EventName = 'rum.event'" in sql, title


@pytest.mark.parametrize(
    "panel", [p for p in all_panels(load_dashboard()["panels"]) if p["type"] != "row"], ids=str
)
def test_every_panel_reads_the_chosen_clickhouse_datasource(panel: dict[str, Any]) -> None:
    source = {"type": "grafana-clickhouse-datasource", "uid": "${datasource}"}
    assert panel["datasource"] == source
    assert all(query["datasource"] == source for query in panel["targets"])


def test_panels_do_not_overlap_on_the_grid() -> None:
    assert_no_overlap(load_dashboard())


# ------------------------------------------------------------------ every query runs


@pytest.mark.parametrize(("title", "sql"), panel_queries(), ids=[t for t, _ in panel_queries()])
def test_every_panel_query_runs_and_answers(store: Store, title: str, sql: str) -> None:
    assert run(store, events_concrete(sql)), f"panel {title!r} answered no row on seeded data"
    run(store, events_concrete(sql, device="tablet", event="no_such_event"))


def test_the_event_variable_lists_the_sites_events(store: Store) -> None:
    variable = next(v for v in load_dashboard()["templating"]["list"] if v["name"] == "event")
    rows = run(store, concrete(variable["query"]["rawSql"]))
    assert [row["RumEventName"] for row in rows] == sorted([*RESERVED_FUNNEL, "newsletter_signup"])


# ------------------------------------------------------------------ the numbers

TOTALS = [v1 + 2 * v2 for v1, v2 in zip(V1_STEPS, V2_STEPS, strict=True)]


def test_the_funnel_is_weighted_and_in_the_reserved_order(store: Store) -> None:
    rows = run(store, events_concrete(panel_sql("Funnel")))
    assert [(row["Step"], row["Events"]) for row in rows] == list(
        zip(RESERVED_FUNNEL, TOTALS, strict=True)
    )


def test_step_to_step_conversion(store: Store) -> None:
    rows = run(store, events_concrete(panel_sql("Step-to-step conversion")))
    assert [row["Step"] for row in rows] == list(RESERVED_FUNNEL)
    expected = [1.0] + [round(b / a, 4) for a, b in itertools.pairwise(TOTALS)]
    assert [row["From previous"] for row in rows] == pytest.approx(expected)
    assert rows[-1]["Of first"] == pytest.approx(round(TOTALS[-1] / TOTALS[0], 4))


def test_the_funnel_by_release_shows_the_release_that_lost_its_purchases(store: Store) -> None:
    rows = {
        row["Release"]: row for row in run(store, events_concrete(panel_sql("Funnel by release")))
    }
    assert rows["v1"]["purchase / payment"] == 1.0
    assert rows["v2"]["purchase / payment"] == 0.0
    assert rows["v2"]["view_item_list"] == 2  # one event at sample rate 0.5
    mobile = run(store, events_concrete(panel_sql("Funnel by release"), device="mobile"))
    assert [row["Release"] for row in mobile] == ["v1"]


def test_top_events_share_and_labels_of_one_event(store: Store) -> None:
    top = run(store, events_concrete(panel_sql("Top events")))
    assert top[0]["Event"] == "view_item_list" and top[0]["Events"] == TOTALS[0]
    assert sum(row["Share"] for row in top) == pytest.approx(1.0, abs=0.001)
    labels = run(store, events_concrete(panel_sql("Labels of ${event}")))
    assert {(row["Value"], row["Events"]) for row in labels} == {("tenis", 4), ("(other)", 1)}
    attributes = run(
        store, events_concrete(panel_sql("Attributes of ${event}"), event="add_to_cart")
    )
    assert [(row["Attribute"], row["Rows"], row["Distinct values"]) for row in attributes] == [
        ("item_id", 3, 2)
    ]
    routes = run(store, events_concrete(panel_sql("${event} per route and device")))
    assert {(row["Route"], row["Device"], row["Events"]) for row in routes} == {
        ("/p", "mobile", 3),
        ("/c", "desktop", 2),
    }
