"""SQL kept as files (``storage/sql/*.sql``, package data), filled from named values.

Like the Collector's ``sqltemplates``, each statement is readable as SQL. Placeholders
are ``${name}``: table names and options from the caller, and every stored name from
:mod:`rum_server.contract` (``${ROUTE}`` is ``rum.route``), so no attribute key or event
name is spelled in SQL. A missing value raises ``KeyError``: a typo fails at once.
Lines starting with ``--`` are comments; a file holds statements separated by ``;``.

The SQL expressions every query shares (the sample-rate weight, the t-digest levels)
are named here once.
"""

from __future__ import annotations

import functools
from importlib import resources
from string import Template

from rum_server import contract

QUANTILE_LEVELS = (0.5, 0.75, 0.9, 0.95, 0.99)
"""Levels kept in every t-digest state; reports index into them (p50 = [1], p75 = [2] …)."""

_LEVELS = ", ".join(str(level) for level in QUANTILE_LEVELS)
QUANTILES_STATE = f"quantilesTDigestWeightedState({_LEVELS})"
QUANTILES_MERGE = f"quantilesTDigestWeightedMerge({_LEVELS})"
QUANTILES_TYPE = f"AggregateFunction(quantilesTDigestWeighted({_LEVELS}), Float64, UInt64)"

WEIGHT_EXPR = "if(RumSampleRate > 0 AND RumSampleRate <= 1, 1 / RumSampleRate, 1.)"
"""A kept sample stands for 1 / sample-rate events; bad rates count as 1."""

DIGEST_WEIGHT = "toUInt64(greatest(round(Weight), 1))"
"""The t-digest takes integer weights: 1 / rate rounded (exact for rates 1, 0.5, 0.1 …)."""

FINAL_SETTINGS = "SETTINGS do_not_merge_across_partitions_select_final = 1"
"""``stage FINAL`` merges within a day only: the stage's key holds the day, so this is exact,
and it makes FINAL an order of magnitude cheaper."""

CONTRACT_NAMES: dict[str, str] = {
    name: value
    for name, value in vars(contract).items()
    if name.isupper() and isinstance(value, str)
}
"""``${ROUTE}`` → ``rum.route``, ``${WEB_VITAL}`` → ``rum.web_vital`` …"""

SHARED = {
    **CONTRACT_NAMES,
    "weight": WEIGHT_EXPR,
    "digest_weight": DIGEST_WEIGHT,
    "quantiles_state": QUANTILES_STATE,
    "quantiles_merge": QUANTILES_MERGE,
    "quantiles_type": QUANTILES_TYPE,
    "final_settings": FINAL_SETTINGS,
}


class SqlFiles:
    """The ``sql/*.sql`` files of one package (``rum_server.storage``, ``rum_server.query``)."""

    def __init__(self, package: str) -> None:
        self.package = package

    @functools.cache  # noqa: B019 - one instance per package, alive for the process
    def source(self, file: str) -> str:
        text = resources.files(self.package).joinpath("sql", f"{file}.sql").read_text()
        return "\n".join(line for line in text.splitlines() if not line.startswith("--")).strip()

    def render(self, file: str, /, **values: object) -> str:
        """The file's text with its placeholders filled (one statement, or several with ``;``)."""
        text = Template(self.source(file))
        return text.substitute(SHARED, **{k: str(v) for k, v in values.items()})

    def statements(self, file: str, /, **values: object) -> list[str]:
        """The file's statements, filled, without their ``;``."""
        parts = self.render(file, **values).split(";\n")
        return [part.strip().removesuffix(";") for part in parts if part.strip()]

    def lines(self, file: str, /, **values: object) -> list[str]:
        """The file's non-empty lines, filled: for files listing one item per line."""
        return [line for line in self.render(file, **values).splitlines() if line.strip()]


STORAGE_SQL = SqlFiles("rum_server.storage")
render = STORAGE_SQL.render
statements = STORAGE_SQL.statements
lines = STORAGE_SQL.lines
