"""The snippet's cost inside a page, in Chromium, over repeated loads of a fixture storefront.

For each variant (no snippet, web-vitals alone with its README's batching example,
``rum.js``, ``rum.attribution.js``, ``rum.errors.js``) and each load: main-thread
script time (CDP ``Performance.getMetrics`` ScriptDuration) after load and after the
first interaction, long tasks and long animation frames whose scripts are the
snippet's, the script's bytes on the wire (brotli, as served), and the beacon bytes
of the page view (load, one click, hide). Script time is the renderer main thread's
CPU time in the snippet's own code (from a trace), so a busy machine does not inflate it;
times 4 (Lighthouse's mobile factor) it speaks for a mid-range phone.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.procs import BenchError, progress

REPO = Path(__file__).resolve().parent.parent
STATIC = REPO / "rum_server" / "static"
WEB_VITALS = REPO / "client" / "node_modules" / "web-vitals" / "dist" / "web-vitals.iife.js"
CHROMIUM = "/usr/bin/chromium"
THROTTLES = (1,)
"""CPU slow-down factors to run (CDP throttling); thread time makes 1 enough (see doc)."""
PHONE_FACTOR = 4
"""Lighthouse's mid-range phone: four times slower than a desktop-class core."""

WEB_VITALS_EXAMPLE = """<script src="/s/web-vitals.iife.js"></script>
<script>
  // web-vitals' README: batch the metrics and send them once, when the page is hidden.
  const queue = new Set();
  function addToQueue(metric) { queue.add(metric); }
  function flushQueue() {
    if (queue.size > 0) {
      const body = JSON.stringify([...queue]);
      (navigator.sendBeacon && navigator.sendBeacon('/__deco/rum', body)) ||
        fetch('/__deco/rum', {body, method: 'POST', keepalive: true});
      queue.clear();
    }
  }
  webVitals.onCLS(addToQueue); webVitals.onINP(addToQueue); webVitals.onLCP(addToQueue);
  webVitals.onFCP(addToQueue); webVitals.onTTFB(addToQueue);
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushQueue();
  });
</script>"""


def _rum(build: str) -> str:
    return (
        f'<script src="/s/{build}" async data-site="bench-store" '
        'data-route="/_products/$slug/p" data-version="2026.11.30-abc123" '
        'data-env="production" data-sample-rate="1"></script>'
    )


VARIANTS = {
    "none": "",
    "web-vitals alone": WEB_VITALS_EXAMPLE,
    "rum.js": _rum("rum.js"),
    "rum.attribution.js": _rum("rum.attribution.js"),
    "rum.errors.js": _rum("rum.errors.js"),
}
SNIPPET_FILES = ("web-vitals.iife.js", "rum.js", "rum.attribution.js", "rum.errors.js")

PAGE = """<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Camiseta Polo Azul | Shop</title>
<style>body{{font:16px system-ui;margin:0}}header{{background:#123;color:#fff;padding:12px}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px;padding:12px}}
.card{{border:1px solid #ddd;padding:8px}}.hero{{height:320px;background:#eee}}
button{{font-size:18px;padding:12px 24px}}</style>
{snippet}
</head><body><header>Shop · Feminino · Masculino · Infantil</header>
<main><div class="hero"><svg width="100%" height="320"><rect width="100%" height="320"
fill="#cde"/><text x="20" y="160" font-size="40">Camiseta Polo Azul</text></svg></div>
<h1>Camiseta Polo Azul</h1><p>R$ 129,90</p><button id="buy">Adicionar ao carrinho</button>
<div class="grid">{cards}</div></main>
<script>
  // The storefront's own work: render prices and wire the button (same in every variant).
  let total = 0;
  for (let i = 0; i < 20000; i++) total += Math.sqrt(i) * 1.0001;
  document.querySelectorAll('.card').forEach((card, i) => {{
    const price = (43.3 + i).toFixed(2);
    card.insertAdjacentHTML('beforeend', '<small>em 3x de R$ ' + price + '</small>');
  }});
  document.getElementById('buy').addEventListener('click', () => {{
    const t0 = performance.now(); while (performance.now() - t0 < 8) {{}}
    document.getElementById('buy').textContent = 'No carrinho';
  }});
</script></body></html>"""

