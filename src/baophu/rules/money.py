"""Whole-dong money arithmetic shared by the calculators: exact decimals and half-up rounding.

Rates come from the parameter file as binary floats (0.175 is not exact in binary), so every
calculation converts them with ``dec`` (through their shortest decimal text) and rounds once
with ``round_vnd`` — half-up to the whole dong, the rule stated in ``parameters.toml``.
Also the Vietnamese display of amounts (``1.234.567 ₫``) and of percentages (``0,03 %``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from baophu.rules.errors import RulesInputError


def dec(value: int | float | str | Decimal) -> Decimal:
    """An exact Decimal for a parameter or amount (floats go through their shortest repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_vnd(amount: Decimal) -> int:
    """Round a VND amount half-up to the whole dong (0.5 → 1, 2.5 → 3)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_vnd(amount: int) -> str:
    """Vietnamese display of an amount: dot as thousands separator, ``1.234.567 ₫``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} ₫".replace(",", ".")


def format_number(amount: int) -> str:
    """Vietnamese thousands grouping without the currency sign: ``1.234.567``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".")


def format_percent(rate: float) -> str:
    """Vietnamese display of a rate, decimal comma: 0.0003 → ``0,03 %``, 0.175 → ``17,5 %``."""
    text = format(dec(rate) * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} %"


def check_amount(value: object, name_vi: str, name_en: str) -> int:
    """Check that ``value`` is a whole, non-negative number of dong and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesInputError(
            f"{name_vi} phải là số nguyên đồng, nhận {value!r}",
            f"{name_en} must be a whole number of dong, got {value!r}",
        )
    if value < 0:
        raise RulesInputError(
            f"{name_vi} không được âm: {format_number(value)}",
            f"{name_en} must not be negative: {value}",
        )
    return value
