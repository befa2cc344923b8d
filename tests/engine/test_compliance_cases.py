"""Arrears, interest and balances against hand-computed cases (every expected figure is worked
out in the comments, from the ledger and payments written below, not from the code).

The tiny province: the conftest units (office 75BH01, communes 26734 and 26735), one case
officer, and five employers, each a case:

* DVA — partial payments, a payment before the deadline, one payment spanning two months,
  an amount late at the reference date;
* DVB — overpayments: the credit settles the next months, a credit is left at the end;
* DVC — nothing paid: 4 months late, 3 of them more than 60 days after the deadline;
* DVE — a tiny amount whose monthly interest ends in .5 (rounded half-up);
* DVF — pays everything on time.

Dues are 32 % of the wage bill: with a bill of 31,250,000 the month's due is 10,000,000 =
BHXH 7,968,750 (25.5 %, of which the 0.5 % occupational fund is 156,250) + BHYT 1,406,250
(4.5 %) + BHTN 625,000 (2 %).  Reference date 31/12/2025; deadline of month m = last day of
m+1; the daily rate is 0.03 % throughout 2025 (the 2025-07-01 change keeps the figure).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest

from baophu.engine.compliance.run import run_compliance
from baophu.ingest.importer import import_paths
from baophu.rules import Rules
from pinned_rules import PARAMETERS

D = dt.date
REFERENCE = D(2025, 12, 31)

OFFICERS_CSV = """Mã cán bộ,Họ và tên,Mã BHXH cơ sở,Thư điện tử
CB01,Nguyễn Thị Lan,75BH01,lan@example.vn
"""
EMPLOYERS_CSV = """Mã đơn vị,Mã số thuế,Tên đơn vị,Loại hình sở hữu,Mã xã,Mã cán bộ chuyên quản,Vùng lương tối thiểu,Ngày đăng ký tham gia,Địa chỉ
DVA,3600000001,Công ty TNHH Ánh Dương,Ngoài nhà nước,26734,CB01,1,01/01/2020,Số 1 Lê Lợi
DVB,3600000002,Công ty Cổ phần Bình Minh,Ngoài nhà nước,26734,CB01,1,01/01/2020,Số 2 Lê Lợi
DVC,3600000003,Hợp tác xã Chậm Đóng,Hợp tác xã,26735,CB01,1,01/01/2020,Ấp 1 Phú Lý
DVE,3600000004,Hộ kinh doanh Nguyễn Văn Em,Hộ kinh doanh,26735,CB01,1,01/01/2020,Ấp 1 Phú Lý
DVF,3600000005,Công ty TNHH Đúng Hạn,Vốn đầu tư nước ngoài,26734,CB01,1,01/01/2020,Số 5 Lê Lợi
"""
_HEAD = "Mã đơn vị,Tháng,Số lao động,Quỹ lương đóng,Phải đóng BHXH,Phải đóng BHYT,Phải đóng BHTN,Tổng phải đóng\n"
_FULL = "5,31250000,7968750,1406250,625000,10000000"
LEDGER_CSV = (
    _HEAD
    + "".join(f"DVA,{m:02d}/2025,{_FULL}\n" for m in (7, 8, 9, 10))
    + "".join(f"DVB,{m:02d}/2025,{_FULL}\n" for m in (7, 8, 9, 10))
    + "".join(f"DVC,{m:02d}/2025,{_FULL}\n" for m in (7, 8, 9, 10))
    # 15,000 due for July: 46,875 × 32 %
    + "DVE,07/2025,1,46875,11953,2110,937,15000\n"
    + "".join(f"DVF,{m:02d}/2025,{_FULL}\n" for m in (7, 8, 9, 10, 11, 12))
)
PAYMENTS_CSV = """Số chứng từ,Mã đơn vị,Ngày nộp,Số tiền
A1,DVA,20/08/2025,10000000
A2,DVA,10/10/2025,4000000
A3,DVA,30/11/2025,16000000
B1,DVB,15/08/2025,15000000
B2,DVB,25/09/2025,5000000
B3,DVB,20/10/2025,12000000
B4,DVB,28/11/2025,9000000
F1,DVF,25/08/2025,10000000
F2,DVF,30/09/2025,10000000
F3,DVF,31/10/2025,10000000
F4,DVF,28/11/2025,10000000
F5,DVF,31/12/2025,10000000
F6,DVF,15/01/2026,10000000
"""


def write_case_inputs(folder: Path, units_csv: str) -> Path:
    """The hand-computed province as CSV files with Vietnamese headers."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(units_csv, encoding="utf-8")
    (folder / "officers.csv").write_text(OFFICERS_CSV, encoding="utf-8")
    (folder / "employers.csv").write_text(EMPLOYERS_CSV, encoding="utf-8")
    (folder / "contribution_ledger.csv").write_text(LEDGER_CSV, encoding="utf-8")
    (folder / "payments.csv").write_text(PAYMENTS_CSV, encoding="utf-8")
    return folder


