"""The demo storefront page: a newcomer's first look at RUM data, and the e2e fixture.

One pure function renders every page: a home page, product pages and a cart, with
inline SVG products (no external assets), add-to-cart buttons that call
``DECO_RUM.track`` and a button that throws. Query parameters switch on the
situations the end-to-end tests measure (see ``DEMO_SWITCHES``), and an inline
PerformanceObserver records the browser's own LCP, FCP and TTFB on
``window.__observed`` so the tests can compare the snippet's numbers with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from urllib.parse import urlencode

DEMO_SITE = "demo-store"
"""The demo page's site id: the one ``rum-server demo-data`` seeds and the README uses."""

BUILD_FILES = {
    "standard": "rum.js",
    "attribution": "rum.attribution.js",
    "errors": "rum.errors.js",
}

DEMO_SWITCHES = {
    "build": "standard | attribution | errors: which snippet build the page loads",
    "site": "the data-site id (so tests keep their rows apart); default demo-store",
    "rate": "data-sample-rate",
    "error_rate": "data-error-sample-rate",
    "consent": "required: data-consent=required, with an Accept button",
    "soft_navs": "1: data-soft-navs, and links that change the URL with history.pushState",
    "shift": "1: a banner pushes the page down 300 ms after load (a known layout shift)",
    "block": "N: the 'Slow button' handler blocks the main thread N ms",
    "throw": "N: the same error (with a different number each time) thrown N times",
    "reject": "1: an unhandled promise rejection",
    "email": "1: an error whose message contains an email address",
    "trace": "1: traceparent, request-id and cf-ray meta tags",
    "stub": "1: track and identify called while the page parses, through the queue stub",
    "no_inp": "1: hide Event Timing's interactionId, as a browser without INP support (FID path)",
}

PRODUCTS = (
    ("1", "Field Jacket", "189.00", "#3b6e5a", "#d9a441"),
    ("2", "Canvas Sneakers", "79.90", "#2f4e8c", "#f2efe6"),
    ("3", "Wool Beanie", "24.50", "#b5452c", "#f4d9c6"),
    ("4", "Leather Tote", "142.00", "#7a4b2a", "#e8cfa9"),
)

SITE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
RATE = re.compile(r"^(0(\.\d+)?|1(\.0+)?)$")

QUEUE_STUB = (
    "<script>(function(w,r){r=w.DECO_RUM=w.DECO_RUM||{q:[]};"
    '["track","identify","consent"].forEach(function(m){r[m]=r[m]||function(){r.q.push([m,arguments])}})'
    "})(window)</script>"
)

OBSERVER = """<script>
window.__observed = {};
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__observed.lcp = e.startTime; });
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      if (e.name === "first-contentful-paint") window.__observed.fcp = e.startTime;
    });
  }).observe({ type: "paint", buffered: true });
  addEventListener("load", function () {
    var nav = performance.getEntriesByType("navigation")[0];
    if (nav) window.__observed.ttfb = nav.responseStart;
  });
} catch (e) {}
</script>"""

STYLE = """<style>
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;
 color:#1d232b;background:#f6f4ef}
header{display:flex;align-items:center;gap:24px;padding:16px 32px;background:#1d232b;color:#fff}
header a{color:#fff;text-decoration:none}
.logo{font-weight:800;letter-spacing:.04em}
nav{display:flex;gap:16px;flex:1}
.cart-count{background:#d9a441;color:#1d232b;border-radius:999px;padding:2px 10px;font-weight:700}
main{max-width:1040px;margin:0 auto;padding:32px}
h1{font-size:40px;line-height:1.15;margin:8px 0 12px}
.lede{font-size:18px;color:#4b5563;max-width:640px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:20px;margin-top:28px}
.card{background:#fff;border-radius:14px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card svg{width:100%;height:auto;border-radius:10px}
.card h2{font-size:18px;margin:12px 0 4px}
.card h2 a{color:inherit;text-decoration:none}
.price{font-weight:700}
button{font:inherit;border:0;border-radius:10px;padding:10px 16px;cursor:pointer;
 background:#1d232b;color:#fff}
button.secondary{background:#e5e1d8;color:#1d232b}
.actions{display:flex;gap:12px;flex-wrap:wrap;margin-top:28px}
.banner{background:#d9a441;padding:40px 32px;font-weight:700}
.consent{position:fixed;bottom:16px;left:16px;right:16px;background:#fff;padding:16px;
 border-radius:12px;box-shadow:0 4px 20px rgba(0,0,0,.2);display:flex;gap:12px;align-items:center}
.product{display:grid;grid-template-columns:1fr 1fr;gap:32px}
.note{color:#6b7280;font-size:14px}
</style>"""


