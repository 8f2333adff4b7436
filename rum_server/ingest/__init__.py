"""``POST /__deco/rum``: guards, body reading, the handler, and the HTTP answer of each failure."""
