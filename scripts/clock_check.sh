#!/usr/bin/env bash
# Runs the tests with the clock moved to the next month end, year end and the day after a
# DST change (so the windows span a 23- or 25-hour day), each in a time zone where the
# local day differs from UTC's, starting two minutes before midnight so every run
# crosses a day boundary while it works.
#
#   bash scripts/clock_check.sh                                # tests/unit tests/integration
#   bash scripts/clock_check.sh tests/integration/test_reports.py   # any pytest arguments
#
# The clock is moved by an offset (time-machine, through tests/clock_shift/sitecustomize.py
# on PYTHONPATH), so pytest and every Python process it starts share one moved, ticking
# clock. The embedded ClickHouse (chdb) reads the real clock, never the moved one: that is
# why every report takes its day from Python's clock. TZ is honoured by both.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || set -- tests/unit tests/integration
export PYTHONPATH="$PWD/tests/clock_shift:$PWD${PYTHONPATH:+:$PYTHONPATH}"

# "name TZ offset-seconds local-time" for each moment, computed from today so the moments
# are always ahead (rows older than the table's TTL would be dropped by the real clock).
python - <<'PY' >"${TMPDIR:-/tmp}/clock_check.$$"
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

now = time.time()

def before_midnight(day, zone):
    """Two minutes before ``day``'s midnight in ``zone`` (the next day's start)."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(zone)) - timedelta(minutes=2)

today = datetime.now(ZoneInfo("UTC")).date()
month = today.replace(day=28) + timedelta(days=4)
month_end = month.replace(day=1) - timedelta(days=1)
if month_end.month == 12 or month_end <= today:  # keep it apart from the year end
    month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
year_end = today.replace(month=12, day=31)
if year_end <= today:
    year_end = year_end.replace(year=year_end.year + 1)
berlin = ZoneInfo("Europe/Berlin")
probe = datetime.now(berlin)
offset = probe.utcoffset()
while probe.utcoffset() == offset:  # the next DST change in Berlin
    probe = (probe + timedelta(hours=1)).astimezone(berlin)
dst_day = probe.date()
for name, zone, moment in (
    ("month-end", "America/Sao_Paulo", before_midnight(month_end, "America/Sao_Paulo")),
    ("year-end", "Asia/Tokyo", before_midnight(year_end, "Asia/Tokyo")),
    ("dst-change", "Europe/Berlin", before_midnight(dst_day, "Europe/Berlin")),
):
    print(name, zone, int(moment.timestamp() - now), moment.isoformat())
PY

status=0
while read -r name zone offset moment; do
  echo "== $name: TZ=$zone, clock at $moment" >&2
  if ! TZ="$zone" RUM_TEST_CLOCK_OFFSET="$offset" python -m pytest -q -p no:cacheprovider "$@"; then
    status=1
    echo "== $name: FAILED" >&2
  fi
done <"${TMPDIR:-/tmp}/clock_check.$$"
rm -f "${TMPDIR:-/tmp}/clock_check.$$"
exit "$status"
