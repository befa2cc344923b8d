"""The collector's work sheet read back with openpyxl, and the outcome round trip: a workbook
edited as a collector would (outcomes chosen, a date, an amount, one bad row), imported all or
nothing, corrected, imported, and seen again on the lists and in the achievement."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from baophu.cli import app
from potential_hand import M2, M3, PEOPLE, D, fill_work_sheet, pid

runner = CliRunner()
HEADERS = [
    "STT",
    "Mã dòng",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số định danh",
    "Mã hộ",
    "Địa chỉ",
    "Lý do vận động",
    "Ưu tiên",
    "Số tiền phải đóng (đồng)",
    "Kỳ",
    "Điện thoại",
    "Lần liên hệ trước",
    "Kết quả",
    "Ngày liên hệ",
    "Số tiền đã thu (đồng)",
    "Ghi chú",
]


@pytest.fixture
def ws(hand_workspace: Any) -> Any:
    """A fresh copy of the session's hand-made commune (outcomes written stay there)."""
    return hand_workspace


def _sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    book = load_workbook(path)
    ws = book[sheet]
    rows = list(ws.iter_rows(min_row=6, values_only=True))
    return [dict(zip(HEADERS, r, strict=True)) for r in rows if r[0] is not None]


def test_collector_workbook_layout(ws: Any, tmp_path: Path) -> None:
    from baophu.reports.collector_workbook import write_owner_workbook

    with ws.store() as store:
        written = write_owner_workbook(store, "collector", "NVT01", tmp_path / "out")
    assert written is not None
    path = written["path"]
    book = load_workbook(path)
    assert book.sheetnames == ["Khu phố 1", "Thông tin"]
    sheet = book["Khu phố 1"]
    assert [c.value for c in sheet[5]] == HEADERS
    assert sheet["A1"].value == "DANH SÁCH TIỀM NĂNG THAM GIA BHYT, BHXH TỰ NGUYỆN"
    assert "Nguyễn Thị Thu (NVT01)" in sheet["A2"].value
    assert "31/10/2026" in sheet["A3"].value
    assert sheet.freeze_panes == "D6"
    assert sheet.auto_filter.ref.startswith("A5:R")
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.print_title_rows == "$5:$5"
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == (
        '"Đã liên hệ,Hẹn tham gia,Đã tham gia,Từ chối,Chuyển đi,Đã mất,Sai thông tin"'
    )
    assert str(lists[0].sqref).startswith("O6:O")
    rows = _sheet_rows(path, "Khu phố 1")
    # one household (H1): its members by priority (B due and F lapsed: 1; G new state group,
    # C and E pupils: 2; A only in the voluntary pool: 5), then oldest first
    names = [r["Họ và tên"] for r in rows]
    assert names == [PEOPLE[k][1] for k in ("B", "F", "G", "C", "E", "A")]
    b = next(r for r in rows if r["Số định danh"] == pid("B"))
    assert b["Mã dòng"] == pid("B") and b["Ưu tiên"] == "1 - Gấp"
    assert b["Ngày sinh"] == dt.datetime(1982, 3, 1)
    assert b["Số tiền phải đóng (đồng)"] == M2 and b["Kỳ"] == "năm"
    assert b["Lý do vận động"].split("\n")[0].startswith("Thẻ BHYT hết hạn ngày 15/11/2026")
    assert b["Mã hộ"] == "H1" and b["Địa chỉ"] == "12 Lê Lợi" and b["Giới tính"] == "Nữ"
    a = next(r for r in rows if r["Số định danh"] == pid("A"))
    assert a["Điện thoại"] == "0912345678"
    for r in rows:
        assert r["Kết quả"] is None and r["Ngày liên hệ"] is None
    info = {r[0]: r[1] for r in book["Thông tin"].iter_rows(values_only=True) if r[0]}
    assert info["Mã người phụ trách"] == "NVT01" and info["Số liệu đến ngày"] == "31/10/2026"