OBSERVER = """
window.__bench = {longtasks: [], loaf: []};
try {
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    window.__bench.longtasks.push({start: e.startTime, duration: e.duration}); })
    .observe({type: 'longtask', buffered: true});
} catch (e) {}
try {
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    window.__bench.loaf.push({duration: e.duration, blocking: e.blockingDuration,
      scripts: e.scripts.map((s) => ({url: s.sourceURL, duration: s.duration,
        invoker: s.invoker, type: s.invokerType}))}); })
    .observe({type: 'long-animation-frame', buffered: true});
} catch (e) {}
"""


class _Site:
    """The fixture storefront on 127.0.0.1; records each beacon's size."""

    def __init__(self) -> None:
        import brotli

        self.beacons: list[int] = []
        files = {name: (STATIC / name) for name in SNIPPET_FILES[1:]}
        files["web-vitals.iife.js"] = WEB_VITALS
        missing = [str(p) for p in files.values() if not p.exists()]
        if missing:
            raise BenchError(
                "snippet files missing (run `cd client && npm ci && npm run "
                f"build`): {', '.join(missing)}"
            )
        self.scripts = {
            name: brotli.compress(p.read_bytes(), quality=11) for name, p in files.items()
        }
        cards = "".join(
            f'<div class="card"><svg width="140" height="140"><rect width="140" '
            f'height="140" fill="#e{i % 10}e"/></svg><p>Produto {i}</p></div>'
            for i in range(24)
        )
        self.pages = {
            key: PAGE.format(snippet=s, cards=cards).encode() for key, s in VARIANTS.items()
        }
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.startswith("/s/"):
                    body = site.scripts.get(self.path[3:])
                    kind, extra = "text/javascript", {"Content-Encoding": "br"}
                else:
                    body = site.pages.get(self.path.lstrip("/").replace("%20", " "))
                    kind, extra = "text/html; charset=utf-8", {}
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                site.beacons.append(length)
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _metrics(cdp: Any) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"]


def snippet_script_ms(trace: Any, urls: tuple[str, ...]) -> tuple[float, float, float]:
    """Main-thread CPU ms running the snippet's code (compile, evaluate, its callbacks)
    before and after the first click, and the longest single stretch of it.

    From a Chromium trace: top-level trace events on the renderer's main thread that
    name the snippet's file, in thread time (``tdur``), so time the thread spent
    descheduled on a busy machine does not count; nested events count once.
    """
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    clicks = [
        e["ts"]
        for e in events
        if e.get("name") == "EventDispatch"
        and e.get("args", {}).get("data", {}).get("type") == "click"
    ]
    click = min(clicks) if clicks else float("inf")
    spans = []
    for e in events:
        if e.get("ph") != "X" or (e.get("pid"), e.get("tid")) not in main:
            continue
        data = e.get("args", {}).get("data", {}) or {}
        url = str(data.get("url") or data.get("fileName") or "")
        if url.split("?")[0].endswith(urls):
            spans.append((e["ts"], e["ts"] + e.get("dur", 0), e.get("tdur", e.get("dur", 0))))
    spans.sort()
    load = interaction = longest = 0.0
    end = -1.0
    for start, stop, cpu in spans:
        if start < end:
            continue  # nested in the previous top-level event: already counted
        end = stop
        longest = max(longest, cpu)
        if start < click:
            load += cpu
        else:
            interaction += cpu
    return load / 1000, interaction / 1000, longest / 1000


