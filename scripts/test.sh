#!/usr/bin/env bash
# Installs what the tests need (Python dev deps, npm deps, Debian's Chromium if
# missing) and runs every test: lint and types, unit, integration, client, e2e.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd client && npm ci --no-audit --no-fund --loglevel=error)

ruff check rum_server tests e2e bench
ruff format --check rum_server
mypy rum_server
python -m pytest
