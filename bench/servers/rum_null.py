"""Our full HTTP path and writer into a sink that drops the rows (no store work)."""

from bench.stages import Settings, null_sink_app

app = null_sink_app(Settings.from_env())
