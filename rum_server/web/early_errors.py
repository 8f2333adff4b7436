"""The early-errors inline stub, in one place: the dashboard prints it, the e2e storefront runs it.

It must stay byte for byte the one ``docs/snippet.md`` gives ("Early errors"); a test
checks they match.
"""

EARLY_ERRORS_STUB = (
    "<script>(function(w,r){r=w.DECO_RUM=w.DECO_RUM||{q:[]};r.e=r.e||[];"
    '["error","unhandledrejection"].forEach(function(t){w.addEventListener(t,function(e)'
    "{w.DECO_RUM==r&&r.e.length<20&&r.e.push(e)})})})(window)</script>"
)
"""Queues ``error`` and ``unhandledrejection`` events until the async snippet starts."""
