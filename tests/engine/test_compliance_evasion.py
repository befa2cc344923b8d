"""Evasion signals on a hand-written province: every signal fires where it should, with its
points and a Vietnamese explanation, and stays silent where it should not.

Tax year 2024 (settled accounts), ledger January 2024 – March 2025, reference date
31/03/2025, region 1 (minimum wage 4,960,000 in 2024–2025).  Every employer pays each month
on the 15th of the next month, so no arrears signal fires.

* DVH honest: 10 workers all year, tax says 10, payroll fund 1.10 × the declared bill → 0;
* DVG headcount: declares 10, tax says 20 (gap 10 = 50 %: 50 points), payroll fund 2.2 × the
  declared bill (≥ 1.4: 40 points) → 90;
* DVW wages: 5 workers declared at exactly the minimum wage (15 points), payroll fund 2 × the
  bill (40 points) → 55;
* DVB wages, large: 100 workers declared at 10,000,000, payroll fund 1.5 × the bill (40
  points) → 40, but 112,000,000 a month at stake: first on the inspection list;
* DVD drop: 20 workers in 2024, 10 from January 2025, but only 2 compulsory spells ended
  (unexplained 8 ≥ 3 and ≥ 30 % of 20: 15 points);
* DVX drop explained: 20 → 10 with 10 spells ended → 0;
* 3600000099 in the registry (active) and with tax (12 workers), no employer → 70;
* 3600000098 active in the registry since 2023, no tax return, no employer → 30 (not flagged);
* 3600000097 dissolved, no employer → 0.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from baophu.engine.compliance.run import run_compliance
from baophu.ingest.importer import import_paths

D = dt.date
UNITS = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
75BH02,BHXH cơ sở Long Thành,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
26735,Xã Phú Lý,commune,75BH02,xã,75
"""
OFFICERS = """Mã cán bộ,Họ và tên,Mã BHXH cơ sở,Thư điện tử
CB01,Nguyễn Thị Lan,75BH01,
CB02,Trần Văn Hùng,75BH02,
"""
EMPLOYERS = """Mã đơn vị,Mã số thuế,Tên đơn vị,Loại hình sở hữu,Mã xã,Mã cán bộ chuyên quản,Vùng lương tối thiểu,Ngày đăng ký tham gia,Địa chỉ
DVH,3600000011,Công ty TNHH Trung Thực,Ngoài nhà nước,26734,CB01,1,01/01/2020,
DVG,3600000012,Công ty TNHH Giấu Người,Ngoài nhà nước,26734,CB01,1,01/01/2020,
DVW,3600000013,Công ty TNHH Lương Tối Thiểu,Ngoài nhà nước,26735,CB02,1,01/01/2020,
DVD,3600000014,Công ty TNHH Giảm Người,Ngoài nhà nước,26735,CB02,1,01/01/2020,
DVX,3600000015,Công ty TNHH Giảm Có Báo,Ngoài nhà nước,26735,CB02,1,01/01/2020,
DVB,3600000016,Công ty TNHH Lương Thấp Lớn,Ngoài nhà nước,26734,CB01,1,01/01/2020,
"""
TAX = """Mã số thuế,Năm quyết toán,Tên người nộp thuế,Số lao động,Quỹ tiền lương
3600000011,2024,Công ty TNHH Trung Thực,10,1320000000
3600000012,2024,Công ty TNHH Giấu Người,20,2640000000
3600000013,2024,Công ty TNHH Lương Tối Thiểu,5,595200000
3600000014,2024,Công ty TNHH Giảm Người,20,2400000000
3600000015,2024,Công ty TNHH Giảm Có Báo,20,2400000000
3600000016,2024,Công ty TNHH Lương Thấp Lớn,100,18000000000
3600000099,2024,Công ty TNHH Chưa Đăng Ký,12,1200000000
"""
REGISTRY = """Mã số doanh nghiệp,Tên doanh nghiệp,Ngày đăng ký,Tình trạng,Loại hình,Mã xã,Địa chỉ,Người đại diện pháp luật
3600000011,Công ty TNHH Trung Thực,01/01/2019,Đang hoạt động,Ngoài nhà nước,26734,,
3600000099,Công ty TNHH Chưa Đăng Ký,01/06/2022,Đang hoạt động,Ngoài nhà nước,26735,,
3600000098,Công ty TNHH Mới Mở,01/06/2023,Đang hoạt động,Ngoài nhà nước,26734,,
3600000097,Công ty TNHH Đã Giải Thể,01/06/2015,Giải thể,Ngoài nhà nước,26734,,
"""
WAGE = 10_000_000  # every declared wage, except DVW's (the minimum, 4,960,000)
MONTHS = [D(2024, m, 1) for m in range(1, 13)] + [D(2025, m, 1) for m in (1, 2, 3)]


