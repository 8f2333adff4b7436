"""Pure transforms of a beacon: decoding, redaction, enrichment, rows. No storage, no HTTP."""
