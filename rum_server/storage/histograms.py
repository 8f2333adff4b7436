"""Quantiles that merge exactly: weighted log-scale histograms as SQL.

A t-digest's answer depends on the order its states merge in, so the CLI, the API and
Grafana gave slightly different p75s for the same question. A histogram over fixed
buckets is a sum: it merges the same in any order, so every surface that builds it from
the same rows, or merges the rollup's per-day histograms, reads the same figure.

- **Buckets.** A value ``v > 0`` falls in bucket ``i = ceil(log(v) / log(1.01))``,
  which holds ``(1.01^(i-1), 1.01^i]``; ``v <= 0`` (CLS's many exact zeros) in
  :data:`ZERO_BUCKET`. The indices fit an ``Int16``: 1.01^±32767 spans far beyond
  any web vital (CLS scores of 1e-6 and LCPs of hours alike).
- **Representative.** A bucket reads as ``1.01^i · 2 / 2.01``, within
  :data:`RELATIVE_ERROR` (0.4975%) of every value in it; zero reads as 0.
- **State.** ``Map(Int16, UInt64)``, bucket → integer weight (``round(1 / sample
  rate)``), merged by ``sumMap``: integer sums, exact in any order.
- **Quantile.** The weighted "lower" quantile: the first bucket, in value order, whose
  cumulative weight reaches ``level`` times the total (as ``quantileExactWeighted``).
  Bucketing is monotone, so this is the bucket of the exact weighted quantile of the
  raw values: the answer is within 0.5% of it, for any level and any merge.
"""

from __future__ import annotations

GROWTH = 1.01
"""Each bucket's upper bound is 1% above the one before."""
RELATIVE_ERROR = (GROWTH - 1) / (GROWTH + 1)
"""Largest relative distance from a value to its bucket's representative (0.4975%)."""
ZERO_BUCKET = -32768
"""Where values <= 0 go (and NaN): below every positive bucket."""
DECIMALS = 4
"""Quantiles are rounded to 4 decimals (0.0001 on a CLS score) on every surface."""

HISTOGRAM_TYPE = "SimpleAggregateFunction(sumMap, Map(Int16, UInt64))"
WEIGHT = "toUInt64(greatest(round(Weight), 1))"
"""Histogram weights are integers: 1 / rate rounded (exact for rates 1, 0.5, 0.25, 0.1 …)."""


def bucket(value: str) -> str:
    """SQL: the bucket index (Int16) of ``value``."""
    return (
        f"if({value} > 0, toInt16(least(greatest(ceil(log({value}) / log({GROWTH})),"
        f" -32767), 32767)), toInt16({ZERO_BUCKET}))"
    )


def histogram(value: str, weight: str) -> str:
    """SQL aggregate: the weighted histogram of ``value`` (merge several with ``sumMap``)."""
    return f"sumMap(map({bucket(value)}, {weight}))"


def histogram_if(value: str, weight: str, condition: str) -> str:
    """:func:`histogram` over the rows where ``condition`` holds."""
    return f"sumMapIf(map({bucket(value)}, {weight}), {condition})"


def representative(index: str) -> str:
    """SQL: the value a bucket index stands for."""
    return f"if({index} = {ZERO_BUCKET}, 0., pow({GROWTH}, {index}) * 2 / {GROWTH + 1})"


def quantile(hist: str, level: str) -> str:
    """SQL: the weighted ``level`` quantile of the histogram expression ``hist``.

    ``hist``'s keys are in ascending order, as ``sumMap`` returns them.
    """
    index = (
        f"mapKeys({hist})[arrayFirstIndex(c -> c >= {level} * arraySum(mapValues({hist})),"
        f" arrayCumSum(mapValues({hist})))]"
    )
    return f"round({representative(index)}, {DECIMALS})"
