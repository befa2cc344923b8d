"""The Jinja2 filters of the web pages: the Vietnamese display formats of ``baophu.vn``
(numbers ``1.115.590``, percentages ``95,3%``, dates ``31/12/2026``, money
``12.500.000 đ``, NFC text) under the names the templates use, and the masking of personal
IDs the templates call.  Nothing is formatted here: ``vn.formats`` and ``vn.text`` own it.
"""

from __future__ import annotations

from typing import Any

from baophu.vn import formats, masking
from baophu.vn.text import nfc

num = formats.number
pct = formats.percent
money = formats.money
date = formats.date
month = formats.month
signed = formats.signed


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
    "num": formats.number,
    "pct": formats.percent,
    "money": formats.money,
    "millions": formats.millions,
    "vndate": formats.date,
    "vnmonth": formats.month,
    "signed": formats.signed,
    "nfc": nfc,
}
