"""Coverage definitions on a hand-built province where every expected figure is counted by
hand (see the comments on each person): edge dates, duplicates, overlaps, the dead,
non-residents, residents insured elsewhere, unlinked rows — on DuckDB and on PySpark.

Reference date D = 31/10/2026.  Units: province 75 → office 75BH01 → communes 26734 (hamlets
26734001, 26734002) and 26735 (hamlet 26735001).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from baophu.contracts.person_id import make
from baophu.ingest.importer import import_paths
from baophu.rules import is_working_age

D = dt.date(2026, 10, 31)
EARLIER = dt.date(2026, 9, 30)
H1, H2, H3 = "26734001", "26734002", "26735001"
C1, C2 = "26734", "26735"


def pid(sex: str, year: int, serial: int) -> str:
    return make("075", sex, year, serial)


A = pid("male", 1985, 1)
B = pid("female", 1990, 2)
C = pid("male", 2000, 3)
DD = pid("female", 1950, 4)
E = pid("male", 2011, 5)
F = pid("female", 2011, 6)
G = pid("male", 1965, 7)
H = pid("male", 1965, 8)
I_ = pid("female", 1995, 9)
J = pid("female", 1980, 10)
N = make("079", "male", 1988, 11)  # a worker from another province (not in the register)
U3_ID = pid("male", 1970, 99)  # well formed, not in the register, but gives a hamlet here

# person_id, name, sex, birth, hamlet, si_code, death
RESIDENTS = [
    (A, "Nguyễn Văn An", "male", dt.date(1985, 3, 12), H1, "7500000001", None),
    (B, "Trần Thị Bình", "female", dt.date(1990, 7, 1), H1, None, None),
    (C, "Lê Văn Cường", "male", dt.date(2000, 1, 1), H2, None, None),
    (DD, "Phạm Thị Dung", "female", dt.date(1950, 5, 5), H2, None, D),  # died on D
    (E, "Hoàng Văn Em", "male", dt.date(2011, 10, 31), H3, None, None),  # 15 on D
    (F, "Vũ Thị Phương", "female", dt.date(2011, 11, 1), H3, None, None),  # 15 the day after
    (G, "Đỗ Văn Giang", "male", dt.date(1965, 4, 15), H3, None, None),  # retires end Oct 2026
    (H, "Bùi Văn Hải", "male", dt.date(1965, 3, 10), H3, None, None),  # retired end Sep 2026
    (I_, "Ngô Thị Hoa", "female", dt.date(1995, 2, 2), H1, None, None),  # insured elsewhere
    (J, "Đặng Thị Lan", "female", dt.date(1980, 8, 8), H2, None, None),  # never enrolled
]

# id, person_id, si_code, birth, sex, scheme, group, payer, employer, start, end, province, hamlet
OPEN = None
ENROLMENTS = [
    # A: household card for 2026, the same card entered again by legacy code only (counts
    # once), an employer card since 06/2025 (precedence: employee), compulsory BHXH + BHTN
    (
        "E01",
        A,
        "7500000001",
        "1985-03-12",
        "male",
        "bhyt",
        "household",
        "household",
        None,
        "2026-01-01",
        "2026-12-31",
        "75",
        H1,
    ),
    (
        "E02",
        None,
        "7500000001",
        "1985-03-12",
        "male",
        "bhyt",
        "household",
        "household",
        None,
        "2026-01-01",
        "2026-12-31",
        "75",
        H1,
    ),
    (
        "E03",
        A,
        None,
        "1985-03-12",
        "male",
        "bhyt",
        "employee",
        "employer",
        "EMP1",
        "2025-06-01",
        OPEN,
        "75",
        H1,
    ),
    (
        "E04",
        A,
        None,
        "1985-03-12",
        "male",
        "bhxh_compulsory",
        "employee",
        "employer",
        "EMP1",
        "2025-06-01",
        OPEN,
        "75",
        H1,
    ),
    (
        "E05",
        A,
        None,
        "1985-03-12",
        "male",
        "bhtn",
        "employee",
        "employer",
        "EMP1",
        "2025-06-01",
        OPEN,
        "75",
        H1,
    ),
    # B: card ending on D (in force on D)
    (
        "E06",
        B,
        None,
        "1990-07-01",
        "female",
        "bhyt",
        "household",
        "household",
        None,
        "2025-11-01",
        "2026-10-31",
        "75",
        H1,
    ),
    # C: previous card ended 30/09/2026; the next starts the day after D
    (
        "E07",
        C,
        None,
        "2000-01-01",
        "male",
        "bhyt",
        "household",
        "household",
        None,
        "2025-10-01",
        "2026-09-30",
        "75",
        H2,
    ),
    (
        "E08",
        C,
        None,
        "2000-01-01",
        "male",
        "bhyt",
        "household",
        "household",
        None,
        "2026-11-01",
        "2027-10-31",
        "75",
        H2,
    ),
    # Dd: pensioner card never closed; she died on D
    (
        "E09",
        DD,
        None,
        "1950-05-05",
        "female",
        "bhyt",
        "pensioner",
        "si_fund",
        None,
        "2010-06-01",
        OPEN,
        "75",
        H2,
    ),
    # E: pupil card ended 30/09/2026
    (
        "E10",
        E,
        None,
        "2011-10-31",
        "male",
        "bhyt",
        "student",
        "budget_supported",
        None,
        "2025-10-01",
        "2026-09-30",
        "75",
        H3,
    ),
    # G: voluntary BHXH since 2024
    (
        "E11",
        G,
        None,
        "1965-04-15",
        "male",
        "bhxh_voluntary",
        "voluntary",
        "self",
        None,
        "2024-01-01",
        OPEN,
        "75",
        H3,
    ),
    # I: works in Hồ Chí Minh City (79): insured there
    (
        "E12",
        I_,
        None,
        "1995-02-02",
        "female",
        "bhyt",
        "employee",
        "employer",
        "DV79000001",
        "2024-01-01",
        OPEN,
        "79",
        H1,
    ),
    (
        "E13",
        I_,
        None,
        "1995-02-02",
        "female",
        "bhxh_compulsory",
        "employee",
        "employer",
        "DV79000001",
        "2024-01-01",
        OPEN,
        "79",
        H1,
    ),
    # N: non-resident employee of EMP1 (commune 26735)
    (
        "E14",
        N,
        None,
        "1988-06-06",
        "male",
        "bhyt",
        "employee",
        "employer",
        "EMP1",
        "2024-05-01",
        OPEN,
        "75",
        None,
    ),
    (
        "E15",
        N,
        None,
        "1988-06-06",
        "male",
        "bhxh_compulsory",
        "employee",
        "employer",
        "EMP1",
        "2024-05-01",
        OPEN,
        "75",
        None,
    ),
    (
        "E16",
        N,
        None,
        "1988-06-06",
        "male",
        "bhtn",
        "employee",
        "employer",
        "EMP1",
        "2024-05-01",
        OPEN,
        "75",
        None,
    ),
    # unlinked: an invalid ID, no ID at all, an ID not in the register (hamlet given),
    # A's ID with another birth date and no legacy code
    (
        "U01",
        "12345",
        None,
        "1991-01-01",
        "male",
        "bhyt",
        "household",
        "household",
        None,
        "2026-01-01",
        "2026-12-31",
        "75",
        H1,
    ),
    (
        "U02",
        None,
        None,
        "1992-02-02",
        "female",
        "bhyt",
        "household",
        "household",
        None,
        "2026-01-01",
        "2026-12-31",
        "75",
        H2,
    ),
    (
        "U03",
        U3_ID,
        None,
        "1970-01-01",
        "male",
        "bhyt",
        "household",
        "household",
        None,
        "2026-01-01",
        "2026-12-31",
        "75",
        H1,
    ),
    (
        "U04",
        A,
        None,
        "1985-04-12",
        "male",
        "bhyt",
        "household",
        "household",
        None,
        "2026-01-01",
        "2026-12-31",
        "75",
        H1,
    ),
]

UNITS_CSV = f"""unit_code,unit_name,level,parent_code,unit_type,province_code
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
{C1},Phường Biên Hòa,commune,75BH01,phường,75
{C2},Xã Phú Lý,commune,75BH01,xã,75
{H1},Khu phố 1,hamlet,{C1},khu phố,75
{H2},Khu phố 2,hamlet,{C1},khu phố,75
{H3},Ấp 1,hamlet,{C2},ấp,75
"""
OTHER_CSV = {
    "officers.csv": "officer_code,full_name,office_code,email\nOF1,Nguyễn Văn Cán,75BH01,\n",
    "agents.csv": "agent_code,agent_name,office_code\nAG1,Bưu điện Biên Hòa,75BH01\n",
    "collectors.csv": (
        f"collector_code,full_name,agent_code,hamlet_code,phone\nCL1,Lê Thu,AG1,{H1},\n"
    ),
    "employers.csv": (
        "employer_code,tax_code,employer_name,ownership,commune_code,officer_code,wage_region,"
        "registered_date,address\n"
        f"EMP1,3600000001,Công ty Một,private,{C2},OF1,1,2020-01-01,\n"
        f"EMP2,3600000002,Công ty Hai,private,{C1},OF1,1,2020-01-01,\n"
    ),
    # the ledger month of D is 10/2026: EMP1 declares 3, EMP2 declares 5
    "contribution_ledger.csv": (
        "employer_code,period,declared_headcount,declared_wage_bill,due_bhxh,due_bhyt,"
        "due_bhtn,due_total\n"
        "EMP1,2026-10,3,15000000,1,1,1,3\nEMP2,2026-10,5,25000000,1,1,1,3\n"
        "EMP1,2026-09,3,15000000,1,1,1,3\nEMP2,2026-09,4,20000000,1,1,1,3\n"
    ),
    # settled 2025 accounts: EMP1 had 4 (above the 3 declared), EMP2 2 (below its 5), and
    # an enterprise never registered with social insurance had 6 (registry: commune 26734)
    "tax_returns.csv": (
        "tax_code,year,taxpayer_name,headcount,payroll_fund\n"
        "3600000001,2025,Công ty Một,4,1\n3600000002,2025,Công ty Hai,2,1\n"
        "3600000003,2025,Công ty Ba,6,1\n3600000003,2023,Công ty Ba,99,1\n"
    ),
    "business_registry.csv": (
        "tax_code,business_name,registered_date,status,ownership,commune_code,address,"
        "legal_representative\n"
        f"3600000003,Công ty Ba,2019-01-01,active,private,{C1},,\n"
    ),
    "targets.csv": (
        "year,unit_code,indicator,target_value,denominator,source\n"
        "2026,75,bhyt_rate,0.96,,seed\n2026,75,compulsory_participants,3,4,seed\n"
    ),
}


def write_world(folder: Path) -> Path:
    """The hand-built province as source files (CSV, and Parquet for residents/enrolments)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    for name, text in OTHER_CSV.items():
        (folder / name).write_text(text, encoding="utf-8")
    households = pa.table(
        {
            "household_id": ["HH1", "HH2", "HH3"],
            "hamlet_code": [H1, H2, H3],
            "address": [None, None, None],
            "head_person_id": [A, C, G],
        }
    )
    pq.write_table(households, folder / "households.parquet")
    hh = {H1: "HH1", H2: "HH2", H3: "HH3"}
    residents = pa.table(
        {
            "person_id": [r[0] for r in RESIDENTS],
            "full_name": [r[1] for r in RESIDENTS],
            "sex": [r[2] for r in RESIDENTS],
            "birth_date": pa.array([r[3] for r in RESIDENTS], pa.date32()),
            "ethnicity": ["Kinh"] * len(RESIDENTS),
            "household_id": [hh[r[4]] for r in RESIDENTS],
            "relation_to_head": ["Khác"] * len(RESIDENTS),
            "hamlet_code": [r[4] for r in RESIDENTS],
            "phone": pa.array([None] * len(RESIDENTS), pa.string()),
            "si_code": pa.array([r[5] for r in RESIDENTS], pa.string()),
            "death_date": pa.array([r[6] for r in RESIDENTS], pa.date32()),
        }
    )
    pq.write_table(residents, folder / "residents.parquet")

    def date(text: str | None) -> dt.date | None:
        return None if text is None else dt.date.fromisoformat(text)

    e = ENROLMENTS
    enrolments = pa.table(
        {
            "enrolment_id": [r[0] for r in e],
            "person_id": pa.array([r[1] for r in e], pa.string()),
            "si_code": pa.array([r[2] for r in e], pa.string()),
            "full_name": ["Người tham gia"] * len(e),
            "sex": [r[4] for r in e],
            "birth_date": pa.array([date(r[3]) for r in e], pa.date32()),
            "scheme": [r[5] for r in e],
            "participant_group": [r[6] for r in e],
            "payer": [r[7] for r in e],
            "employer_code": pa.array([r[8] for r in e], pa.string()),
            "start_date": pa.array([date(r[9]) for r in e], pa.date32()),
            "end_date": pa.array([date(r[10]) for r in e], pa.date32()),
            "contribution_wage": pa.array([None] * len(e), pa.int64()),
            "enrol_province_code": [r[11] for r in e],
            "hamlet_code": pa.array([r[12] for r in e], pa.string()),
            "collector_code": pa.array(
                ["CL1" if r[6] == "household" and r[12] == H1 else None for r in e], pa.string()
            ),
        }
    )
    pq.write_table(enrolments, folder / "enrolments.parquet")
    return folder


