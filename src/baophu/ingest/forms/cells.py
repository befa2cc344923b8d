"""What the form readers share: a cell's value as the text a validator reads, numbers as a
form prints them, folded text for comparing titles, and a ``RawFile`` of string columns."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import pyarrow as pa

from baophu.contracts import fold_header
from baophu.ingest.readers import RawFile, file_hash


def folded(value: Any) -> str:
    """Lower-case text without diacritics or extra spaces ("Tổng  cộng" → "tong cong")."""
    return fold_header(unicodedata.normalize("NFC", str(value))) if value is not None else ""


def cell_text(value: Any, month: bool = False) -> str | None:
    """A cell as text: dates dd/mm/yyyy (mm/yyyy for a month), whole numbers without a
    decimal point, text stripped; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.month:02d}/{value.year}" if month else value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


_NUMBER = re.compile(r"^-?[\d.,\s]+$")


def number(value: Any) -> float | None:
    """A number as a form prints it (1.234.567 or 1234567 or 12,5); None when it is not one."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(" ", "")
    if not text or not _NUMBER.match(text):
        return None
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[1]) == 3):
        text = text.replace(".", "")
    else:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def shown(value: float) -> str:
    """A total as a message prints it: 1.234.567 (or 12,5)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.2f}".replace(".", ",")


def raw_file(
    path: Path, headers: list[str], columns: list[list[str | None]], rows: list[int], fmt: str
) -> RawFile:
    """A ``RawFile`` of string columns named by ``headers``; ``rows`` are the rows (Excel) or
    lines (XML) each record came from."""
    data = pa.table({h: pa.array(c, pa.string()) for h, c in zip(headers, columns, strict=True)})
    return RawFile(
        path=path,
        file_format=fmt,
        headers=headers,
        data=data,
        rows=pa.array(rows, pa.int64()),
        typed=False,
        file_hash=file_hash(path),
    )
