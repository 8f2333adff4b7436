"""Pure transforms of a beacon batch: wire decode, redaction, enrichment, rows.

Nothing here touches the store, HTTP or the clock: tests run them on plain data.
"""