def rules_with_rate_change() -> Rules:
    """The pinned parameter file, except that the daily rate becomes 0.05 % from 16/10/2025."""
    data = tomllib.loads(PARAMETERS.read_text(encoding="utf-8"))
    params = [p for p in data["param"] if p["key"] != "late_interest.daily_rate"]
    params += [
        {
            "key": "late_interest.daily_rate",
            "value": 0.0003,
            "effective_from": D(2016, 1, 1),
            "effective_to": D(2025, 10, 15),
            "source": "test",
        },
        {
            "key": "late_interest.daily_rate",
            "value": 0.0005,
            "effective_from": D(2025, 10, 16),
            "source": "test: a made-up change mid-period",
        },
    ]
    return Rules.from_mapping({"rule_version": "test.rate-change", "param": params})


UNITS_CSV = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
26735,Xã Phú Lý,commune,75BH01,xã,75
"""


@pytest.fixture(scope="module")
def case_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The case files in one folder (units as in the conftest's tiny province)."""
    return write_case_inputs(tmp_path_factory.mktemp("case") / "inputs", UNITS_CSV)


def new_workspace(root: Path, backend: str = "duckdb") -> Any:
    from baophu.workspace import Workspace, init_workspace

    init_workspace(root, backend=backend)  # type: ignore[arg-type]
    return Workspace.open(root)


def import_case(ws: Any, folder: Path) -> None:
    with ws.store() as store:
        result = import_paths(store, [folder], ws.rejects_dir)
    assert result.committed, result.error


def _rows(store: Any, mart: str, **where: Any) -> list[dict[str, Any]]:
    table = store.mart(mart)
    for key, value in where.items():
        table = table.filter(table[key] == value)
    return list(table.to_pyarrow().to_pylist())


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in rows}