def product_svg(color: str, accent: str) -> str:
    """A simple product illustration: a tinted panel with a tag, so pages need no assets."""
    return (
        '<svg viewBox="0 0 240 180" role="img" aria-hidden="true">'
        f'<rect width="240" height="180" fill="{accent}"/>'
        f'<rect x="60" y="30" width="120" height="120" rx="18" fill="{color}"/>'
        '<circle cx="120" cy="62" r="10" fill="#fff" opacity=".8"/>'
        '<rect x="84" y="100" width="72" height="10" rx="5" fill="#fff" opacity=".6"/></svg>'
    )


def route_of(path: str) -> tuple[str, str]:
    """The page kind and its route pattern (what data-route tells the server)."""
    parts = [part for part in path.strip("/").split("/") if part]
    if parts[:1] == ["demo"]:
        parts = parts[1:]
    if parts[:1] == ["products"] and len(parts) == 2:
        return "product", "/demo/products/:id"
    if parts == ["cart"]:
        return "cart", "/demo/cart"
    return "home", "/"


def script_tag(query: Mapping[str, str], build: str, route: str) -> str:
    """The snippet's one-line tag, exactly as docs/snippet.md shows it, plus the test switches."""
    site = query.get("site", DEMO_SITE)
    attributes = [
        ("src", "/__deco/" + BUILD_FILES.get(build, "rum.js")),
        ("data-site", site if SITE_ID.match(site) else DEMO_SITE),
        ("data-route", route),
        ("data-version", "demo"),
        ("data-env", "demo"),
        ("data-sample-rate", query["rate"] if RATE.match(query.get("rate", "")) else "1"),
    ]
    if RATE.match(query.get("error_rate", "")):
        attributes.append(("data-error-sample-rate", query["error_rate"]))
    if query.get("consent") == "required":
        attributes.append(("data-consent", "required"))
    if query.get("soft_navs") == "1":
        attributes.append(("data-soft-navs", ""))
    rendered = " ".join(f'{name}="{escape(value)}"' for name, value in attributes)
    src, rest = rendered.split(" ", 1)
    return f"<script {src} async {rest}></script>"


def page_body(kind: str, path: str, cart_link: str) -> str:
    """The visible storefront content of one page kind."""
    if kind == "product":
        product_id = path.rstrip("/").rsplit("/", 1)[-1]
        found = [p for p in PRODUCTS if p[0] == product_id] or [PRODUCTS[0]]
        pid, name, price, color, accent = found[0]
        return (
            '<div class="product">'
            f"{product_svg(color, accent)}"
            f"<div><h1>{escape(name)}</h1>"
            '<p class="lede">Made to last, shipped in a day. This page reports its own Core Web '
            "Vitals to the RUM server.</p>"
            f'<p class="price">$ {price}</p>'
            f'<button data-sku="{pid}" data-price="{price}" class="add">Add to cart</button>'
            "</div></div>"
        )
    if kind == "cart":
        return (
            "<h1>Your cart</h1>"
            '<p class="lede">Items you add are counted on this page only; every add is a '
            "<code>DECO_RUM.track</code> event.</p>"
            f'<p><a href="{cart_link}">Back to the shop</a></p>'
        )
    cards = "".join(
        '<div class="card">'
        f'<a href="/demo/products/{pid}">{product_svg(color, accent)}</a>'
        f'<h2><a href="/demo/products/{pid}">{escape(name)}</a></h2>'
        f'<p class="price">$ {price}</p>'
        f'<button data-sku="{pid}" data-price="{price}" class="add">Add to cart</button></div>'
        for pid, name, price, color, accent in PRODUCTS
    )
    return (
        "<h1>Everyday goods, measured by real users</h1>"
        '<p class="lede">This little store loads the deco RUM snippet. Browse, add to cart, '
        "press the buttons below, then switch tabs: the snippet beacons Web Vitals, errors and "
        "events, and the dashboard shows them.</p>"
        f'<div class="grid">{cards}</div>'
    )


