"""Export cells: values a spreadsheet would evaluate are written as text."""

from __future__ import annotations

import pytest

from baophu.vn.cells import csv_row, text_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+84901234567", "'+84901234567"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Công ty TNHH An Bình", "Công ty TNHH An Bình"),
        ("079201001234", "079201001234"),
        (None, ""),
        (12, "12"),
    ],
)
def test_text_cell(value: object, expected: str) -> None:
    assert text_cell(value) == expected


def test_csv_row_escapes_each_value() -> None:
    assert csv_row(["=1+1", "An", None]) == ["'=1+1", "An", ""]
