"""Reading what people type or write in a spreadsheet: whole amounts with Vietnamese or
English thousands separators, and dates written the Vietnamese way.

* ``whole_number(value)`` — a whole, non-negative number: ``1.263.600``, ``1,263,600``,
  ``1 263 600``, ``10_000_000``, an Excel integer or integral float; ``ValueError`` for
  anything else (a fraction, a negative number, letters, a misplaced separator).
* ``day(value)`` — a date from a date or datetime cell, or text ``dd/mm/yyyy``,
  ``dd-mm-yyyy``, ``dd.mm.yyyy`` or ``yyyy-mm-dd``; ``None`` when it is not one.
* ``cell_text(value)`` — a spreadsheet cell as text: ``''`` for empty, an integral float
  without its ``.0``, other text stripped.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
# 1.263.600 / 1,263,600 / 1 263 600: groups of three after the first group of one to three
SEPARATORS = ".,\u0020\u00a0"  # dot, comma, space, no-break space
GROUPED = re.compile(r"^\d{1,3}([.,\u0020\u00a0])\d{3}(?:\1\d{3})*$")


def cell_text(value: Any) -> str:
    """A cell as text: ``''`` for ``None``, ``12.0 → '12'``, other values stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def whole_number(value: Any) -> int:
    """A whole non-negative number (see the module docstring); raises ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        number = int(value)
    else:
        text = cell_text(value).replace("_", "")
        if GROUPED.match(text):
            text = text.translate({ord(c): None for c in SEPARATORS})
        if not text.isascii() or not text.isdigit():
            raise ValueError(value)
        number = int(text)
    if number < 0:
        raise ValueError(value)
    return number


def day(value: Any) -> dt.date | None:
    """A date from a cell or a text (see the module docstring); ``None`` if it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for layout in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None