def scenario_script(query: Mapping[str, str]) -> str:
    """The page's own behaviour: cart buttons, the slow and failing buttons, the test switches."""
    block_ms = int(query["block"]) if query.get("block", "").isdigit() else 150
    throws = min(int(query["throw"]), 50) if query.get("throw", "").isdigit() else 0
    lines = [
        "var count = 0;",
        "document.querySelectorAll('button.add').forEach(function (b) {",
        "  b.addEventListener('click', function () {",
        "    count++; document.getElementById('cart-count').textContent = count;",
        "    DECO_RUM.track('add_to_cart', {sku: b.dataset.sku, price: b.dataset.price},",
        "      {page: document.body.dataset.kind});",
        "  });",
        "});",
        "document.getElementById('slow').addEventListener('click', function () {",
        f"  var end = performance.now() + {block_ms};",
        "  while (performance.now() < end) {}",
        "  document.getElementById('slow').textContent = 'Done (slow)';",
        "});",
        "function failWidget(n) { throw new Error('demo: widget ' + n + ' failed to render'); }",
        "document.getElementById('fail').addEventListener('click', function () {",
        "  failWidget(Math.floor(performance.now()));",
        "});",
    ]
    # Errors wait for the load event: the async snippet has run by then (it delays load), so
    # it sees them. Errors thrown before the snippet runs are not reported (docs/snippet.md).
    on_load = []
    if throws:
        on_load.append(f"for (var i = 1; i <= {throws}; i++) setTimeout(failWidget, 0, i);")
    if query.get("reject") == "1":
        on_load.append("Promise.reject(new Error('demo: payment service unavailable'));")
    if query.get("email") == "1":
        on_load.append(
            "setTimeout(function () {"
            " throw new Error('demo: no account for jane.doe@example.com'); });"
        )
    if on_load:
        lines += ["addEventListener('load', function () {", *on_load, "});"]
    if query.get("shift") == "1":
        lines += [
            "addEventListener('load', function () { setTimeout(function () {",
            "  var banner = document.createElement('div'); banner.className = 'banner';",
            "  banner.textContent = 'Free shipping this week';",
            "  document.body.insertBefore(banner, document.querySelector('main'));",
            "}, 300); });",
        ]
    if query.get("consent") == "required":
        lines.append(
            "document.getElementById('accept').addEventListener('click', function () {"
            " DECO_RUM.consent(true); this.parentNode.remove(); });"
        )
    if query.get("soft_navs") == "1":
        lines.append(
            "document.querySelectorAll('a[data-soft]').forEach(function (a) {"
            " a.addEventListener('click', function (e) { e.preventDefault();"
            " history.pushState({}, '', a.href); }); });"
        )
    return "<script>\n" + "\n".join(lines) + "\n</script>"


def render_demo_page(path: str, query: Mapping[str, str], build: str) -> str:
    """The HTML of the demo page at ``path`` (``/`` or ``/demo/...``) with the given switches."""
    kind, route = route_of(path)
    kept = {key: value for key, value in sorted(query.items()) if key in DEMO_SWITCHES}
    kept.pop("throw", None)
    suffix = escape("?" + urlencode(kept)) if kept else ""
    meta = ""
    if query.get("trace") == "1":
        meta = (
            '<meta name="traceparent" '
            'content="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01">'
            '<meta name="request-id" content="req-demo-1">'
            '<meta name="cf-ray" content="8f1c2d3e4a5b6c7d-GRU">'
        )
    consent = ""
    if query.get("consent") == "required":
        consent = (
            '<div class="consent"><span>We measure page speed to improve this shop.</span>'
            '<button id="accept">Accept</button></div>'
        )
    soft_links = ""
    if query.get("soft_navs") == "1":
        soft_links = (
            '<p class="note">Soft navigation: <a data-soft href="/demo/products/2">jump to a '
            "product without reloading</a></p>"
        )
    early = ""
    if query.get("no_inp") == "1":
        early += "<script>delete PerformanceEventTiming.prototype.interactionId;</script>"
    if query.get("stub") == "1":
        early += (
            "<script>DECO_RUM.identify('cebf292c038fdcd2de5f7ac62c3b81bcfe4efc535383031d762b06b26cfabea2');"
            "DECO_RUM.track('page_ready', {kind: '" + kind + "'}, {source: 'stub'});</script>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deco RUM demo store</title>{meta}
{STYLE}
{OBSERVER}
{QUEUE_STUB}
{early}
{script_tag(query, build, route)}
</head>
<body data-kind="{kind}">
<header><a class="logo" href="/{suffix}">deco store</a>
<nav><a href="/{suffix}">Shop</a><a href="/demo/products/1{suffix}">Jacket</a>
<a href="/demo/cart{suffix}">Cart</a><a href="/__deco/rum/dashboard">Dashboard</a></nav>
<span class="cart-count" id="cart-count">0</span></header>
<main>
{page_body(kind, path, "/" + suffix)}
<div class="actions">
<button id="slow" class="secondary">Slow button</button>
<button id="fail" class="secondary">Throw an error</button>
</div>
{soft_links}
<p class="note">Build: {escape(BUILD_FILES.get(build, "rum.js"))}. Switch tabs or close the page
to send the beacon; then open the dashboard.</p>
</main>
{consent}
{scenario_script(query)}
</body></html>
"""
