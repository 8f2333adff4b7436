"""Enrichment from what the request carries besides the body: User-Agent, route, clock skew."""