def test_commune_workbooks_and_audit(ws: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "lists",
            "workbooks",
            "--commune",
            "26734",
            "--out",
            str(out),
            "-w",
            str(ws.root),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    import json

    files = json.loads(result.stdout)["files"]
    names = sorted(Path(f["path"]).name for f in files)
    assert names == ["danh_sach_26734.xlsx", "danh_sach_NVT01.xlsx"]
    commune = next(f for f in files if f["path"].endswith("danh_sach_26734.xlsx"))
    rows = _sheet_rows(Path(commune["path"]), load_workbook(commune["path"]).sheetnames[0])
    assert [r["Họ và tên"] for r in rows] == ["Lê Văn Xuân"]  # the unidentified pupil
    from sqlalchemy import select

    from baophu.operational import AuditEvent, open_operational

    db = open_operational(ws)
    with db.session() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalars()
        logged = {(e.object, e.unit_code, e.rows) for e in events}
    db.dispose()
    assert ("potential_list", "26734", 6) in logged
    assert ("potential_list", "26734", 1) in logged


@pytest.mark.slow  # left out of make test-fast (seconds of work)
def test_outcome_round_trip(ws: Any, tmp_path: Path) -> None:
    from baophu.engine.potential.run import run_lists
    from baophu.fieldwork import achievement, import_outcomes, latest_outcomes, operational
    from baophu.reports.collector_workbook import write_owner_workbook

    today = dt.date(2026, 11, 20)
    with ws.store() as store:
        written = write_owner_workbook(store, "collector", "NVT01", tmp_path / "out")
    assert written is not None
    path = written["path"]
    rows = _sheet_rows(path, "Khu phố 1")
    line = {r["Mã dòng"]: 6 + i for i, r in enumerate(rows)}
    good = {
        pid("B"): ("Đã tham gia", dt.datetime(2026, 11, 5), None),  # renews: listed amount
        pid("F"): ("Đã tham gia", "06/11/2026", 758_160),
        pid("A"): ("Đã liên hệ", dt.datetime(2026, 11, 2), None),
        pid("C"): ("Hẹn tham gia", dt.datetime(2026, 11, 3), None),
    }
    bad = {**good, pid("E"): ("Không rõ", "32/13/2026", -5)}
    edited = fill_work_sheet(path, bad)
    with ws.store() as store:
        result = import_outcomes(ws, store, edited, username="nvt01", today=today)
    assert result["status"] == "rejected" and result["rows"] == 0
    with open(result["rejects_path"], encoding="utf-8-sig") as fh:
        rejects = list(csv.DictReader(fh))
    assert {r["Tệp / File"] for r in rejects} == {edited.name}
    by_column = {r["Cột / Column"]: r for r in rejects}
    assert set(by_column) == {
        "Kết quả (trang Khu phố 1)",
        "Ngày liên hệ (trang Khu phố 1)",
        "Số tiền đã thu (đồng) (trang Khu phố 1)",
    }
    assert all(r["Dòng / Row"] == str(line[pid("E")]) for r in rejects)
    assert "Không rõ" in by_column["Kết quả (trang Khu phố 1)"]["Lý do"]
    assert "Outcome not in the list" in by_column["Kết quả (trang Khu phố 1)"]["Reason"]
    db = operational(ws)
    assert latest_outcomes(db).num_rows == 0  # all or nothing: not one outcome written
    db.dispose()

    fixed = fill_work_sheet(path, good)
    with ws.store() as store:
        result = import_outcomes(ws, store, fixed, username="nvt01", today=today)
        again = import_outcomes(ws, store, fixed, username="nvt01", today=today)
    assert result["status"] == "imported" and result["rows"] == 4
    assert result["by_outcome"] == {"contacted": 1, "promised": 1, "enrolled": 2}
    assert again["status"] == "already_imported"
    db = operational(ws)
    outcomes = latest_outcomes(db)
    last = {r["row_key"]: r for r in outcomes.to_pylist()}
    assert last[pid("F")]["last_outcome"] == "enrolled"
    assert last[pid("F")]["last_outcome_date"] == dt.date(2026, 11, 6)
    db.dispose()

    # the lists show the last outcome; people enrolled in the field leave the work sheet
    with ws.store() as store:
        run_lists(store, D, outcomes=outcomes)
        lst = store.read_mart("potential_list").to_pyarrow().to_pylist()
        status = {r["person_id"]: r["status"] for r in lst if r["person_id"]}
        assert status[pid("C")] == "promised" and status[pid("A")] == "contacted"
        assert status[pid("F")] == "enrolled" and status[pid("E")] == "open"
        again_written = write_owner_workbook(store, "collector", "NVT01", tmp_path / "again")
        assert again_written is not None
        names = [r["Họ và tên"] for r in _sheet_rows(again_written["path"], "Khu phố 1")]
        assert PEOPLE["F"][1] not in names and PEOPLE["B"][1] not in names
        c = next(
            r
            for r in _sheet_rows(again_written["path"], "Khu phố 1")
            if r["Số định danh"] == pid("C")
        )
        assert c["Lần liên hệ trước"] == "Hẹn tham gia (03/11/2026)"
        # a second run keeps the history of contacts
        run_lists(store, D, outcomes=outcomes)
        db = operational(ws)
        got = achievement(db, store, 2026, collector="NVT01", on=today)
        db.dispose()
    nvt = got["collectors"][0]
    assert (nvt["approached"], nvt["enrolled"]) == (4, 2)
    assert nvt["amount_collected"] == M2 + M3  # 884,520 + 758,160 = 1,642,680
    assert nvt["commission"] == 82_134  # 5 % of 1,642,680
    assert got["commission_status"] == "placeholder"


def test_cli_lists_masks_ids_and_counts(ws: Any) -> None:
    import json

    result = runner.invoke(app, ["lists", "-w", str(ws.root), "--json", "--top", "50"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    counts = {b["reason"]: b["persons"] for b in report["by_reason"]}
    assert counts["subsidy_ending"] == 4 and counts["pupil_unidentified"] == 1
    for r in report["top"]:
        if r["person_id"]:
            assert r["person_id"].startswith("********") and len(r["person_id"]) == 12
    assert pid("B") not in result.stdout
    args = ["lists", "-w", str(ws.root), "--reason", "lapsed_bhyt", "--commune", "26735"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "lapsed_bhyt" in result.stdout and pid("S") not in result.stdout
    report = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert [(b["reason"], b["persons"]) for b in report["by_reason"]] == [("lapsed_bhyt", 1)]
    top = report["top"][0]
    assert top["person_id"] == "********" + pid("S")[-4:]
    assert top["explanation"].startswith("Dừng tham gia BHYT từ ngày 01/09/2026")
    bad = runner.invoke(app, ["lists", "-w", str(ws.root), "--reason", "nothing"])
    assert bad.exit_code == 2
    achieved = runner.invoke(app, ["lists", "achievement", "-w", str(ws.root), "--json"])
    assert achieved.exit_code == 0, achieved.output


def test_sheets_by_hamlet_in_code_order_with_no_hamlet_last() -> None:
    from baophu.reports.collector_workbook import Sheet, sheets_by_hamlet

    rows = [
        {"row_key": "a", "hamlet_code": "H2", "hamlet_name": "Ấp 2", "priority": 2},
        {"row_key": "b", "hamlet_code": None, "commune_name": "Xã Tân An", "priority": 1},
        {"row_key": "c", "hamlet_code": "H1", "hamlet_name": "Ấp 1", "priority": 1},
        {"row_key": "d", "hamlet_code": "H2", "hamlet_name": "Ấp 2", "priority": 1},
    ]
    a, b, c, d = rows
    assert sheets_by_hamlet(rows) == [
        Sheet(code="H1", name="Ấp 1", rows=[c]),
        Sheet(code="H2", name="Ấp 2", rows=[d, a]),  # priority 1 before 2
        Sheet(code="", name="Xã Tân An", rows=[b]),
    ]