def load_world(workspace: Any, tmp_path: Path) -> None:
    folder = write_world(tmp_path / "world")
    with workspace.store() as store:
        result = import_paths(store, [folder], workspace.rejects_dir)
    assert result.committed, result.error
    assert sum(f.rows_rejected for f in result.files) == 0


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The hand-built province imported into DuckDB and its coverage computed once
    (two month-ends: 30/09/2026 and D)."""
    from baophu.engine.coverage.run import run_coverage
    from baophu.workspace import Workspace, init_workspace

    base = tmp_path_factory.mktemp("definitions")
    init_workspace(base / "ws")
    ws = Workspace.open(base / "ws")
    load_world(ws, base)
    with ws.store() as store:
        summary = run_coverage(store, D, months=2, write_linked=True)
        out = {
            name: store.read_mart(name).to_pyarrow().to_pylist()
            for name in (
                "coverage_by_unit",
                "coverage_series",
                "bhyt_by_group",
                "identity_unlinked",
                "enrolments_linked",
            )
        }
    out["summary"] = summary
    out["workspace"] = ws
    return out


def by_unit(marts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["unit_code"]: r for r in marts["coverage_by_unit"]}


# The figures on D, counted by hand from the comments above.
EXPECTED_PROVINCE = {
    "population": 9,  # all but Dd (died on D)
    "labour_force_register": 7,  # not F (15 tomorrow), not H (retired), not Dd
    "bhyt_insured": 3,  # A (once), B (card ends on D), N (non-resident)
    "bhyt_insured_nonresident": 1,  # N
    "residents_insured_elsewhere": 1,  # I
    "residents_insured_any": 3,  # A, B, I
    "compulsory_participants": 2,  # A, N
    "voluntary_participants": 1,  # G
    "bhxh_participants": 3,  # A, N, G
    "bhxh_participants_nonresident": 1,  # N
    "residents_bhxh_elsewhere": 1,  # I
    "bhtn_participants": 2,  # A, N
    "working_age_in_compulsory": 2,  # A, I (any province)
    "voluntary_pool": 5,  # 7 − 2
    "deceased_enrolled": 1,  # Dd's pensioner card
    "compulsory_participants_workplace": 2,  # A, N at EMP1
    "compulsory_required": 15,  # max(3, 4) + max(5, 2) + 6 unregistered
}


def test_definitions_on_the_reference_date(marts: dict[str, Any]) -> None:
    rows = by_unit(marts)
    province = rows["75"]
    assert {k: province[k] for k in EXPECTED_PROVINCE} == EXPECTED_PROVINCE
    assert province["bhyt_rate"] == pytest.approx(3 / 9)
    assert province["bhxh_rate"] == pytest.approx(3 / 7)
    assert province["bhtn_rate"] == pytest.approx(2 / 7)
    assert province["compulsory_rate"] == pytest.approx(2 / 15)
    assert province["voluntary_rate"] == pytest.approx(1 / 5)
    assert province["labour_force_source"] == "register"
    assert marts["summary"]["province"]["population"] == 9
    # hamlets: residents where they live; N is placed at EMP1's commune, not in a hamlet
    assert (rows[H1]["population"], rows[H1]["bhyt_insured"]) == (3, 2)  # A, B, I / A, B
    assert (rows[H2]["population"], rows[H2]["bhyt_insured"]) == (2, 0)  # C, J
    assert (rows[H3]["population"], rows[H3]["bhyt_insured"]) == (4, 0)  # E, F, G, H
    assert rows[C2]["bhyt_insured"] == 1 and rows[C2]["bhyt_insured_nonresident"] == 1
    assert rows[C1]["bhyt_insured"] == 2
    # required by workplace: EMP2 (5) + the unregistered enterprise (6) in 26734; EMP1 (4)
    assert (rows[C1]["compulsory_required"], rows[C2]["compulsory_required"]) == (11, 4)
    assert (
        rows[C1]["compulsory_participants_workplace"],
        rows[C2]["compulsory_participants_workplace"],
    ) == (0, 2)
    assert rows[H1]["compulsory_required"] is None  # no workplace figures for hamlets


def test_working_age_follows_the_rules(marts: dict[str, Any]) -> None:
    """The engine's labour force equals the rules' own test, person by person."""
    expected = sum(
        1
        for _, _, sex, birth, _, _, death in RESIDENTS
        if (death is None or death > D) and is_working_age(birth, sex, D)
    )
    assert by_unit(marts)["75"]["labour_force_register"] == expected == 7


def test_series_earlier_month_end(marts: dict[str, Any]) -> None:
    """On 30/09/2026 Dd was alive and insured, C's and E's cards were still in force."""
    series = marts["coverage_series"]
    at = {(r["unit_code"], r["reference_date"]): r for r in series}
    assert sorted({r["reference_date"] for r in series}) == [EARLIER, D]
    p = at[("75", EARLIER)]
    assert p["population"] == 10
    assert p["bhyt_insured"] == 6  # A, B, C, Dd, E, N
    assert p["deceased_enrolled"] == 0
    # H reached the retirement age in September: still of working age until 30/09
    assert p["labour_force_register"] == 7  # A, B, C, G, H, I, J
    assert p["labour_force_register"] == sum(
        1 for _, _, sex, birth, _, _, _ in RESIDENTS if is_working_age(birth, sex, EARLIER)
    )
    assert at[("75", D)]["bhyt_insured"] == 3


def test_groups_and_unlinked(marts: dict[str, Any]) -> None:
    groups = marts["bhyt_by_group"]
    province = {
        (g["participant_group"], g["payer"]): g["insured"]
        for g in groups
        if g["level"] == "province"
    }
    # A holds a household card and an employer card on D: counted once, as an employee
    assert province == {("employee", "employer"): 2, ("household", "household"): 1}
    reasons: dict[tuple[str, str | None], int] = {}
    for r in marts["identity_unlinked"]:
        key = (r["outcome"], r["unlinked_reason"])
        reasons[key] = reasons.get(key, 0) + r["rows"]
    assert reasons == {
        ("linked", None): 13,  # E01–E13 (E02 by legacy code)
        ("non_resident", "id_not_in_register"): 3,  # N's three rows
        ("unlinked", "invalid_id"): 1,
        ("unlinked", "no_id"): 1,
        ("unlinked", "id_not_in_register"): 1,
        ("unlinked", "id_conflict"): 1,
    }
    assert sum(reasons.values()) == len(ENROLMENTS)
    linked = {r["enrolment_id"]: r for r in marts["enrolments_linked"]}
    assert linked["E02"]["link_method"] == "si_code" and linked["E02"]["person_key"] == int(A)
    assert linked["U04"]["unlinked_reason"] == "id_conflict"


def test_projection_is_the_trend_to_year_end(marts: dict[str, Any]) -> None:
    """Two points (30/09 → 31/10): BHYT fell from 6 to 3 in 31 days; 61 days to go."""
    p = by_unit(marts)["75"]
    slope_per_day = (3 - 6) / 31
    assert p["bhyt_insured_trend_per_month"] == pytest.approx(slope_per_day * 30.4375, abs=0.01)
    assert p["bhyt_insured_projected"] == max(round(3 + slope_per_day * 61), 0)


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_agree(marts: dict[str, Any], tmp_path: Path) -> None:
    """The same coverage, row for row, on PySpark (one date: Spark is slow to plan on a small
    machine; ``coverage_at`` runs the same stages as ``run_coverage`` without the marts)."""
    from baophu.engine.coverage.run import coverage_at
    from baophu.workspace import Workspace, init_workspace

    root = tmp_path / "ws-spark"
    init_workspace(root, backend="pyspark")
    ws = Workspace.open(root)
    load_world(ws, tmp_path)
    with ws.store() as store:
        spark_rows = coverage_at(store, [D]).to_pylist()
    duck = {
        r["unit_code"]: {k: v for k, v in r.items() if k != "date_index"}
        for r in marts["coverage_series"]
        if r["reference_date"] == D
    }
    spark = {r["unit_code"]: {k: v for k, v in r.items() if k != "date_index"} for r in spark_rows}
    assert spark == duck
    assert spark["75"]["population"] == 9


def test_imported_labour_force_wins_over_the_register(tmp_path: Path) -> None:
    """An official labour-force file imported with `baophu import` replaces the register's
    count where it has a figure for the year (or an earlier one) and leaves other units on
    the register; the BHXH rate follows the official denominator."""
    from baophu.engine.coverage.run import run_coverage
    from baophu.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    load_world(ws, tmp_path)
    official = tmp_path / "luc_luong_lao_dong.csv"
    official.write_text(
        "Năm,Mã đơn vị,Lực lượng lao động,Nguồn số liệu\n"
        "2025,75,12,Cục Thống kê\n"
        f"2026,{C1},4,Cục Thống kê\n",
        encoding="utf-8",
    )
    with ws.store() as store:
        result = import_paths(store, [official], ws.rejects_dir)
        assert result.committed, result.error
        assert result.files[0].table == "labour_force"
        run_coverage(store, D, months=2)
        rows = {
            r["unit_code"]: r for r in store.read_mart("coverage_by_unit").to_pyarrow().to_pylist()
        }
    province = rows["75"]
    assert (province["labour_force"], province["labour_force_source"]) == (12, "official")
    assert province["labour_force_register"] == 7  # still reported beside it
    assert province["bhxh_rate"] == pytest.approx(3 / 12)  # A, N, G over the official figure
    assert (rows[C1]["labour_force"], rows[C1]["labour_force_source"]) == (4, "official")
    assert rows[C2]["labour_force_source"] == "register"
    assert rows[C2]["labour_force"] == rows[C2]["labour_force_register"]


@pytest.mark.slow  # left out of make test-fast (seconds of work)
def test_linked_spells_once_per_import_state(tmp_path: Path) -> None:
    """Identity runs once per imported state: a coverage run for another date reads the
    ``linked_spells`` mart as it is; a new import makes it stale, and the next run links
    the new rows too (J, never enrolled, gets a card in force on D: one more insured)."""
    from baophu.engine.coverage.run import run_coverage
    from baophu.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    load_world(ws, tmp_path)

    def stamp(store: Any) -> dict[str, Any]:
        return next(m for m in store.marts() if m["mart"] == "linked_spells")

    with ws.store() as store:
        run_coverage(store, D, months=2)
        first = stamp(store)
        assert first["rows"] == len(ENROLMENTS)
        assert first["state_id"] == store.state_id()
        run_coverage(store, dt.date(2026, 9, 30), months=1)
        assert stamp(store)["computed_at"] == first["computed_at"]

    card = pa.table(
        {
            "enrolment_id": ["E99"],
            "person_id": [J],
            "si_code": pa.array([None], pa.string()),
            "full_name": ["Đặng Thị Lan"],
            "sex": ["female"],
            "birth_date": pa.array([dt.date(1980, 8, 8)], pa.date32()),
            "scheme": ["bhyt"],
            "participant_group": ["household"],
            "payer": ["household"],
            "employer_code": pa.array([None], pa.string()),
            "start_date": pa.array([dt.date(2026, 10, 1)], pa.date32()),
            "end_date": pa.array([dt.date(2027, 9, 30)], pa.date32()),
            "contribution_wage": pa.array([None], pa.int64()),
            "enrol_province_code": ["75"],
            "hamlet_code": [H2],
            "collector_code": pa.array([None], pa.string()),
        }
    )
    # the next monthly extract: every earlier row and J's card
    extract = tmp_path / "next" / "enrolments.parquet"
    extract.parent.mkdir()
    earlier = pq.read_table(tmp_path / "world" / "enrolments.parquet")
    pq.write_table(pa.concat_tables([earlier, card.cast(earlier.schema)]), extract)
    with ws.store() as store:
        result = import_paths(store, [extract], ws.rejects_dir)
        assert result.committed, result.error
        run_coverage(store, D, months=2)
        second = stamp(store)
        assert second["state_id"] == store.state_id() != first["state_id"]
        assert second["rows"] == len(ENROLMENTS) + 1
        province = next(
            r
            for r in store.read_mart("coverage_by_unit").to_pyarrow().to_pylist()
            if r["unit_code"] == "75"
        )
    assert province["bhyt_insured"] == EXPECTED_PROVINCE["bhyt_insured"] + 1
