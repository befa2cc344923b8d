"""Values made safe for exports: every cell from data is written as text.

A spreadsheet program treats a CSV field (or an un-typed cell) that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (OWASP "CSV injection"): an employer
named ``=HYPERLINK(...)`` would become a live link.  ``text_cell`` prefixes such a value with
an apostrophe, the convention spreadsheet programs hide and that keeps the text readable.
xlsx writers write data with ``write_string`` (a string cell is never a formula), so only CSV
needs the prefix; ``text_cell`` is also safe to use for xlsx text.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: Any) -> str:
    """``value`` as text that no spreadsheet evaluates: '' for None; an apostrophe before a
    leading ``= + - @``, tab or carriage return."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_row(values: list[Any] | tuple[Any, ...]) -> list[str]:
    """A CSV row with every value through ``text_cell``."""
    return [text_cell(v) for v in values]