@pytest.fixture(scope="module")
def case_store(case_inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The hand-computed province imported and computed at 31/12/2025 (DuckDB), shared by
    the tests that only read it."""
    ws = new_workspace(tmp_path_factory.mktemp("computed") / "ws")
    import_case(ws, case_inputs)
    with ws.store() as store:
        summary = run_compliance(store, REFERENCE)
        yield store, summary


@pytest.fixture(scope="module")
def scratch(case_inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The same province, imported once, for tests that recompute with other settings."""
    ws = new_workspace(tmp_path_factory.mktemp("scratch") / "ws")
    import_case(ws, case_inputs)
    return ws


def test_fifo_settlement_and_lateness_per_month(case_store: Any) -> None:
    store, _ = case_store
    a = _by(_rows(store, "employer_arrears", employer_code="DVA"), "month")
    # Payments up to 31/12: 10,000,000 + 4,000,000 + 16,000,000 = 30,000,000 settle the
    # oldest months first: July, August, September in full; October (10,000,000) unpaid.
    assert [a[D(2025, m, 1)]["paid_allocated"] for m in (7, 8, 9, 10)] == [10_000_000] * 3 + [0]
    assert [a[D(2025, m, 1)]["arrears"] for m in (7, 8, 9, 10)] == [0, 0, 0, 10_000_000]
    october = a[D(2025, 10, 1)]
    assert october["deadline"] == D(2025, 11, 30)
    assert october["is_late"] and october["late_since"] == D(2025, 12, 1)
    assert october["days_late"] == 31  # 31/12 − 30/11
    assert not october["is_evasion"]  # 31 days < 60
    # no ledger row for November and December: nothing due, the months still carry the
    # payments and interest of the calendar month
    assert a[D(2025, 11, 1)]["due_total"] == 0 and not a[D(2025, 11, 1)]["has_ledger"]


def test_scheme_split_with_the_occupational_fund(case_store: Any) -> None:
    store, _ = case_store
    july = _by(_rows(store, "employer_arrears", employer_code="DVA"), "month")[D(2025, 7, 1)]
    # due_bhxh 7,968,750 holds the 0.5 % occupational fund: 7,968,750 × 0.5 / 25.5 = 156,250
    assert july["due_bhtnld"] == 156_250
    assert july["due_bhxh_funds"] == 7_968_750 - 156_250
    assert (july["due_bhyt"], july["due_bhtn"], july["due_total"]) == (
        1_406_250,
        625_000,
        10_000_000,
    )


def test_interest_partial_payment_and_payment_spanning_months(case_store: Any) -> None:
    store, _ = case_store
    a = _by(_rows(store, "employer_arrears", employer_code="DVA"), "month")
    # August (10,000,000) is late from 01/10 (deadline 30/09):
    #   01/10–10/10: 10 days × 10,000,000 × 0.03 % = 30,000 (the payment day counts)
    #   11/10–31/10: 21 days ×  6,000,000 × 0.03 % = 37,800      → October 67,800
    assert a[D(2025, 10, 1)]["interest_in_month"] == 67_800
    # November: August's 6,000,000 for 30 days (paid on 30/11) = 54,000, and September
    # (late from 01/11) 10,000,000 for 30 days = 90,000                → 144,000
    assert a[D(2025, 11, 1)]["interest_in_month"] == 144_000
    # December: October (late from 01/12) 10,000,000 × 31 days × 0.03 % = 93,000
    assert a[D(2025, 12, 1)]["interest_in_month"] == 93_000
    assert [a[D(2025, m, 1)]["interest_in_month"] for m in (7, 8, 9)] == [0, 0, 0]


def test_monthly_statement_adds_up(case_store: Any) -> None:
    store, _ = case_store
    a = _by(_rows(store, "employer_arrears", employer_code="DVA"), "month")
    expected = {
        # month: (opening, due, paid, interest, closing, late amount at month end)
        7: (0, 10_000_000, 0, 0, 10_000_000, 0),
        8: (10_000_000, 10_000_000, 10_000_000, 0, 10_000_000, 0),
        9: (10_000_000, 10_000_000, 0, 0, 20_000_000, 0),
        # end of October: August (due 30/09) has 6,000,000 unpaid
        10: (20_000_000, 10_000_000, 4_000_000, 67_800, 26_067_800, 6_000_000),
        11: (26_067_800, 0, 16_000_000, 144_000, 10_211_800, 0),
        12: (10_211_800, 0, 0, 93_000, 10_304_800, 10_000_000),
    }
    for m, (opening, due, paid, interest, closing, late) in expected.items():
        row = a[D(2025, m, 1)]
        got = (
            row["opening_balance"],
            row["due_total"],
            row["paid_in_month"],
            row["interest_in_month"],
            row["closing_balance"],
            row["late_amount_end"],
        )
        assert got == (opening, due, paid, interest, closing, late), m


def test_balance_at_the_reference_date(case_store: Any) -> None:
    store, _ = case_store
    b = _by(_rows(store, "employer_balance"), "employer_code")
    dva = b["DVA"]
    # 40,000,000 due + 304,800 interest (67,800 + 144,000 + 93,000) − 30,000,000 paid
    assert (dva["due_total"], dva["paid_total"], dva["interest_total"]) == (
        40_000_000,
        30_000_000,
        304_800,
    )
    assert dva["balance"] == 10_304_800
    assert dva["late_amount"] == 10_000_000 and dva["months_late"] == 1
    assert dva["late_since"] == D(2025, 12, 1) and dva["days_late"] == 31
    assert dva["interest_outstanding"] == 304_800 and dva["credit"] == 0
    assert not dva["late_3plus"] and not dva["evasion_flag"]
    assert (dva["office_code"], dva["officer_name"]) == ("75BH01", "Nguyễn Thị Lan")


def test_overpayment_credit_carried_forward(case_store: Any) -> None:
    store, _ = case_store
    b = _by(_rows(store, "employer_balance"), "employer_code")["DVB"]
    # 15,000,000 on 15/08 pays July and 5,000,000 of August before its deadline; the rest
    # follows; 41,000,000 paid for 40,000,000 due: no month is late, no interest, and a
    # credit of 1,000,000 is carried forward
    assert (b["late_amount"], b["interest_total"], b["arrears"]) == (0, 0, 0)
    assert (b["balance"], b["credit"]) == (-1_000_000, 1_000_000)
    a = _by(_rows(store, "employer_arrears", employer_code="DVB"), "month")
    # closing balances: Jul 10M, Aug 10M+10M−15M = 5M, Sep 5M+10M−5M = 10M,
    # Oct 10M+10M−12M = 8M, Nov 8M−9M = −1M (credit), Dec −1M
    assert [a[D(2025, m, 1)]["closing_balance"] for m in range(7, 13)] == [
        10_000_000,
        5_000_000,
        10_000_000,
        8_000_000,
        -1_000_000,
        -1_000_000,
    ]


def test_three_months_late_and_evasion_after_60_days(case_store: Any) -> None:
    store, _ = case_store
    b = _by(_rows(store, "employer_balance"), "employer_code")["DVC"]
    # nothing paid: July (deadline 31/08, 122 days), August (30/09, 92 days),
    # September (31/10, 61 days), October (30/11, 31 days) are late
    assert b["months_late"] == 4 and b["late_3plus"]
    assert b["late_amount"] == 40_000_000
    # 60+ days after the deadline: July, August, September = 30,000,000
    assert b["evasion_amount"] == 30_000_000 and b["evasion_months"] == 3
    assert b["late_since"] == D(2025, 9, 1) and b["days_late"] == 122
    # interest: Sep 10M × 30 d = 90,000; Oct 20M × 31 d = 186,000; Nov 30M × 30 d = 270,000;
    # Dec 40M × 31 d = 372,000                                   → 918,000
    assert b["interest_total"] == 918_000


def test_interest_rounded_half_up_once_per_month(case_store: Any) -> None:
    store, _ = case_store
    a = _by(_rows(store, "employer_arrears", employer_code="DVE"), "month")
    # 15,000 late from 01/09: Sep 30 d × 4.5 = 135; Oct 31 d → 139.5 → 140 (half-up);
    # Nov 30 d → 135; Dec 31 d → 139.5 → 140
    assert [a[D(2025, m, 1)]["interest_in_month"] for m in (9, 10, 11, 12)] == [
        135,
        140,
        135,
        140,
    ]


def test_payment_before_the_deadline_and_after_the_reference_date(case_store: Any) -> None:
    store, _ = case_store
    b = _by(_rows(store, "employer_balance"), "employer_code")["DVF"]
    # every month paid by its deadline; the payment of 15/01/2026 is after the reference
    # date and does not count: December (due 31/01/2026) is owed but not late
    assert (b["late_amount"], b["interest_total"], b["paid_total"]) == (0, 0, 50_000_000)
    assert b["arrears"] == 10_000_000 and not b["is_late"]


def test_province_ratio_and_lists(case_store: Any) -> None:
    store, summary = case_store
    # late at 31/12: DVA 10,000,000 + DVC 40,000,000 + DVE 15,000 = 50,015,000;
    # due for 2025 (all months here are 2025): 40M × 3 + 15,000 + 60M = 180,015,000
    assert summary["late_amount"] == 50_015_000
    assert summary["due_ytd"] == 180_015_000
    assert summary["arrears_ratio"] == pytest.approx(50_015_000 / 180_015_000)
    assert summary["arrears_ratio_ceiling"] == 0.0255 and summary["above_ceiling"]
    assert summary["employers_late"] == 3 and summary["employers_late_3plus"] == 1
    tender = {r["employer_code"] for r in _rows(store, "tender_exclusion_list")}
    award = {r["employer_code"] for r in _rows(store, "award_exclusion_list")}
    disclosure = {r["employer_code"] for r in _rows(store, "disclosure_list")}
    # unpaid 60+ days after a deadline: DVC (July–September) and DVE (July, 122 days)
    assert tender == {"DVC", "DVE"}
    assert award == {"DVA", "DVC", "DVE"}  # late with any amount
    assert disclosure == {"DVC"}  # 3+ months late (no amount reaches 500,000,000)
    stamps = {m["mart"]: m for m in store.marts()}
    assert stamps["employer_balance"]["reference_date"] == "2025-12-31"
    assert stamps["employer_balance"]["state_id"] == store.state_id()


def test_trend_by_month_and_unit(case_store: Any) -> None:
    store, _ = case_store
    trend = _rows(store, "arrears_trend", dimension="province")
    by_month = _by(trend, "month")
    # end of October: DVA 6,000,000 (August) + DVC 20,000,000 (July, August) + DVE 15,000
    # (July) = 26,015,000
    assert by_month[D(2025, 10, 1)]["late_amount"] == 26_015_000
    # end of November: DVC July–September 30,000,000 (DVA is clear; DVE 15,000 late)
    assert by_month[D(2025, 11, 1)]["late_amount"] == 30_015_000
    assert by_month[D(2025, 11, 1)]["employers_late_3plus"] == 1  # DVC: Jul, Aug, Sep
    assert by_month[D(2025, 10, 1)]["employers_late_3plus"] == 0  # DVC: Jul, Aug only
    units = _rows(store, "arrears_by_unit", dimension="commune")
    communes = _by(units, "unit_code")
    assert communes["26735"]["late_amount"] == 40_015_000  # DVC + DVE
    assert communes["26734"]["employers_late"] == 1  # DVA


def test_evasion_threshold_is_60_days(scratch: Any) -> None:
    with scratch.store() as store:
        # DVC's September is due 31/10: 29/12 is 59 days later, 30/12 is 60
        run_compliance(store, D(2025, 12, 29), stages=("arrears",))
        before = _by(_rows(store, "employer_balance"), "employer_code")["DVC"]
        run_compliance(store, D(2025, 12, 30), stages=("arrears",))
        on = _by(_rows(store, "employer_balance"), "employer_code")["DVC"]
    assert before["evasion_amount"] == 20_000_000  # July and August only
    assert on["evasion_amount"] == 30_000_000  # September joins on the 60th day


def test_rate_change_mid_period(scratch: Any) -> None:
    with scratch.store() as store:
        run_compliance(store, REFERENCE, rules=rules_with_rate_change(), stages=("arrears",))
        a = _by(_rows(store, "employer_arrears", employer_code="DVA"), "month")
        stamps = {m["mart"]: m for m in store.marts()}
    assert stamps["employer_arrears"]["rule_version"] == "test.rate-change"
    assert {r["_rule_version"] for r in a.values()} == {"test.rate-change"}
    # October: 01–10/10 10,000,000 × 10 d × 0.03 % = 30,000; 11–15/10 6,000,000 × 5 d ×
    # 0.03 % = 9,000; 16–31/10 6,000,000 × 16 d × 0.05 % = 48,000        → 87,000
    assert a[D(2025, 10, 1)]["interest_in_month"] == 87_000
    # November at 0.05 %: (6,000,000 + 10,000,000) × 30 d = 240,000
    assert a[D(2025, 11, 1)]["interest_in_month"] == 240_000
    # December at 0.05 %: 10,000,000 × 31 d = 155,000
    assert a[D(2025, 12, 1)]["interest_in_month"] == 155_000


def test_nothing_after_the_reference_date_counts(scratch: Any) -> None:
    with scratch.store() as store:
        run_compliance(store, D(2025, 10, 31), stages=("arrears",))
        a = _by(_rows(store, "employer_arrears", employer_code="DVA"), "month")
        b = _by(_rows(store, "employer_balance"), "employer_code")["DVA"]
    assert max(a) == D(2025, 10, 1)
    # at 31/10 the payment of 30/11 has not happened: August 6,000,000 late (from 01/10),
    # September due 31/10 — not late yet; interest October 67,800 as above
    assert b["late_amount"] == 6_000_000 and b["paid_total"] == 14_000_000
    assert b["interest_total"] == 67_800


@pytest.mark.timeout(300)
def test_same_figures_on_both_backends(workspace: Any, case_inputs: Path) -> None:
    # the arrears stage (FIFO, interest, balances) on DuckDB and Spark; the other stages read
    # its marts with plain joins and aggregations (Spark: kept to one small run, Spark plans
    # the whole pipeline slowly)
    import_case(workspace, case_inputs)
    with workspace.store() as store:
        summary = run_compliance(store, REFERENCE, stages=("arrears",))
        b = _by(_rows(store, "employer_balance"), "employer_code")
        a = _by(_rows(store, "employer_arrears", employer_code="DVA"), "month")
    assert set(summary["marts"]) == {"employer_arrears", "employer_balance"}
    assert sum(r["late_amount"] for r in b.values()) == 50_015_000
    assert (b["DVA"]["balance"], b["DVB"]["credit"], b["DVC"]["interest_total"]) == (
        10_304_800,
        1_000_000,
        918_000,
    )
    assert (b["DVC"]["months_late"], b["DVC"]["evasion_amount"]) == (4, 30_000_000)
    assert [a[D(2025, m, 1)]["interest_in_month"] for m in (10, 11, 12)] == [
        67_800,
        144_000,
        93_000,
    ]
    assert a[D(2025, 10, 1)]["late_since"] == D(2025, 12, 1)
    assert a[D(2025, 10, 1)]["due_bhtnld"] == 156_250


def test_every_participant_group_has_a_vietnamese_label() -> None:
    """Budget reports name each group in Vietnamese, never by its code (the contract's list
    of groups is the reference, so a new group without a label fails here)."""
    from baophu.contracts.tables import PARTICIPANT_GROUPS
    from baophu.engine.compliance.budget import GROUP_VI

    missing = [g for g in PARTICIPANT_GROUPS if g not in GROUP_VI]
    assert missing == []
    assert GROUP_VI["survivor_allowance"] == "Người hưởng trợ cấp tuất hằng tháng"
