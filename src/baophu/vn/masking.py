"""Masking of personal data: the one place that hides personal IDs, legacy social-insurance
codes and phone numbers, as single values and inside free text.

* ``mask_value("075085000001")`` → ``********0001``: every character but the last four
  replaced (a value of four characters or fewer is hidden whole).  IDs, social-insurance codes
  and phone numbers are masked alike, so a masked ID gives nothing a masked phone would not.
* ``mask_text(text)`` masks every number in free text that may be one of them — reason texts,
  audit details, error messages, a rejected row's raw text:

  - a run of 9 to 12 digits (12: personal ID; 10: social-insurance code or mobile phone;
    9: the old identity-card number or a phone without its leading 0; 11: a landline or
    ``84…``), not part of a longer number;
  - a 12-digit ID written in groups of three (``075 085 000 001``);
  - a phone number written with separators or a country code (``0901 234 567``,
    ``090.123.4567``, ``+84 901 234 567``).

  Thousands written with dots (``2.983.296`` đồng) are amounts and stay as they are; a
  13-digit run or longer (a tax code with its branch written together) too.  Masking more
  than needed is the safe side: a 10-digit tax code quoted in free text is masked as well.
* ``column_kind(name, check)`` says what a column holds by its *meaning*, whatever its header
  in a file: the contract's ``check`` (``person_id``, ``si_code``), a canonical name that
  ends in ``person_id`` or names a phone.  ``mask_column(value, kind)`` masks a value of such
  a column (the whole value, whatever its shape: a mistyped ID is still an ID).

Who may see what unmasked is decided by the caller (``app.scope``: collectors for their own
people, commune officials); this module only masks.
"""

from __future__ import annotations

import re
from typing import Any, Literal

SensitiveKind = Literal["person_id", "si_code", "phone"]
SHOWN = 4  # digits left visible at the end
MASK = "*"

# 9–12 digits, not part of a longer run of digits.
_DIGITS = re.compile(r"(?<!\d)(\d{9,12})(?!\d)")
# 075 085 000 001 / 075.085.000.001 (an ID starts with 0: the province codes are 001–096)
_GROUPED_ID = re.compile(r"(?<!\d)(0\d{2}(?:[ .-]\d{3}){3})(?!\d)")
# phones: 0 or +84 / 84, then 8–10 more digits in groups separated by one space, dot or hyphen
_PHONE = re.compile(r"(?<![\d+])((?:\+84|84|0)[ .-]?\d{2,4}(?:[ .-]\d{2,4}){1,3})(?![\d]|[.,]\d)")


def mask_value(value: Any) -> str:
    """A personal ID, social-insurance code or phone shown by its last four characters:
    ``075085000001`` → ``********0001``; '' for None; a short value hidden whole."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    if sum(ch.isdigit() for ch in text) > SHOWN:  # 0901 234 567 → **** **4 567
        return _mask_digits(text)
    if len(text) <= SHOWN:
        return MASK * len(text)
    return MASK * (len(text) - SHOWN) + text[-SHOWN:]


def _mask_digits(chunk: str) -> str:
    """Digits of ``chunk`` replaced by ``*`` except the last four; separators kept."""
    digits = sum(ch.isdigit() for ch in chunk)
    keep = SHOWN
    out = []
    seen = 0
    for ch in chunk:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else MASK)
        else:
            out.append(ch)
    return "".join(out)


def _phone_like(chunk: str) -> bool:
    digits = sum(ch.isdigit() for ch in chunk)
    return 9 <= digits <= 12


def mask_text(text: Any) -> str:
    """``text`` with every personal ID, social-insurance code and phone number in it masked
    (see the module's docstring); '' for None."""
    if text is None:
        return ""
    out = str(text)
    out = _GROUPED_ID.sub(lambda m: _mask_digits(m.group(1)), out)
    out = _PHONE.sub(
        lambda m: _mask_digits(m.group(1)) if _phone_like(m.group(1)) else m.group(1), out
    )
    return _DIGITS.sub(lambda m: _mask_digits(m.group(1)), out)


def has_unmasked(text: Any) -> bool:
    """Whether ``text`` still holds something ``mask_text`` would mask."""
    return text is not None and mask_text(text) != str(text)


def column_kind(name: str | None, check: str | None = None) -> SensitiveKind | None:
    """What a column holds by its meaning: a contract column's ``check`` and canonical
    ``name`` (``person_id``, ``head_person_id``, ``si_code``, ``phone``, ``contact_phone``…)."""
    if check in ("person_id", "si_code"):
        return check  # type: ignore[return-value]
    key = (name or "").lower()
    if key.endswith("person_id") or key in ("cccd", "id_number"):
        return "person_id"
    if key.endswith("si_code"):
        return "si_code"
    if "phone" in key:
        return "phone"
    return None


def mask_column(value: Any, kind: SensitiveKind | None) -> str:
    """A value of a column of ``kind``: masked whole when the column holds personal data
    (``column_kind``), otherwise free text with any ID or phone in it masked."""
    if kind is not None:
        return mask_value(value)
    return mask_text(value)


def mask_quoted(text: Any, raw_values: list[str] | tuple[str, ...]) -> str:
    """Free text that may quote ``raw_values`` verbatim (a reason that repeats the rejected
    value): each quoted value masked, then any other ID or phone."""
    out = "" if text is None else str(text)
    for raw in sorted({r for r in raw_values if r and len(r.strip()) > 0}, key=len, reverse=True):
        out = out.replace(raw, mask_value(raw))
    return mask_text(out)
