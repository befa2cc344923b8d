"""Text in Ibis expressions that every capability writes the same way, on DuckDB and Spark:
a date as dd/mm/yyyy, a month as mm/yyyy, and a code shown by its Vietnamese label.

No backend formats dates the way Vietnamese readers expect (and each formats differently),
so the digits are assembled here with ``lpad``.  The potential lists' amounts and labels are
in ``engine/potential/text.py``; plain Python values are formatted by ``baophu.vn.formats``.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import DateValue, StringValue


def dmy(day: DateValue) -> StringValue:
    """A date as dd/mm/yyyy (null stays null)."""
    return (
        day.day().cast("string").lpad(2, "0")
        + "/"
        + day.month().cast("string").lpad(2, "0")
        + "/"
        + day.year().cast("string")
    )


def my(day: DateValue) -> StringValue:
    """The month of a date as mm/yyyy (null stays null)."""
    return day.month().cast("string").lpad(2, "0") + "/" + day.year().cast("string")


def label_or_code(code: ibis.Value, labels: dict[str, str]) -> ibis.Value:
    """A code shown by its label in ``labels`` (the code itself when it has none)."""
    return ibis.cases(*[(code == k, v) for k, v in labels.items()], else_=code)
