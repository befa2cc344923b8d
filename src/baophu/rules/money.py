"""Whole-dong money arithmetic shared by the calculators: exact decimals and half-up rounding.

Rates come from the parameter file as binary floats (0.175 is not exact in binary), so every
calculation converts them with ``dec`` (through their shortest decimal text) and rounds once
with ``round_vnd`` — half-up to the whole dong, the rule stated in ``parameters.toml``.
The display of amounts and rates is ``baophu.vn.formats``'s.
"""

from __future__ import annotations

from decimal import Decimal

from baophu.rules.errors import RulesInputError
from baophu.vn.formats import exact, number, round_int


def dec(value: int | float | str | Decimal) -> Decimal:
    """An exact Decimal for a parameter or amount (floats go through their shortest repr)."""
    return exact(value)


def round_vnd(amount: Decimal) -> int:
    """Round a VND amount half-up to the whole dong (0.5 → 1, 2.5 → 3)."""
    return round_int(amount)


def check_amount(value: object, name_vi: str, name_en: str) -> int:
    """Check that ``value`` is a whole, non-negative number of dong and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesInputError(
            f"{name_vi} phải là số nguyên đồng, nhận {value!r}",
            f"{name_en} must be a whole number of dong, got {value!r}",
        )
    if value < 0:
        raise RulesInputError(
            f"{name_vi} không được âm: {number(value)}",
            f"{name_en} must not be negative: {value}",
        )
    return value
