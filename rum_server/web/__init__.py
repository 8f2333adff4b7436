"""What a browser sees besides the ingest endpoint: the demo storefront and its data."""
