"""People who moved in or out count only while they lived here: a hand-built hamlet where
every figure is counted by hand, at three month-ends (31/08, 30/09 and 31/10/2026).

The register extract keeps those who moved out (``moved_out_date``) as it keeps the dead;
those who moved in carry ``moved_in_date``.  A resident is in the population on D when born
(or moved in) on or before D and neither dead nor moved out on D; their spells count only
then (docs/indicators.md).
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

AUG, SEP, OCT = dt.date(2026, 8, 31), dt.date(2026, 9, 30), dt.date(2026, 10, 31)
HAMLET = "26734001"
UNITS_CSV = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
26734001,Khu phố 1,hamlet,26734,khu phố,75
"""

P1 = make("075", "male", 1980, 1)  # lives here throughout, card all year
P2 = make("075", "female", 1990, 2)  # moved in 15/09, card since March (counted from 15/09)
P3 = make("075", "male", 1995, 3)  # moved out 01/10, card all year (not counted in October)
P4 = make("075", "female", 1970, 4)  # moved out on 30/09 (gone at that month-end), no card
P5 = make("075", "male", 2026, 5)  # born 10/09, no card
P6 = make("075", "male", 1940, 6)  # died 20/09, pensioner card left open
P7 = make("075", "female", 1985, 7)  # moved in on 31/10, card from that day

# person_id, sex, birth, death, moved in, moved out
RESIDENTS = [
    (P1, "male", dt.date(1980, 1, 1), None, None, None),
    (P2, "female", dt.date(1990, 2, 2), None, dt.date(2026, 9, 15), None),
    (P3, "male", dt.date(1995, 3, 3), None, None, dt.date(2026, 10, 1)),
    (P4, "female", dt.date(1970, 4, 4), None, None, dt.date(2026, 9, 30)),
    (P5, "male", dt.date(2026, 9, 10), None, None, None),
    (P6, "male", dt.date(1940, 6, 6), dt.date(2026, 9, 20), None, None),
    (P7, "female", dt.date(1985, 7, 7), None, dt.date(2026, 10, 31), None),
]
# person, group, payer, start, end
CARDS = [
    (P1, "household", "household", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    (P2, "household", "household", dt.date(2026, 3, 1), dt.date(2027, 2, 28)),
    (P3, "household", "household", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    (P6, "pensioner", "si_fund", dt.date(2005, 1, 1), None),
    (P7, "household", "household", dt.date(2026, 10, 31), dt.date(2027, 10, 30)),
]
# counted by hand from the comments above, for (31/08, 30/09, 31/10)
EXPECTED = {
    "population": (4, 4, 4),  # P1 P3 P4 P6 | P1 P2 P3 P5 | P1 P2 P5 P7
    "bhyt_insured": (3, 3, 3),  # P1 P3 P6 | P1 P2 P3 | P1 P2 P7
    "deceased_enrolled": (0, 1, 1),  # P6's open card after 20/09
    "labour_force_register": (3, 3, 3),  # P1 P3 P4 | P1 P2 P3 | P1 P2 P7
}


def _world(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    pq.write_table(
        pa.table(
            {
                "household_id": ["HH1"],
                "hamlet_code": [HAMLET],
                "address": pa.array([None], pa.string()),
                "head_person_id": [P1],
            }
        ),
        folder / "households.parquet",
    )
    n = len(RESIDENTS)
    pq.write_table(
        pa.table(
            {
                "person_id": [r[0] for r in RESIDENTS],
                "full_name": ["Nguyễn Văn An"] * n,
                "sex": [r[1] for r in RESIDENTS],
                "birth_date": pa.array([r[2] for r in RESIDENTS], pa.date32()),
                "ethnicity": ["Kinh"] * n,
                "household_id": ["HH1"] * n,
                "relation_to_head": ["Khác"] * n,
                "hamlet_code": [HAMLET] * n,
                "phone": pa.array([None] * n, pa.string()),
                "si_code": pa.array([None] * n, pa.string()),
                "death_date": pa.array([r[3] for r in RESIDENTS], pa.date32()),
                "moved_in_date": pa.array([r[4] for r in RESIDENTS], pa.date32()),
                "moved_out_date": pa.array([r[5] for r in RESIDENTS], pa.date32()),
            }
        ),
        folder / "residents.parquet",
    )
    births = {r[0]: (r[1], r[2]) for r in RESIDENTS}
    k = len(CARDS)
    pq.write_table(
        pa.table(
            {
                "enrolment_id": [f"E{i}" for i in range(k)],
                "person_id": [c[0] for c in CARDS],
                "si_code": pa.array([None] * k, pa.string()),
                "full_name": ["Nguyễn Văn An"] * k,
                "sex": [births[c[0]][0] for c in CARDS],
                "birth_date": pa.array([births[c[0]][1] for c in CARDS], pa.date32()),
                "scheme": ["bhyt"] * k,
                "participant_group": [c[1] for c in CARDS],
                "payer": [c[2] for c in CARDS],
                "employer_code": pa.array([None] * k, pa.string()),
                "start_date": pa.array([c[3] for c in CARDS], pa.date32()),
                "end_date": pa.array([c[4] for c in CARDS], pa.date32()),
                "contribution_wage": pa.array([None] * k, pa.int64()),
                "enrol_province_code": ["75"] * k,
                "hamlet_code": [HAMLET] * k,
                "collector_code": pa.array([None] * k, pa.string()),
            }
        ),
        folder / "enrolments.parquet",
    )
    return folder


@pytest.fixture(scope="module", params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def province_rows(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    from baophu.engine.coverage import coverage_at
    from baophu.workspace import Workspace, init_workspace

    base = tmp_path_factory.mktemp("residence")
    init_workspace(base / "ws", backend=request.param)
    ws = Workspace.open(base / "ws")
    with ws.store() as store:
        result = import_paths(store, [_world(base / "world")], ws.rejects_dir)
        assert result.committed, result.error
        table = coverage_at(store, [AUG, SEP, OCT], levels=["province"])
    return sorted(table.to_pylist(), key=lambda r: r["reference_date"])


def test_moves_in_and_out_bound_the_population_and_its_cards(
    province_rows: list[dict[str, Any]],
) -> None:
    assert [r["reference_date"] for r in province_rows] == [AUG, SEP, OCT]
    got = {k: tuple(r[k] for r in province_rows) for k in EXPECTED}
    assert got == EXPECTED


def test_the_register_keeps_those_who_left(province_rows: list[dict[str, Any]]) -> None:
    # the two who left are still people of the register: counted before they left
    assert province_rows[0]["population"] == 4  # P3 and P4 still here on 31/08
    assert province_rows[0]["bhyt_rate"] == pytest.approx(3 / 4)
