"""deco RUM: real-user monitoring for storefronts (ingest server, store, queries)."""

__version__ = "0.1.0"
