"""``declared_workforce_gaps`` on a hand-built case, on DuckDB and PySpark: an employer's
D02-LT (written with the synthetic writer) against its contribution ledger and its tax
settlement; every expected figure is worked out by hand below."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from baophu.engine.declarations import MART_GAPS, run_declarations
from baophu.ingest.importer import import_paths
from baophu.synth.forms import Worker, write_d02lt

UNITS = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
"""
OFFICERS = """Mã cán bộ,Họ và tên,Mã BHXH cơ sở,Thư điện tử
CB01,Nguyễn Thị Lan,75BH01,lan@example.vn
"""
EMPLOYERS = """Mã đơn vị,Mã số thuế,Tên đơn vị,Loại hình sở hữu,Mã xã,Mã cán bộ chuyên quản,Vùng lương tối thiểu,Ngày đăng ký tham gia,Địa chỉ
DVA,3600000001,Công ty TNHH Ánh Dương,Ngoài nhà nước,26734,CB01,1,01/01/2020,Số 1 Lê Lợi
DVB,3600000002,Công ty Cổ phần Bình Minh,Ngoài nhà nước,26734,CB01,1,01/01/2020,Số 2 Lê Lợi
"""
# DVA pays for 2 workers and 12,000,000 of wages in October 2026; DVB pays for 1 worker
# (7,000,000) in October and nothing is in the ledger for it in September.
LEDGER = """Mã đơn vị,Tháng,Số lao động,Quỹ lương đóng,Phải đóng BHXH,Phải đóng BHYT,Phải đóng BHTN,Tổng phải đóng
DVA,10/2026,2,12000000,3000000,540000,240000,3780000
DVB,10/2026,1,7000000,1750000,315000,140000,2205000
"""
# DVA's settlements: 2024 and 2025 (the latest not after 2026: 2025, 5 workers, 360,000,000
# a year = 30,000,000 a month).  DVB has none.
TAX = """Mã số thuế,Năm quyết toán,Tên người nộp thuế,Số lao động,Quỹ tiền lương
3600000001,2024,Công ty TNHH Ánh Dương,4,300000000
3600000001,2025,Công ty TNHH Ánh Dương,5,360000000
"""


def _worker(name: str, pid: str, wage: int, **extra: Any) -> Worker:
    return Worker(name, None, "01/01/1990", "Nam", pid, "Công nhân", 3, wage, **extra)


