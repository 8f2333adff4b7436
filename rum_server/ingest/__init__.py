"""The HTTP way in: guards, body reading, the handler, and errors as HTTP answers."""
