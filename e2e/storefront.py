"""A fixture storefront for the Tier 2 and early-errors e2e tests, served on 127.0.0.1.

Chromium maps every ``*.test`` host to 127.0.0.1 (``--host-resolver-rules``), so one
local server plays the shop (``shop.test``), its own CDN (``cdn.shop.test``, first party)
and a third party (``cdn.thirdparty.test``), told apart by the ``Host`` header. Pages load
the committed ``rum.attribution.js`` from the shop and beacon to the real rum-server on
another port. Every asset has a known body, so the resource rollup can be checked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rum_server.web.early_errors import EARLY_ERRORS_STUB

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "rum_server" / "static"
SITE = "e2e-storefront"
SHOP = "shop.test"
SHOP_CDN = "cdn.shop.test"
THIRD_PARTY = "cdn.thirdparty.test"
HOST_RULES = "MAP *.test 127.0.0.1"
USER_EMAIL = "jane.doe@example.com"
# The SHA-256 of USER_EMAIL, as DECO_RUM.sha256 gives it.
USER_HASH = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"
SLOW_MS = 700

QUEUE_STUB = (
    "<script>(function(w,r){r=w.DECO_RUM=w.DECO_RUM||{q:[]};"
    '["track","identify","consent"].forEach(function(m){r[m]=r[m]||function(){r.q.push([m,arguments])}})'
    "})(window)</script>"
)


def _png(size: int) -> bytes:
    """A valid 1x1 PNG padded to ``size`` bytes with an ancillary chunk browsers skip."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    end = chunk(b"IEND", b"")
    padding = size - len(head) - len(pixels) - len(end) - 12
    return head + chunk(b"teXt", b"c\x00" + b"x" * (padding - 2)) + pixels + end


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    delay_ms: int = 0


ASSETS: dict[tuple[str, str], Asset] = {
    (SHOP, "/static/style.css"): Asset(b"body{font:16px system-ui}" + b" " * 3000, "text/css"),
    (SHOP, "/static/app.js"): Asset(b"window.appLoaded=1;" + b" " * 5000, "text/javascript"),
    (SHOP_CDN, "/img/hero.png"): Asset(_png(20_000), "image/png"),
    (SHOP_CDN, "/img/logo.png"): Asset(_png(4_000), "image/png"),
    (SHOP, "/img/slow.png"): Asset(_png(2_000), "image/png", delay_ms=SLOW_MS),
    (THIRD_PARTY, "/pixel.png"): Asset(_png(1_000), "image/png"),
    (THIRD_PARTY, "/widget.js"): Asset(b"window.widget=1;" + b" " * 7000, "text/javascript"),
}
"""(host, path) → body. Images are cacheable, so a second page finds the logo in cache."""


def storefront_page(endpoint: str, early_error: bool = True) -> str:
    """The product page: the stubs, an early error, the funnel before and after the snippet."""
    port_free = "//" + SHOP_CDN + ":{port}"
    third = "//" + THIRD_PARTY + ":{port}"
    early = (
        "<script>window.notDefinedYet.boom();</script>"
        if early_error
        else "<script>/* no early error */</script>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
{EARLY_ERRORS_STUB}
{QUEUE_STUB}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js"></script>
<script>
DECO_RUM.track('view_item_list', {{items_count: 4}}, {{item_list_name: 'Home carousel'}});
DECO_RUM.track('view_product', {{item_id: 'SKU-98765', price: 189.9}}, {{currency: 'BRL'}});
DECO_RUM.identify('{USER_EMAIL}');
</script>
{early}
<script src="/static/rum.attribution.js" async data-site="{SITE}" data-env="e2e"
 data-endpoint="{endpoint}"></script>
</head><body>
<h1>Field Jacket</h1>
<img src="{port_free}/img/hero.png" width="400" height="200" alt="">
<img src="{port_free}/img/logo.png" width="40" height="40" alt="">
<img src="/img/slow.png?token=secret-token-123" width="10" height="10" alt="">
<img src="{third}/pixel.png" width="1" height="1" alt="">
<script src="{third}/widget.js" async></script>
<button id="buy">Add to cart</button> <button id="checkout">Check out</button>
<script>
document.getElementById('buy').addEventListener('click', function () {{
  DECO_RUM.track('add_to_cart', {{item_id: 'SKU-98765', quantity: 1}}, {{currency: 'BRL'}});
  // An id where a label belongs: refused in the browser.
  DECO_RUM.track('add_to_cart', {{quantity: 1}}, {{item_id: 'SKU-98765'}});
}});
document.getElementById('checkout').addEventListener('click', function () {{
  DECO_RUM.sha256('{USER_EMAIL}').then(function (hash) {{
    window.userHash = hash;
    DECO_RUM.identify(hash);
    DECO_RUM.track('begin_checkout', {{value: 189.9, items_count: 1}}, {{currency: 'BRL'}});
  }});
}});
</script>
</body></html>"""


def cart_page(endpoint: str) -> str:
    """A second page: the cached logo, a rejection before the snippet, logout (identify(null))."""
    logo = "//" + SHOP_CDN + ":{port}/img/logo.png"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
{EARLY_ERRORS_STUB}
{QUEUE_STUB}
<link rel="icon" href="data:,">
<script>Promise.reject(new Error('cart service timed out'));</script>
<script>DECO_RUM.identify('{USER_HASH}'); DECO_RUM.identify(null);</script>
<script src="/static/rum.attribution.js" async data-site="{SITE}" data-env="e2e"
 data-endpoint="{endpoint}"></script>
</head><body><h1>Cart</h1><img src="{logo}" width="40" height="40" alt=""></body></html>"""


def dev_page(endpoint: str) -> str:
    """The development build: invalid calls, each mistake made twice, one of them repeated."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/static/rum.dev.js" data-site="{SITE}-dev" data-endpoint="{endpoint}"></script>
</head><body><script>
DECO_RUM.track('Add To Cart');
DECO_RUM.track('Add-To-Cart');
DECO_RUM.track('view_product', {{}}, {{item_id: 'SKU-1234567'}});
DECO_RUM.identify('{USER_EMAIL}');
DECO_RUM.identify('{USER_EMAIL}');
DECO_RUM.track('newsletter_signup', {{}}, {{placement: 'footer'}});
</script></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    endpoint = ""

    def do_GET(self) -> None:
        host = (self.headers.get("host") or "").split(":")[0]
        path = self.path.split("?")[0]
        port = self.server.server_address[1]
        pages = {"/": storefront_page, "/cart": cart_page, "/dev": dev_page}
        if host == SHOP and path in pages:
            html = pages[path](self.endpoint).replace("{port}", str(port))
            self._send(html.encode(), "text/html", cache=False)
        elif host == SHOP and path in ("/static/rum.attribution.js", "/static/rum.dev.js"):
            self._send((STATIC / path.rsplit("/", 1)[1]).read_bytes(), "text/javascript")
        elif (host, path) in ASSETS:
            asset = ASSETS[(host, path)]
            time.sleep(asset.delay_ms / 1000)
            self._send(asset.body, asset.content_type)
        else:
            self.send_error(404)

    def _send(self, body: bytes, content_type: str, *, cache: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        # So the page may read the sizes of other origins' resources (Resource Timing).
        self.send_header("Timing-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the e2e output is the tests'."""


@contextmanager
def serve_storefront(endpoint: str) -> Iterator[int]:
    """The fixture storefront on 127.0.0.1 (a free port), beaconing to ``endpoint``."""
    handler = type("Handler", (_Handler,), {"endpoint": endpoint})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
