"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV Injection").

Stored strings come from visitors' browsers: an error message ``=HYPERLINK(...)``
exported with ``--format csv`` would become a live formula when an analyst opens
the file. A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading single quote, which spreadsheets show as text; numbers stay
numbers.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
