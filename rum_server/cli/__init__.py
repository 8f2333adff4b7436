"""``rum-server``: the command line."""
