"""Vietnamese display formats for the web pages (also registered as Jinja2 filters).

Numbers group thousands with a dot and use a comma for decimals (1.115.590; 95,3%);
dates are dd/mm/yyyy (31/12/2026); money is whole đồng (12.500.000 đ).  Text is NFC, so a
name typed in decomposed form shows and sorts like the same name typed precomposed.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from baophu.vn import masking


def nfc(text: Any) -> str:
    return "" if text is None else unicodedata.normalize("NFC", str(text))


def num(value: Any, digits: int = 0) -> str:
    """1115590 → 1.115.590; 1234.5 with digits=1 → 1.234,5; None → ''."""
    if value is None:
        return ""
    value = float(value)
    if digits == 0:
        return f"{round(value):,}".replace(",", ".")
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def pct(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage: 0.953 → 95,3%; None → ''."""
    if value is None:
        return ""
    return f"{float(value) * 100:.{digits}f}%".replace(".", ",")


def money(value: Any) -> str:
    """Whole đồng: 12500000 → 12.500.000 đ."""
    return "" if value is None else f"{num(value)} đ"


def millions(value: Any) -> str:
    """Amounts in millions of đồng for tables: 39600000 → 39,6 tr."""
    return "" if value is None else f"{num(float(value) / 1e6, 1)} tr"


def date(value: Any) -> str:
    """31/12/2026 (a date, a datetime or an ISO string); '' for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def month(value: Any) -> str:
    """10/2026 for a month."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.month:02d}/{value.year}"


def signed(value: Any) -> str:
    """+1.234 / −1.234 (a true minus sign) / 0."""
    if value is None:
        return ""
    v = round(float(value))
    if v > 0:
        return f"+{num(v)}"
    if v < 0:
        return f"−{num(-v)}"
    return "0"


def mask_id(person_id: Any, full: bool = False) -> str:
    """A personal ID (or social-insurance code, or phone) shown as ********1234 unless
    ``full`` (``vn.masking.mask_value``)."""
    if person_id is None:
        return ""
    return str(person_id) if full else masking.mask_value(person_id)


def mask_ids_in(text: str) -> str:
    """Every personal ID, social-insurance code and phone number in ``text`` masked
    (``vn.masking.mask_text``)."""
    return masking.mask_text(text)


FILTERS = {
    "num": num,
    "pct": pct,
    "money": money,
    "millions": millions,
    "vndate": date,
    "vnmonth": month,
    "signed": signed,
    "nfc": nfc,
}
