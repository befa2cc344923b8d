"""The steering-committee workbook: sheets, Vietnamese headers, values (no formulas), frozen
and filtered header rows, colouring below target; it opens in openpyxl (and LibreOffice)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from baophu.reports.meeting_workbook import LEVEL_SHEETS, SUMMARY_SHEET, build_meeting_workbook

D = dt.date(2026, 10, 31)


def _unit(code: str, level: str, rate: float, target: float, population: int) -> dict[str, Any]:
    return {
        "unit_code": code,
        "unit_name": f"Đơn vị {code}",
        "level": level,
        "parent_code": "75" if level != "province" else None,
        "population": population,
        "bhyt_insured": round(population * rate),
        "bhyt_rate": rate,
        "bhyt_target_rate": target,
        "labour_force": population // 2,
        "compulsory_rate": 0.9,
        "compulsory_target_rate": 0.95,
    }


def _build(path: Path) -> Path:
    return build_meeting_workbook(
        path,
        province_name="Đồng Nai",
        reference_date=D,
        indicators=[
            {
                "name_vi": "Tỷ lệ bao phủ BHYT",
                "target_rate": 0.96,
                "target_people": 4_320_000,
                "achieved": 4_200_000,
                "achieved_rate": 0.9333,
                "gap": 120_000,
                "needed_per_week": 13_771,
                "needed_per_day": 1_968,
                "days_left": 61,
            }
        ],
        lowest_communes=[
            {
                "unit_code": "26311",
                "unit_name": "Xã Gia Kiệm",
                "population": 149,
                "bhyt_insured": 131,
                "bhyt_rate": 131 / 149,
            },
        ],
        levels={
            "province": [_unit("75", "province", 0.94, 0.96, 4_500_000)],
            "commune": [
                _unit("C1", "commune", 0.97, 0.96, 1000),
                _unit("C2", "commune", 0.90, 0.96, 800),
            ],
        },
    )


def test_sheets_headers_values_and_layout(tmp_path: Path) -> None:
    path = _build(tmp_path / "hop.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [SUMMARY_SHEET, *LEVEL_SHEETS.values()]
    summary = book[SUMMARY_SHEET]
    assert summary["A1"].value.startswith("BÁO CÁO TÌNH HÌNH")
    assert summary["A5"].value == "Chỉ tiêu" and summary["B5"].value == "Chỉ tiêu giao (tỷ lệ)"
    assert summary["C6"].value == 4_320_000 and summary["F6"].value == 120_000
    assert summary.freeze_panes == "B6"
    communes = book["Xã, phường"]
    header = [c.value for c in communes[1]]
    assert header[:3] == ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"]
    assert communes.freeze_panes == "C2"
    assert communes.auto_filter.ref.startswith("A1:")
    assert [communes.cell(r, 6).value for r in (2, 3)] == [0.97, 0.90]
    assert communes.cell(2, 6).number_format == "0.0%"
    # values, never formulas
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith("="))
    # the rate is coloured where it is below the target column
    rules = [r for cf in communes.conditional_formatting for r in cf.rules]
    formulas = [f for r in rules for f in r.formula]
    assert any("$F2<$G2" in f for f in formulas)


def test_from_the_marts(duckdb_workspace: Any, tiny_inputs: Path, tmp_path: Path) -> None:
    """The conftest province (five residents, nobody enrolled): the workbook still builds."""
    from baophu.ingest.importer import import_paths
    from baophu.reports.meeting_workbook import write_meeting_workbook

    with duckdb_workspace.store() as store:
        assert import_paths(store, [tiny_inputs], duckdb_workspace.rejects_dir).committed
        path = write_meeting_workbook(store, tmp_path / "hop.xlsx", reference_date=D)
    book = openpyxl.load_workbook(path)
    province = book["Tỉnh"]
    assert province["A2"].value == "75" and province["D2"].value == 5  # five residents
    assert book["Xã, phường"].max_row == 3  # header + two communes


@pytest.mark.libreoffice
def test_opens_in_libreoffice(tmp_path: Path) -> None:
    """LibreOffice (installed by `make test` when missing) opens the workbook and reads the
    summary sheet's figures back."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office is not None, "LibreOffice missing: `make test` installs libreoffice-calc-nogui"
    path = _build(tmp_path / "hop.xlsx")
    out = tmp_path / "out"
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    summary = (out / "hop.csv").read_text(encoding="utf-8")
    assert "Tỷ lệ bao phủ BHYT" in summary  # Vietnamese text survived, first sheet readable
    assert "4320000" in summary.replace(".", "").replace(",", "")  # the target, as a number