def _heads(code: str, month: dt.date) -> tuple[int, int]:
    """Declared headcount and wage bill of each employer in each month."""
    if code == "DVW":
        return 5, 5 * 4_960_000
    if code in ("DVD", "DVX"):
        heads = 20 if month.year == 2024 else 10
        return heads, heads * WAGE
    if code == "DVB":
        return 100, 100 * WAGE
    return 10, 10 * WAGE


def write_inputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("units.csv", UNITS),
        ("officers.csv", OFFICERS),
        ("employers.csv", EMPLOYERS),
        ("tax_returns.csv", TAX),
        ("business_registry.csv", REGISTRY),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    ledger = []
    payments = []
    for code in ("DVH", "DVG", "DVW", "DVD", "DVX", "DVB"):
        for month in MONTHS:
            heads, bill = _heads(code, month)
            bhxh, bhyt, bhtn = bill * 255 // 1000, bill * 45 // 1000, bill * 2 // 100
            ledger.append(
                f"{code},{month:%m/%Y},{heads},{bill},{bhxh},{bhyt},{bhtn},{bhxh + bhyt + bhtn}"
            )
            nxt = D(month.year + month.month // 12, month.month % 12 + 1, 15)
            if nxt <= D(2025, 3, 31):
                payments.append(f"P{code}{month:%Y%m},{code},{nxt:%d/%m/%Y},{bhxh + bhyt + bhtn}")
    (folder / "contribution_ledger.csv").write_text(
        "Mã đơn vị,Tháng,Số lao động,Quỹ lương đóng,Phải đóng BHXH,Phải đóng BHYT,"
        "Phải đóng BHTN,Tổng phải đóng\n" + "\n".join(ledger) + "\n",
        encoding="utf-8",
    )
    (folder / "payments.csv").write_text(
        "Số chứng từ,Mã đơn vị,Ngày nộp,Số tiền\n" + "\n".join(payments) + "\n", encoding="utf-8"
    )
    # compulsory spells that ended in the 12 months before the reference date: 2 at DVD,
    # 10 at DVX (enrolments written with the canonical names, as Parquet)
    ended = [("DVD", i) for i in range(2)] + [("DVX", i) for i in range(10)]
    n = len(ended)
    pq.write_table(
        pa.table(
            {
                "enrolment_id": [f"QT{code}{i}" for code, i in ended],
                "person_id": [None] * n,
                "si_code": [f"75{i:08d}" for i in range(n)],
                "full_name": ["Nguyễn Văn A"] * n,
                "sex": ["male"] * n,
                "birth_date": [D(1990, 1, 1)] * n,
                "scheme": ["bhxh_compulsory"] * n,
                "participant_group": ["employee"] * n,
                "payer": ["employer"] * n,
                "employer_code": [code for code, _ in ended],
                "start_date": [D(2020, 1, 1)] * n,
                "end_date": [D(2024, 12, 31)] * n,
                "contribution_wage": [WAGE] * n,
                "enrol_province_code": ["75"] * n,
                "hamlet_code": [None] * n,
                "collector_code": [None] * n,
            },
            schema=pa.schema(
                [
                    ("enrolment_id", pa.string()),
                    ("person_id", pa.string()),
                    ("si_code", pa.string()),
                    ("full_name", pa.string()),
                    ("sex", pa.string()),
                    ("birth_date", pa.date32()),
                    ("scheme", pa.string()),
                    ("participant_group", pa.string()),
                    ("payer", pa.string()),
                    ("employer_code", pa.string()),
                    ("start_date", pa.date32()),
                    ("end_date", pa.date32()),
                    ("contribution_wage", pa.int64()),
                    ("enrol_province_code", pa.string()),
                    ("hamlet_code", pa.string()),
                    ("collector_code", pa.string()),
                ]
            ),
        ),
        folder / "enrolments.parquet",
    )
    return folder


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from baophu.workspace import Workspace, init_workspace

    tmp = tmp_path_factory.mktemp("evasion")
    init_workspace(tmp / "ws")
    ws = Workspace.open(tmp / "ws")
    folder = write_inputs(tmp / "inputs")
    with ws.store() as store:
        result = import_paths(store, [folder], ws.rejects_dir)
        assert result.committed, result.error
        summary = run_compliance(store, D(2025, 3, 31))
        rows = store.mart("evasion_scores").to_pyarrow().to_pylist()
        inspection = store.mart("inspection_list").to_pyarrow().to_pylist()
    return {
        "summary": summary,
        "by_key": {r["entity_key"]: r for r in rows},
        "inspection": inspection,
    }


def test_honest_employer_scores_nothing(scores: dict[str, Any]) -> None:
    h = scores["by_key"]["DVH"]
    assert h["total_score"] == 0 and not h["flagged"]
    assert h["tax_headcount"] == 10 and h["si_headcount"] == pytest.approx(10.0)
    assert h["payroll_gap_value"] == pytest.approx(1.1)  # bonuses: not a signal
    assert h["explanation"] == ""


def test_headcount_and_payroll_gaps(scores: dict[str, Any]) -> None:
    g = scores["by_key"]["DVG"]
    # tax 20 vs declared 10: gap 10 people, 50 % → 50 points
    assert g["headcount_gap_value"] == pytest.approx(10.0)
    assert g["headcount_gap_share"] == pytest.approx(0.5)
    assert g["headcount_gap_points"] == 50
    # 2,640,000,000 ÷ (100,000,000 × 12) = 2.2 → 40 points
    assert g["payroll_gap_value"] == pytest.approx(2.2)
    assert g["payroll_gap_points"] == 40
    assert g["total_score"] == 90 and g["flagged"] and g["rank"] == 2
    assert "Quyết toán thuế năm 2024 có 20 lao động" in g["explanation"]
    assert "gấp 2,2 lần" in g["explanation"]
    # at stake: (2,640,000,000 − 1,200,000,000) ÷ 12 × 32 % = 38,400,000 a month
    assert g["estimated_monthly_shortfall"] == 38_400_000


def test_wages_bunched_at_the_minimum(scores: dict[str, Any]) -> None:
    w = scores["by_key"]["DVW"]
    assert w["minimum_wage"] == 4_960_000 and w["minimum_wage_value"] == pytest.approx(1.0)
    assert w["minimum_wage_points"] == 15
    # 595,200,000 ÷ (24,800,000 × 12) = 2.0 → 40
    assert w["payroll_gap_points"] == 40 and w["total_score"] == 55
    assert "lương tối thiểu vùng 1" in w["explanation"]


def test_headcount_drop_without_terminations(scores: dict[str, Any]) -> None:
    d, x = scores["by_key"]["DVD"], scores["by_key"]["DVX"]
    # 20 → 10, 2 spells ended: 8 unexplained → 15 points; DVX: 10 ended → explained
    assert (d["headcount_drop_value"], d["terminations"], d["headcount_drop_points"]) == (
        10,
        2,
        15,
    )
    assert (x["headcount_drop_value"], x["terminations"], x["headcount_drop_points"]) == (
        10,
        10,
        0,
    )
    assert "chỉ có 2 người báo giảm" in d["explanation"]


def test_unregistered_businesses_have_no_employer_code(scores: dict[str, Any]) -> None:
    u = scores["by_key"]["MST:3600000099"]
    assert u["employer_code"] is None and not u["registered"]
    assert u["unregistered_points"] == 70 and u["flagged"]
    assert (u["office_code"], u["commune_name"]) == ("75BH02", "Xã Phú Lý")
    assert "chưa đăng ký tham gia BHXH" in u["explanation"]
    silent = scores["by_key"]["MST:3600000098"]
    assert silent["unregistered_points"] == 30 and not silent["flagged"]
    assert scores["by_key"]["MST:3600000097"]["total_score"] == 0  # dissolved
    assert "MST:3600000011" not in scores["by_key"]  # registered: scored as DVH


def test_inspection_list_ranked_per_office(scores: dict[str, Any]) -> None:
    rows = scores["inspection"]
    listed = {(r["office_code"], r["office_list_rank"]): r["entity_key"] for r in rows}
    # by the contributions at stake: 75BH01: DVB (40 points, 112.0 million a month), DVG (90,
    # 35.2 million); 75BH02: unregistered (70, 32.0 million), then DVW (55, 6.7 million)
    assert listed == {
        ("75BH01", 1): "DVB",
        ("75BH01", 2): "DVG",
        ("75BH02", 1): "MST:3600000099",
        ("75BH02", 2): "DVW",
    }
    top = scores["summary"]["inspection_top"]
    assert [r["employer_code"] for r in top] == ["DVB", "DVG", None, "DVW"]


def test_contributions_evaded_by_kind(scores: dict[str, Any]) -> None:
    """Monthly contributions evaded (32 % of the wages kept out), each kind on its own."""
    by = scores["by_key"]
    g = by["DVG"]
    # 10 hidden workers × 2,640,000,000 ÷ 20 ÷ 12 = 110,000,000 → 35,200,000; the payroll
    # left (220 − 110 million) is under 1.15 × the declared 100 million: no wage part
    assert (g["evaded_headcount"], g["evaded_wage"], g["evaded_unregistered"]) == (
        35_200_000,
        0,
        0,
    )
    assert g["estimated_monthly_evaded"] == 35_200_000
    assert g["evasion_kind"] == "under_declared_headcount"
    # DVW: 49,600,000 − 1.15 × 24,800,000 = 21,080,000 → 6,745,600
    w = by["DVW"]
    assert (w["evaded_wage"], w["estimated_monthly_evaded"]) == (6_745_600, 6_745_600)
    assert w["evasion_kind"] == "under_declared_wage"
    # DVB: 1,500,000,000 − 1.15 × 1,000,000,000 = 350,000,000 → 112,000,000
    b = by["DVB"]
    assert (b["total_score"], b["flagged"]) == (40, True)
    assert (b["evaded_wage"], b["evasion_kind"]) == (112_000_000, "under_declared_wage")
    # unregistered with 12 workers: 1,200,000,000 ÷ 12 → 32,000,000
    u = by["MST:3600000099"]
    assert (u["evaded_unregistered"], u["evasion_kind"]) == (32_000_000, "unregistered")
    # nothing estimated without a signal (DVH: payroll 1.1 × the bill) or without tax data
    assert by["DVH"]["estimated_monthly_evaded"] == 0 and by["DVH"]["evasion_kind"] is None
    assert by["MST:3600000098"]["estimated_monthly_evaded"] == 0


def test_ranked_by_money_at_stake(scores: dict[str, Any]) -> None:
    """Flagged first by money (DVB 40 points outranks DVG 90), then the others by score."""
    ranks = {k: r["rank"] for k, r in scores["by_key"].items()}
    assert [k for k, _ in sorted(ranks.items(), key=lambda kv: kv[1])][:6] == [
        "DVB",
        "DVG",
        "MST:3600000099",
        "DVW",
        "MST:3600000098",
        "DVD",
    ]