def _one_load(browser: Any, site: _Site, variant: str, throttle: int) -> dict[str, Any]:
    context = browser.new_context()
    tracing = False
    try:
        page = context.new_page()
        page.add_init_script(OBSERVER)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        site.beacons.clear()
        browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        tracing = True
        page.goto(site.url + variant, wait_until="load")
        page.wait_for_timeout(1500)  # async snippet runs, LCP settles
        loaded = _metrics(cdp)
        page.click("#buy")
        page.wait_for_timeout(3000)  # headless Chromium reports a lone click's timing late
        clicked = _metrics(cdp)
        observed = page.evaluate("window.__bench")
        resources = page.evaluate(
            "performance.getEntriesByType('resource').map(r => ({name: r.name, "
            "transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize}))"
        )
        page.goto("about:blank")  # hides the page: the snippet sends its last beacon
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and variant != "none" and not site.beacons:
            time.sleep(0.05)
        time.sleep(0.3)
        trace = json.loads(browser.stop_tracing())
        tracing = False
    finally:
        if tracing:
            browser.stop_tracing()
        context.close()
    snippet_urls = tuple(f"/s/{name}" for name in SNIPPET_FILES)
    scripts = [r for r in resources if r["name"].split("?")[0].endswith(snippet_urls)]
    attributable = [
        f
        for f in observed["loaf"]
        if f["duration"] > 50
        and any(s["url"].endswith(snippet_urls) and s["duration"] > 0 for s in f["scripts"])
    ]
    invokers = sorted(
        {
            f"{s.get('type', '')}: {s.get('invoker', '')}"
            for f in attributable
            for s in f["scripts"]
            if s["url"].endswith(snippet_urls)
        }
    )
    at_load, at_click, longest = snippet_script_ms(trace, snippet_urls)
    return {
        "snippet_cpu_ms_load": at_load,
        "snippet_cpu_ms_interaction": at_click,
        "snippet_cpu_ms_longest": longest,
        "long_frame_invokers": invokers,
        "script_ms_load": loaded["ScriptDuration"] * 1000,
        "script_ms_interaction": (clicked["ScriptDuration"] - loaded["ScriptDuration"]) * 1000,
        "task_ms_load": loaded["TaskDuration"] * 1000,
        "long_tasks": len(observed["longtasks"]),
        "long_frames_with_snippet_script": len(attributable),
        "snippet_script_ms_in_long_frames": sum(
            s["duration"]
            for f in attributable
            for s in f["scripts"]
            if s["url"].endswith(snippet_urls)
        ),
        "transfer_bytes": sum(r["transfer"] for r in scripts),
        "encoded_bytes": sum(r["encoded"] for r in scripts),
        "beacons": len(site.beacons),
        "beacon_bytes": sum(site.beacons),
    }


def run(loads: int) -> dict[str, Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise BenchError("playwright is missing: pip install -e '.[bench]'") from exc
    if not Path(CHROMIUM).exists():
        raise BenchError(f"{CHROMIUM} is missing: apt-get install -y chromium")
    site = _Site()
    samples: dict[int, dict[str, list[dict[str, Any]]]] = {
        t: {v: [] for v in VARIANTS} for t in THROTTLES
    }
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                ],
            )
            try:
                _one_load(browser, site, "none", 1)  # warm the browser's caches of code
                for n in range(loads):
                    for throttle in THROTTLES:
                        progress(
                            f"snippet: load {n + 1}/{loads} of each variant at {throttle}x CPU"
                        )
                        for variant in VARIANTS:
                            samples[throttle][variant].append(
                                _one_load(browser, site, variant, throttle)
                            )
            finally:
                browser.close()
    finally:
        site.close()
    return {
        "loads": loads,
        "phone_factor": PHONE_FACTOR,
        "throttles": {str(t): _summarise(samples[t]) for t in THROTTLES},
        "samples": {str(t): samples[t] for t in THROTTLES},
        "example_beacon": _example_beacons(),
    }


def _summarise(samples: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Medians per variant, and the script time added over the page without a snippet."""
    medians = {
        v: {k: statistics.median(s[k] for s in runs) for k in runs[0] if k != "long_frame_invokers"}
        for v, runs in samples.items()
    }
    base = medians["none"]
    for variant, values in medians.items():
        values["added_script_ms_load"] = values["script_ms_load"] - base["script_ms_load"]
        values["added_script_ms_interaction"] = (
            values["script_ms_interaction"] - base["script_ms_interaction"]
        )
        values["max_long_frames_with_snippet_script"] = max(
            s["long_frames_with_snippet_script"] for s in samples[variant]
        )
        values["long_frame_invokers"] = sorted(  # type: ignore[assignment]
            {i for s in samples[variant] for i in s["long_frame_invokers"]}
        )
    return medians


def _example_beacons() -> dict[str, int]:
    """Bytes of the docs' example beacons, for scale."""
    out = {}
    for name in ("page-vitals.json", "mixed.json"):
        path = REPO / "docs" / "examples" / name
        if path.exists():
            out[name] = len(json.dumps(json.loads(path.read_text()), separators=(",", ":")))
    return out
