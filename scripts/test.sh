#!/usr/bin/env bash
# Installs what the tests need and runs every test: lint and types, unit, integration,
# client, e2e. What it installs, and where:
# - the project (editable) with its dev extra, into the active Python: the venv you are
#   in; else the interpreter on PATH, unless it is externally managed (PEP 668, e.g.
#   Debian's /usr/bin/python3), in which case into a project venv, ./.venv (made here);
# - the client's npm dependencies, into client/node_modules;
# - Debian's chromium (apt-get, as root) when no chromium is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=$(command -v python3 || command -v python)
externally_managed() {
  "$PYTHON" - <<'PY'
import os, sys, sysconfig
in_venv = sys.prefix != sys.base_prefix
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if not in_venv and os.path.exists(marker) else 1)
PY
}

if [ "${1:-}" = "--where" ]; then  # say where it would install, and stop
  if externally_managed; then echo "$PWD/.venv"; else echo "$PYTHON"; fi
  exit 0
fi

if externally_managed; then
  if [ ! -x .venv/bin/python ]; then
    echo "this Python is externally managed (PEP 668): installing into ./.venv" >&2
    "$PYTHON" -m venv .venv 2>/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv .venv
    }
  fi
  # shellcheck disable=SC1091
  . .venv/bin/activate
  PYTHON=.venv/bin/python
fi

"$PYTHON" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd client && npm ci --no-audit --no-fund --loglevel=error)

"$PYTHON" -m ruff check rum_server tests e2e bench
"$PYTHON" -m ruff format --check rum_server
"$PYTHON" -m mypy rum_server
"$PYTHON" -m pytest
