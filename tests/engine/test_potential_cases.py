"""The potential lists on a hand-made commune: every value below was worked out by hand from
the law's figures (base salary 2,340,000; household BHYT 4.5 %: member 1 pays 105,300 a
month, the 2nd 70 %, 3rd 60 %, 4th 50 %, 5th and later 40 % of it; budget support 70 % for
near-poor, 50 % for pupils; voluntary BHXH 22 % of the chosen income less 22 % × 1,500,000 ×
50 / 40 / 30 / 20 % for poor / near-poor / ethnic minority / others), not by running the
code under test.  One test runs the same commune on PySpark.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from potential_hand import M2, M3, M4, M5, NEAR_POOR, PEOPLE, STUDENT, YEAR, D, build, pid

# reason → {person: amount}
EXPECTED: dict[str, dict[str, int]] = {
    "due_bhyt": {"B": M2},
    "due_voluntary": {"Q": 440_000 - 99_000},
    "subsidy_ending": {"K": YEAR, "L": M2, "M": M3, "P": M3},
    "lapsed_bhyt": {"F": M3, "S": M5},
    "lapsed_voluntary": {"R": 330_000 - 99_000},
    "new_state_group": {"G": 0, "U": 0},
    "pupil": {"C": STUDENT, "E": STUDENT},
    # C and E are on a school roster: the pupils' rate, and they take no household rank
    "household_member": {
        "C": STUDENT,
        "E": STUDENT,
        "F": M3,
        "G": 0,
        "N": NEAR_POOR,
        "U": 0,
        "R": M4,
        "S": M5,
        "V": M2,
    },
    "not_covered": {"C": STUDENT, "E": STUDENT, "G": 0, "N": NEAR_POOR, "U": 0, "R": M4, "V": M2},
    "voluntary_pool": {
        "A": 264_000,
        "B": 264_000,
        "C": 264_000,
        "F": 264_000,
        "K": 198_000,
        "L": 198_000,
        "N": 198_000,
        "P": 231_000,
        "R": 231_000,
        "S": 231_000,
    },
}


@pytest.fixture(scope="module")
def hand(hand_commune: Path) -> tuple[list[dict], list[dict]]:
    """The lists of the session's hand-made commune (read only)."""
    from baophu.workspace import Workspace

    with Workspace.open(hand_commune).store(read_only=True) as store:
        lst = store.read_mart("potential_list").to_pyarrow().to_pylist()
        persons = store.read_mart("potential_persons").to_pyarrow().to_pylist()
    return lst, persons


def _by_reason(lst: list[dict]) -> dict[str, dict[str, int | None]]:
    ids = {v[0]: k for k, v in PEOPLE.items()}
    out: dict[str, dict[str, int | None]] = {}
    for r in lst:
        if r["person_id"] in ids and r["person_key"] is not None:
            out.setdefault(r["reason"], {})[ids[r["person_id"]]] = r["amount"]
    return out


def test_every_reason_and_amount(hand: tuple[list[dict], list[dict]]) -> None:
    lst, _ = hand
    assert _by_reason(lst) == EXPECTED


def test_unidentified_pupil_goes_to_the_school_commune(hand: tuple[list[dict], list[dict]]) -> None:
    lst, _ = hand
    rows = [r for r in lst if r["reason"] == "pupil_unidentified"]
    assert len(rows) == 1
    row = rows[0]
    assert row["person_key"] is None and row["full_name"] == "Lê Văn Xuân"
    assert (row["owner_type"], row["owner_code"], row["commune_code"]) == (
        "commune",
        "26734",
        "26734",
    )
    assert row["row_key"] == "school_rosters:2026-2027|26734PT01|10A1|3"
    assert "không có số định danh" in row["reason_vi"]


def _row(lst: list[dict], reason: str, k: str) -> dict:
    return next(r for r in lst if r["reason"] == reason and r["person_id"] == pid(k))


def test_explanations_carry_the_figures(hand: tuple[list[dict], list[dict]]) -> None:
    lst, _ = hand
    b = _row(lst, "due_bhyt", "B")
    assert b["reason_vi"] == (
        "Thẻ BHYT hết hạn ngày 15/11/2026 (còn 15 ngày). Gia hạn theo hộ gia đình "
        "(thành viên thứ 2): 884.520 đồng/năm."
    )
    assert (b["days_left"], b["member_no"], b["priority"]) == (15, 2, 1)
    f = _row(lst, "lapsed_bhyt", "F")
    assert f["event_date"] == dt.date(2026, 9, 30) and f["last_payer"] == "household"
    assert f["priority"] == 1  # 31 days: still within the 90-day continuity gap
    assert "Dừng tham gia BHYT từ ngày 01/10/2026" in f["reason_vi"]
    assert "trước ngày 29/12/2026" in f["reason_vi"]
    assert "(thành viên thứ 3): 758.160 đồng/năm" in f["reason_vi"]
    m = _row(lst, "subsidy_ending", "M")
    assert m["kind"] == "turning_6" and m["event_date"] == dt.date(2026, 11, 30)
    assert m["reason_vi"].startswith("Trẻ đủ 6 tuổi ngày 01/12/2026")
    p = _row(lst, "subsidy_ending", "P")
    assert p["kind"] == "commune_leaving"
    assert "Xã Phú Lý ra khỏi danh sách xã vùng khó khăn từ ngày 21/11/2026" in p["reason_vi"]
    assert "Quyết định 1119/QĐ-TTg" in p["reason_vi"]
    k = _row(lst, "subsidy_ending", "K")
    assert k["kind"] == "near_poor_ending" and "Hộ cận nghèo hết hiệu lực" in k["reason_vi"]
    assert "1.263.600 đồng/năm" in k["reason_vi"]
    q = _row(lst, "due_voluntary", "Q")
    assert (q["amount_period"], q["subsidy"], q["days_left"]) == ("month", 99_000, 30)
    assert "341.000 đồng/tháng" in q["reason_vi"]
    u = _row(lst, "new_state_group", "U")
    assert u["kind"] == "survivor_allowance"
    assert "trợ cấp tuất hằng tháng, 72 tuổi, thuộc hộ cận nghèo" in u["reason_vi"]
    g = _row(lst, "new_state_group", "G")
    assert g["kind"] == "social_pension" and "01/07/2025" in g["reason_vi"]
    n = _row(lst, "not_covered", "N")
    assert "hộ cận nghèo (NSNN hỗ trợ 70%): 379.080 đồng/năm" in n["reason_vi"]
    c = _row(lst, "pupil", "C")
    assert "lớp 10A1, Trường THPT Biên Hòa" in c["reason_vi"]