def _inputs(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    (folder / "officers.csv").write_text(OFFICERS, encoding="utf-8")
    (folder / "employers.csv").write_text(EMPLOYERS, encoding="utf-8")
    (folder / "contribution_ledger.csv").write_text(LEDGER, encoding="utf-8")
    (folder / "tax_returns.csv").write_text(TAX, encoding="utf-8")
    dva = {
        "employer_code": "DVA",
        "employer_name": "Công ty TNHH Ánh Dương",
        "tax_code": "3600000001",
    }
    dvb = {
        "employer_code": "DVB",
        "employer_name": "Công ty Cổ phần Bình Minh",
        "tax_code": "3600000002",
    }
    # DVA lists 3 workers: 6,000,000 + 500,000 position allowance; 5,000,000 + 300,000 wage
    # allowance + 200,000 additional pay; 4,000,000.  Contribution wages 6,500,000,
    # 5,500,000, 4,000,000: a wage fund of 16,000,000.
    write_d02lt(
        folder / "D02-LT_DVA_2026-10.xlsx",
        dva,
        dt.date(2026, 10, 1),
        [
            _worker("Nguyễn Văn An", "075090000001", 6_000_000, allowance_position=500_000),
            _worker(
                "Trần Thị Bình",
                "075190000002",
                5_000_000,
                allowance_wage=300_000,
                additional_pay=200_000,
            ),
            _worker("Lê Văn Cường", "075090000003", 4_000_000),
        ],
    )
    # DVB lists 1 worker in October (7,000,000, as paid) and 1 in September (no ledger row).
    write_d02lt(
        folder / "D02-LT_DVB_2026-10.xlsx",
        dvb,
        dt.date(2026, 10, 1),
        [_worker("Phạm Văn Dũng", "075090000004", 7_000_000)],
    )
    write_d02lt(
        folder / "D02-LT_DVB_2026-09.xlsx",
        dvb,
        dt.date(2026, 9, 1),
        [_worker("Phạm Văn Dũng", "075090000004", 6_800_000)],
    )
    return folder


def test_gaps_by_hand(tmp_path: Path, workspace: Any) -> None:
    with workspace.store() as store:
        result = import_paths(store, [_inputs(tmp_path / "inputs")], workspace.rejects_dir)
        assert result.committed, result.error
        assert store.row_count("declared_workforce") == 5
        summary = run_declarations(store, dt.date(2026, 10, 31))
        rows = store.read_mart(MART_GAPS).to_pyarrow().to_pylist()
    by = {(r["employer_code"], str(r["period"])[:7]): r for r in rows}
    assert set(by) == {("DVA", "2026-10"), ("DVB", "2026-10"), ("DVB", "2026-09")}
    a = by[("DVA", "2026-10")]
    assert (a["declared_headcount"], a["ledger_headcount"], a["headcount_gap"]) == (3, 2, 1)
    assert (a["declared_wage_fund"], a["ledger_wage_fund"], a["wage_fund_gap"]) == (
        16_000_000,
        12_000_000,
        4_000_000,
    )
    assert (
        a["tax_year"],
        a["tax_headcount"],
        a["tax_monthly_payroll"],
        a["tax_headcount_gap"],
    ) == (
        2025,
        5,
        30_000_000,
        3,
    )
    b = by[("DVB", "2026-10")]
    assert (b["headcount_gap"], b["wage_fund_gap"], b["tax_year"]) == (0, 0, None)
    sep = by[("DVB", "2026-09")]
    assert sep["ledger_headcount"] is None and sep["ledger_wage_fund"] is None
    assert (sep["headcount_gap"], sep["wage_fund_gap"]) == (1, 6_800_000)
    assert (summary["rows"], summary["employers_listing_more_than_paid"]) == (3, 2)


def test_seniority_percentages(tmp_path: Path) -> None:
    """5,000,000 with 10 % + 5 % seniority and a 1,000,000 position allowance:
    5,000,000 + 750,000 + 1,000,000 = 6,750,000."""
    import ibis

    from baophu.engine.declarations import contribution_wage

    t = ibis.memtable(
        {
            "wage": [5_000_000],
            "allowance_position": [1_000_000],
            "seniority_over_frame_pct": [10.0],
            "seniority_job_pct": [5.0],
            "allowance_wage": [None],
            "additional_pay": [None],
        },
        schema={
            "wage": "int64",
            "allowance_position": "int64",
            "seniority_over_frame_pct": "float64",
            "seniority_job_pct": "float64",
            "allowance_wage": "int64",
            "additional_pay": "int64",
        },
    )
    assert t.select(w=contribution_wage(t)).to_pyarrow().column("w").to_pylist() == [6_750_000]


AGENTS = """Mã tổ chức dịch vụ thu,Tên tổ chức dịch vụ thu,Mã BHXH cơ sở
DL01,Bưu điện Biên Hòa,75BH01
"""
ENROLMENTS = """enrolment_id,person_id,si_code,full_name,sex,birth_date,scheme,participant_group,payer,employer_code,start_date,end_date,contribution_wage,enrol_province_code,hamlet_code,collector_code
E1,075090000001,,Nguyễn Văn An,male,1990-01-01,bhyt,household,household,,2026-01-01,,,75,,
E2,,7512345678,Trần Thị Bình,female,1990-01-01,bhyt,household,household,,2025-01-01,2025-12-31,,75,,
"""
# A: BHYT paid for Oct 2026 – Mar 2027, overlapping E1 → E1 (by personal ID).
# B: BHYT paid for Oct 2026, but Bình's only spell (E2, by SI code) ended in 2025 → none.
# C: voluntary BHXH for An: An has no voluntary spell → none.
# D: BHYT for Bình, December 2025 (one month) → E2 by SI code.
RECEIPTS = """agent_code,receipt_no,receipt_date,collector_code,school_code,person_id,si_code,full_name,scheme,amount,months,period_start,enrolment_id
DL01,A,2026-09-28,,,075090000001,,Nguyễn Văn An,bhyt,1263600,6,2026-10-01,
DL01,B,2026-09-28,,,,7512345678,Trần Thị Bình,bhyt,210600,1,2026-10-01,
DL01,C,2026-09-28,,,075090000001,,Nguyễn Văn An,bhxh_voluntary,990000,3,2026-10-01,
DL01,D,2025-11-28,,,,7512345678,Trần Thị Bình,bhyt,210600,1,2025-12-01,
"""
REGISTRATIONS = """submitter_code,dossier_no,submitted_date,row_no,full_name,birth_date,sex,nationality,ethnicity,si_code,person_id,household_code,amount,payment_method,hospital_code
DL01,HS1,2026-09-28,1,Nguyễn Văn An,1990-01-01,Nam,VN,01,,075090000001,,105300,12,75001
DL01,HS1,2026-09-28,2,Lê Văn Cường,1990-01-01,Nam,VN,01,,075090000009,,105300,12,75001
"""


def test_declared_enrolments_by_hand(tmp_path: Path, workspace: Any) -> None:
    from baophu.engine.declarations import MART_DECLARED_ENROLMENTS

    folder = tmp_path / "inputs"
    folder.mkdir()
    for name, text in (
        ("units.csv", UNITS),
        ("agents.csv", AGENTS),
        ("enrolments.csv", ENROLMENTS),
        ("agent_receipts.csv", RECEIPTS),
        ("registration_declarations_tk1-ts.csv", REGISTRATIONS),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    with workspace.store() as store:
        result = import_paths(store, [folder], workspace.rejects_dir)
        assert result.committed, result.error
        summary = run_declarations(store, dt.date(2026, 10, 31))
        rows = store.read_mart(MART_DECLARED_ENROLMENTS).to_pyarrow().to_pylist()
    got = {
        (r["source"], r["document_no"]): (
            r["matched_enrolment_id"],
            r["matched_by"],
            None if r["end_date"] is None else str(r["end_date"])[:10],
        )
        for r in rows
    }
    assert got == {
        ("receipt", "A"): ("E1", "person_id", "2027-03-31"),
        ("receipt", "B"): (None, None, "2026-10-31"),
        ("receipt", "C"): (None, None, "2026-12-31"),
        ("receipt", "D"): ("E2", "si_code", "2025-12-31"),
        ("registration", "HS1/1"): ("E1", "person_id", None),
        ("registration", "HS1/2"): (None, None, None),
    }
    assert summary["declared_enrolments"] == 6 and summary["declared_without_enrolment"] == 3
