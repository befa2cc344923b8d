"""The helpers every command shares (``baophu.commands.common``): the date and month of an
option, the operational database of a workspace, the cells and alignment of the tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from baophu.cli import app
from baophu.commands.common import (
    columns_table,
    failing_on,
    fmt_cell,
    operational_db,
    parse_date,
    parse_month,
    table_of,
)


def test_parse_date() -> None:
    assert parse_date(None) is None
    assert parse_date("2026-10-31") == dt.date(2026, 10, 31)
    assert parse_date(" 2024-02-29 ") == dt.date(2024, 2, 29)


def test_parse_date_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit):
        parse_date("31/10")
    err = " ".join(capsys.readouterr().err.split())
    assert "Ngày không hợp lệ: '31/10' (cần dạng YYYY-MM-DD)" in err
    assert "invalid date: '31/10' (expected YYYY-MM-DD)" in err


def test_parse_month() -> None:
    assert parse_month("2026-03") == dt.date(2026, 3, 1)
    assert parse_month(" 2026-3 ") == dt.date(2026, 3, 1)
    assert parse_month("2025-12-15") == dt.date(2025, 12, 1)


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_date, "31/10/2026"),
        (parse_date, "2025-02-29"),
        (parse_date, ""),
        (parse_month, "2026"),
        (parse_month, "2026-13"),
        (parse_month, "03/2026"),
    ],
)
def test_a_bad_date_or_month_ends_the_command_with_code_2(
    parse: Callable[[str], object], text: str
) -> None:
    with pytest.raises(typer.Exit) as exit_:
        parse(text)
    assert exit_.value.exit_code == 2


def test_fmt_cell() -> None:
    assert fmt_cell(1115590, "int") == "1.115.590"
    assert fmt_cell(0.943, "pct") == "94,3%"
    assert fmt_cell(dt.date(2026, 3, 5), "text") == "05/03/2026"
    assert fmt_cell(None, "text") == ""
    assert fmt_cell("Xã A", "text") == "Xã A"


def test_table_of_aligns_text_left_and_figures_right() -> None:
    table = table_of("T", ("Mã", "Tên", "Dân số", "#"), left=("Mã", "Tên"))
    assert [(c.header, c.justify) for c in table.columns] == [
        ("Mã", "left"),
        ("Tên", "left"),
        ("Dân số", "right"),
        ("#", "right"),
    ]
    table = table_of("T", ("Bước", "Giây"), right=("Giây",), show_lines=True)
    assert [c.justify for c in table.columns] == ["left", "right"]
    assert table.show_lines and table.title == "T"
    assert [c.justify for c in table_of(None, ("a", "b")).columns] == ["left", "left"]


def test_columns_table() -> None:
    columns = (("code", "Mã", "text"), ("people", "Dân số", "int"), ("rate", "Tỷ lệ", "pct"))
    rows = [{"code": "01", "people": 1234, "rate": 0.5}, {"code": "02", "people": None}]
    table = columns_table("T", columns, rows, style=lambda r: "red" if r["code"] == "02" else None)
    assert [c.justify for c in table.columns] == ["left", "right", "right"]
    assert [list(c.cells) for c in table.columns] == [["01", "02"], ["1.234", ""], ["50,0%", ""]]
    assert [r.style for r in table.rows] == [None, "red"]


def test_failing_on(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exit_, failing_on((KeyError, ValueError), 2):
        raise ValueError("Sai / wrong")
    assert exit_.value.exit_code == 2
    assert "Lỗi / Error: Sai / wrong" in capsys.readouterr().err
    with pytest.raises(TypeError), failing_on((KeyError,)):
        raise TypeError("not one of them")


def test_operational_db(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(ws)]).exit_code == 0
    with operational_db(ws) as db:
        db.audit("cli", "view", "test_object", rows=1)
    with pytest.raises(typer.Exit) as exit_, operational_db(ws, (LookupError,), code=2):
        raise KeyError("no such user")
    assert exit_.value.exit_code == 2
    with pytest.raises(typer.Exit) as exit_, operational_db(tmp_path / "none"):
        pass
    assert exit_.value.exit_code == 2
