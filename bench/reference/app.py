"""Reference ingest server: FastAPI + pydantic v2, same validation, redaction and UA parsing.

Written as a competent team would, not sandbagged: the body is read raw (beacons
come as ``text/plain``) and validated in one ``model_validate_json`` call (pydantic's
Rust core), the same constraints as ``rum_server/transform/wire.py``; redaction, User-Agent
parsing and routes reuse the server's own cached functions (the product's rules,
not the framework's job); rows go to a queue that one thread flushes every second
or 10,000 rows with clickhouse-connect's ``insert`` into the same store and schema.

What it leaves out, to its advantage: per-event rejection (one bad event rejects
the batch), the body guards (size, gzip, content type, origin), rate limiting,
label cardinality bounds and the spool.

    RUM_CLICKHOUSE_DSN=chdb:///tmp/x uvicorn bench.reference.app:app
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bench import stages

Short = Annotated[str, Field(max_length=64)]
Label = Annotated[str, Field(max_length=128)]
Url = Annotated[str, Field(max_length=2048)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
EpochMs = Annotated[float, Field(ge=0, le=1e14)]
SmallMap = Annotated[dict[Label, Annotated[str, Field(max_length=1024)]], Field(max_length=16)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class WebVital(Strict):
    t: Literal["web_vital"]
    ts: EpochMs
    name: Literal["LCP", "CLS", "INP", "FCP", "TTFB", "FID"]
    v: Annotated[float, Field(ge=0, le=600_000)]
    id: Id
    d: Annotated[float, Field(ge=-600_000, le=600_000)] | None = None
    attr: SmallMap | None = None


class JsError(Strict):
    t: Literal["error"]
    ts: EpochMs
    msg: Annotated[str, Field(max_length=2048)]
    type: Label = "Error"
    stack: Annotated[str, Field(max_length=8192)] = ""
    fp: Short = ""
    n: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    src: Literal["error", "unhandledrejection"] = "error"
    file: Url = ""
    line: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    col: Annotated[int, Field(ge=0, le=10_000_000)] = 0


class PageView(Strict):
    t: Literal["page_view"]
    ts: EpochMs


class CustomEvent(Strict):
    t: Literal["event"]
    ts: EpochMs
    name: Annotated[str, Field(min_length=1, max_length=64)]
    attrs: SmallMap | None = None
    labels: SmallMap | None = None


Event = Annotated[WebVital | JsError | PageView | CustomEvent, Field(discriminator="t")]


class Batch(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)
    v: Annotated[int, Field(ge=1, le=1)]
    site: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    url: Url
    pv: Id
    sid: Id
    st: EpochMs
    route: Annotated[str, Field(max_length=256)] = ""
    ref: Url = ""
    nav: Literal[
        "navigate",
        "reload",
        "back-forward",
        "back-forward-cache",
        "prerender",
        "restore",
        "soft-navigation",
    ] = "navigate"
    rate: Annotated[float, Field(gt=0, le=1)] = 1.0
    vp: Annotated[str, Field(max_length=128)] = ""
    conn: Annotated[str, Field(max_length=16)] = ""
    sv: Short = ""
    ver: Label = ""
    env: Short = ""
    uh: Annotated[str, Field(max_length=128)] = ""
    events: Annotated[list[Event], Field(min_length=1, max_length=200)]


_VIEWPORT = re.compile(r"[0-9]{1,5}x[0-9]{1,5}")
COLUMNS = list(stages.ROW_COLUMNS)


def to_rows(batch: Batch, user_agent: str, received_ns: int) -> list[tuple[object, ...]]:
    """OpenTelemetry log rows (the exporter's columns), one tuple per event."""
    policy = POLICY
    client = stages.parse_user_agent(user_agent)
    page_url = stages.redact_url(batch.url, policy)
    route = stages.route_for(stages.redact_text(batch.route, policy=policy), page_url)
    skew_ns = received_ns - int(batch.st * 1_000_000)
    base = {
        "rum.route": route,
        "rum.page.url": page_url,
        "rum.page_view.id": batch.pv,
        "rum.session.id": batch.sid,
        "rum.navigation.type": batch.nav,
        "rum.sample_rate": stages.format_value(batch.rate),
        "rum.browser.name": client.browser_name,
        "rum.browser.version": client.browser_version,
        "rum.os.name": client.os_name,
        "rum.os.version": client.os_version,
        "rum.device.type": client.device_type,
    }
    if batch.conn:
        base["rum.connection.type"] = stages.redact_text(batch.conn)
    if batch.ref:
        base["rum.referrer"] = stages.redact_referrer(batch.ref)
    if _VIEWPORT.fullmatch(batch.vp):
        base["rum.viewport"] = batch.vp
    resource = {
        "service.name": batch.site,
        "service.version": stages.redact_text(batch.ver),
        "deployment.environment.name": stages.redact_text(batch.env),
        "rum.sessionId": batch.sid,
    }
    scope_version = stages.redact_text(batch.sv)
    rows = []
    for event in batch.events:
        attributes = dict(base)
        if isinstance(event, WebVital):
            value = stages.format_value(event.v)
            grade = stages.rating(event.name, event.v)
            attributes.update(
                {
                    "rum.metric.name": event.name,
                    "rum.metric.value": value,
                    "rum.metric.delta": stages.format_value(
                        event.v if event.d is None else event.d
                    ),
                    "rum.metric.rating": grade,
                    "rum.metric.id": event.id,
                }
            )
            for key, raw in (event.attr or {}).items():
                attributes[f"rum.attribution.{key}"] = (
                    stages.redact_url(raw, policy)
                    if key.endswith("url")
                    else stages.redact_text(raw)
                )
            name, severity, number = "rum.web_vital", "INFO", 9
            body = f"{event.name} {value} {grade} {route}"
        elif isinstance(event, JsError):
            body = stages.redact_text(event.msg, policy=policy)
            file = stages.redact_url(event.file, policy) if event.file else ""
            attributes.update(
                {
                    "rum.error.type": stages.redact_text(event.type),
                    "rum.error.message": body,
                    "rum.error.stack": stages.redact_stack(event.stack, policy)
                    if event.stack
                    else "",
                    "rum.error.fingerprint": event.fp
                    or hashlib.blake2b(
                        f"{event.type}|{body}|{file}:{event.line}".encode(), digest_size=8
                    ).hexdigest(),
                    "rum.error.count": str(event.n),
                    "rum.error.source": event.src,
                    "rum.error.file": file,
                    "rum.error.line": str(event.line),
                    "rum.error.column": str(event.col),
                }
            )
            name, severity, number = "rum.error", "ERROR", 17
        elif isinstance(event, PageView):
            name, severity, number, body = "rum.page_view", "INFO", 9, route
        else:
            body = attributes["rum.event.name"] = stages.redact_text(event.name)
            for key, val in (event.labels or {}).items():
                attributes[f"rum.event.label.{key}"] = stages.redact_text(val)[:64]
            for key, val in (event.attrs or {}).items():
                attributes[f"rum.event.attr.{key}"] = stages.redact_text(val)
            name, severity, number = "rum.event", "INFO", 9
        timestamp = min(int(event.ts * 1_000_000) + skew_ns, received_ns)
        rows.append(
            (
                timestamp,
                "",
                "",
                0,
                severity,
                number,
                batch.site,
                body[:512],
                "",
                resource,
                "",
                "deco.rum",
                scope_version,
                {},
                attributes,
                name,
            )
        )
    return rows


class BatchWriter:
    """One thread; flushes every second or 10,000 rows with clickhouse-connect's insert."""

    def __init__(self, store: stages.Store) -> None:
        self.store = store
        self.table = store.settings.qualified_table
        self.rows: list[tuple[object, ...]] = []
        self.lock = threading.Condition()
        self.closing = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def add(self, rows: list[tuple[object, ...]]) -> None:
        with self.lock:
            self.rows.extend(rows)
            if len(self.rows) >= 10_000:
                self.lock.notify()

    def run(self) -> None:
        while True:
            with self.lock:
                if not self.closing and len(self.rows) < 10_000:
                    self.lock.wait(1.0)
                rows, self.rows = self.rows, []
                closing = self.closing
            if rows:
                self.store.client.insert(self.table, rows, column_names=COLUMNS)
            if closing:
                return

    def close(self) -> None:
        with self.lock:
            self.closing = True
            self.lock.notify()
        self.thread.join(60)


POLICY = stages.RedactionPolicy(stages.Settings().query_allowlist)


@asynccontextmanager
async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
    store = stages.Store(stages.Settings(dsn=os.environ["RUM_CLICKHOUSE_DSN"]))
    store.ensure_schema()
    app.state.writer = BatchWriter(store)
    try:
        yield
    finally:
        app.state.writer.close()
        store.close()


app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)


@app.post("/__deco/rum", status_code=204)
async def ingest(request: Request) -> Response:
    body = await request.body()
    try:
        batch = Batch.model_validate_json(body)
    except ValidationError as exc:
        return Response(exc.json(), status_code=400, media_type="application/json")
    rows = to_rows(batch, request.headers.get("user-agent", ""), time.time_ns())
    request.app.state.writer.add(rows)
    return Response(status_code=204)
