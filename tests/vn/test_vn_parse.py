"""Reading typed amounts and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from baophu.vn import parse


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.263.600", 1_263_600),
        ("1,263,600", 1_263_600),
        ("1 263 600", 1_263_600),
        ("1\u00a0263\u00a0600", 1_263_600),
        ("10_000_000", 10_000_000),
        (" 42 ", 42),
        (42, 42),
        (42.0, 42),
        (0, 0),
    ],
)
def test_whole_number(value: object, expected: int) -> None:
    assert parse.whole_number(value) == expected


@pytest.mark.parametrize(
    "value",
    ["12.5", "1.2.3", "1,263.600", "12.34", "-5", -5, 1.5, True, "", "abc", "١٢", None],
)
def test_whole_number_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse.whole_number(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/12/2025", dt.date(2025, 12, 31)),
        ("2025-12-31", dt.date(2025, 12, 31)),
        ("31-12-2025", dt.date(2025, 12, 31)),
        ("31.12.2025", dt.date(2025, 12, 31)),
        (dt.datetime(2025, 12, 31, 10, 0), dt.date(2025, 12, 31)),
        (dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
        ("31/02/2025", None),
        ("hôm qua", None),
        (None, None),
    ],
)
def test_day(value: object, expected: dt.date | None) -> None:
    assert parse.day(value) == expected


def test_cell_text() -> None:
    assert parse.cell_text(None) == ""
    assert parse.cell_text(12.0) == "12"
    assert parse.cell_text(12.5) == "12.5"
    assert parse.cell_text("  An ") == "An"
