"""Vietnamese display formats: one rounding rule (half away from zero), one style."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from baophu.vn import formats


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.5, 3),  # Python's round() gives 2 (halves to even)
        (3.5, 4),
        (-2.5, -3),
        (0.5, 1),
        (2.4999, 2),
        (1115590.0, 1115590),
        (Decimal("7.5"), 8),
        ("12.5", 13),
    ],
)
def test_round_int_halves_away_from_zero(value: object, expected: int) -> None:
    assert formats.round_int(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (1115590, 0, "1.115.590"),
        (1115590.5, 0, "1.115.591"),  # the one that truncated (commands) or went to even (web)
        (2.5, 0, "3"),
        (1234.56, 1, "1.234,6"),
        (1.005, 2, "1,01"),  # a person's rounding, not binary floating point's 1,00
        (0.125, 2, "0,13"),
        (-1234, 0, "-1.234"),
        (-0.4, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (None, 0, ""),
    ],
)
def test_number(value: object, digits: int, expected: str) -> None:
    assert formats.number(value, digits) == expected


def test_percent_money_millions_rate() -> None:
    assert formats.percent(0.953) == "95,3%"
    assert formats.percent(0.02271, 2) == "2,27%"
    assert formats.percent(0.00125, 1) == "0,1%"
    assert formats.percent(0.0125, 1) == "1,3%"  # 1,25 → 1,3 (half away from zero)
    assert formats.percent(None) == ""
    assert formats.money(12_500_000) == "12.500.000 đ"
    assert formats.money(2_983_296.5) == "2.983.297 đ"
    assert formats.millions(39_600_000) == "39,6 tr"
    assert formats.millions(39_650_000) == "39,7 tr"
    assert formats.rate(0.0003) == "0,03%"
    assert formats.rate(0.0255) == "2,55%"
    assert formats.rate(0.175) == "17,5%"
    assert formats.rate(0.05) == "5%"
    assert formats.days(60) == "60 ngày"


def test_signed() -> None:
    assert formats.signed(-1234) == "−1.234"
    assert formats.signed(5) == "+5"
    assert formats.signed(0.4) == "0"
    assert formats.signed(-0.5) == "−1"
    assert formats.signed(None) == ""


def test_dates_and_months() -> None:
    assert formats.date(dt.date(2026, 12, 31)) == "31/12/2026"
    assert formats.date("2026-10-31") == "31/10/2026"
    assert formats.date(dt.datetime(2026, 1, 2, 8, 5)) == "02/01/2026 08:05"
    assert formats.date("không phải ngày") == "không phải ngày"
    assert formats.date(None) == ""
    assert formats.month(dt.date(2026, 10, 1)) == "10/2026"
    assert formats.month("2026-03") == "03/2026"
    assert formats.month("2026-03-31") == "03/2026"
    assert formats.month(None) == ""