def test_owners(hand: tuple[list[dict], list[dict]]) -> None:
    lst, _ = hand
    s = _row(lst, "lapsed_bhyt", "S")
    assert (s["owner_type"], s["owner_code"], s["officer_code"], s["employer_code"]) == (
        "officer",
        "CB01",
        "CB01",
        "DV001",
    )
    assert s["owner_name"] == "Trần Văn Quản" and s["collector_code"] is None
    assert _row(lst, "household_member", "S")["owner_code"] == "NVT02"
    c = _row(lst, "not_covered", "C")
    assert (c["owner_type"], c["collector_code"], c["owner_name"]) == (
        "collector",
        "NVT01",
        "Nguyễn Thị Thu",
    )
    assert (c["hamlet_name"], c["commune_name"], c["office_code"]) == (
        "Khu phố 1",
        "Phường Biên Hòa",
        "75BH01",
    )
    assert c["address"] == "12 Lê Lợi"


def test_one_row_per_person_with_all_reasons(hand: tuple[list[dict], list[dict]]) -> None:
    _, persons = hand
    c = next(p for p in persons if p["person_id"] == pid("C"))
    assert c["reasons"] == "pupil,household_member,not_covered,voluntary_pool"
    assert c["n_reasons"] == 4 and c["priority"] == 2
    assert c["amount"] == STUDENT and c["amount_period"] == "year"
    assert c["reasons_vi"].split("\n")[0].startswith("Học sinh lớp 10A1")
    assert len(c["reasons_vi"].split("\n")) == 4
    # H1's best priority (B due, F lapsed: 1) orders the whole household first
    assert c["household_priority"] == 1
    s_rows = [p for p in persons if p["person_id"] == pid("S")]
    assert {(p["owner_type"], p["reasons"]) for p in s_rows} == {
        ("officer", "lapsed_bhyt"),
        ("collector", "household_member,voluntary_pool"),
    }


@pytest.mark.spark
def test_same_lists_on_pyspark(tmp_path: Path) -> None:
    from baophu.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws", backend="pyspark")
    lst, persons = build(Workspace.open(tmp_path / "ws"), tmp_path / "inputs")
    assert _by_reason(lst) == EXPECTED
    b = _row(lst, "due_bhyt", "B")
    assert b["reason_vi"].startswith("Thẻ BHYT hết hạn ngày 15/11/2026 (còn 15 ngày)")
    c = next(p for p in persons if p["person_id"] == pid("C"))
    assert c["reasons"] == "pupil,household_member,not_covered,voluntary_pool"


@pytest.mark.slow  # left out of make test-fast (seconds of work)
def test_pupils_follow_the_linkage_mart(hand_workspace: Any) -> None:
    """With ``person_links`` (the linkage step's mart), roster rows are identified by it:
    the row without an ID, linked there to N, makes N a pupil; rows it does not link are
    unidentified."""
    import ibis
    import pyarrow as pa

    from baophu.engine.potential.run import run_lists

    ws = hand_workspace  # the hand-made commune, imported and its lists computed
    links = pa.table(
        {
            "source": ["school_rosters", "school_rosters", "school_rosters"],
            "record_id": [
                "2026-2027|26734PT01|10A1|3",
                "2026-2027|26734PT01|10A1|1",
                "2026-2027|26734PT01|10A1|2",
            ],
            "person_key": pa.array([int(pid("N")), int(pid("C")), int(pid("E"))], pa.int64()),
            "match_weight": [9.0, 20.0, 1.0],
            "match_probability": [0.99, 1.0, 0.4],
            "method": ["probabilistic", "exact_id", "probabilistic"],
            "decision": ["linked", "linked", "review"],
            "explanation": ["", "", ""],
        }
    )
    with ws.store() as store:
        store.write_mart("person_links", ibis.memtable(links), store.stamp(D))
        run_lists(store, D)
        lst = store.read_mart("potential_list").to_pyarrow().to_pylist()
    pupils = {r["person_id"] for r in lst if r["reason"] == "pupil"}
    assert pupils == {pid("N"), pid("C")}
    unidentified = {r["row_key"] for r in lst if r["reason"] == "pupil_unidentified"}
    assert unidentified == {"school_rosters:2026-2027|26734PT01|10A1|2"}
