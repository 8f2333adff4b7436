"""The e2e fixture app as esbuild bundles it (tests/data/sourcemaps), and the stack V8 gives
for ``shopApp.buyWithCode("SAVE50")`` when it is served as ``SCRIPT``."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "sourcemaps"
MAP = (DATA / "app.min.js.map").read_bytes()
SOURCE = (DATA / "app.min.js").read_bytes()
SCRIPT = "https://shop.example/static/js/app.min.js"
STACK = (
    'RangeError: discount code "SAVE50" is not valid for a cart of 129\n'
    f"    at i ({SCRIPT}:1:561)\n"
    f"    at u ({SCRIPT}:1:700)\n"
    f"    at Object.h ({SCRIPT}:1:802)"
)
SYMBOLICATED_FRAMES = [
    "    at applyDiscount (src/cart/discount.ts:6:11)",
    "    at checkout (src/cart/checkout.ts:6:17)",
    "    at buyWithCode (src/main.ts:17:10)",
]
"""The `new RangeError(` of line 6, the `applyDiscount(` call, the `checkout(` call."""
