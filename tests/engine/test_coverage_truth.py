"""Coverage against the synthetic province's ground truth, recomputed here with pandas.

The generator records who every enrolment row really belongs to (``truth/enrolments``) and
what it did to the row's ID (``id_noise``).  The expected figures follow from the truth and
the deterministic linkage rules alone: a resident's row links when its ID is intact or the
person has a legacy social-insurance code; a non-resident's row counts under the ID it
carries when that ID is well formed.  Everything else must be reported as unlinked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from baophu.contracts.person_id import problem
from baophu.rules import is_working_age
from truth_province import truth_province

D = dt.date(2026, 10, 31)
YEAR_END = dt.date(2025, 12, 31)
_BUILT: dict[str, Any] = {}


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The truth province (Đồng Nai, scale 0.005), imported into DuckDB with its coverage
    and lists computed — one copy per test session and worker, shared by every module that
    imports this fixture."""
    if "province" not in _BUILT:
        _BUILT["province"] = truth_province(tmp_path_factory.mktemp("truth") / "ws")
    return _BUILT["province"]


def _marts(ws: Any, name: str) -> pd.DataFrame:

    with ws.store() as store:
        return store.read_mart(name).to_pyarrow().to_pandas()


@pytest.fixture(scope="session")
def truth(province: dict[str, Any]) -> dict[str, Any]:
    """Expected figures from the truth files (pandas, independent of the engine)."""
    folder: Path = province["dir"]
    persons = pq.read_table(folder / "truth" / "persons.parquet").to_pandas()
    rows = pq.read_table(folder / "truth" / "enrolments.parquet").to_pandas()
    seen = pq.read_table(
        folder / "inputs" / "enrolments.parquet",
        columns=["enrolment_id", "person_id", "hamlet_code"],
    ).to_pandas()
    rows = rows.merge(seen, on="enrolment_id")
    people = persons.set_index("person_id")
    rows["has_si"] = rows.true_person_id.map(people.si_code.notna())
    rows["death"] = rows.true_person_id.map(people.death_date)
    rows["moved_in"] = rows.true_person_id.map(people.moved_in_date)
    rows["moved_out"] = rows.true_person_id.map(people.moved_out_date)
    well_formed = rows.person_id.map(lambda x: isinstance(x, str) and problem(x) is None)
    resident_ok = rows.resident & ((rows.id_noise == "none") | rows.has_si)
    nonres_ok = ~rows.resident & well_formed & rows.hamlet_code.isna()
    rows["key"] = None
    rows.loc[resident_ok, "key"] = rows.loc[resident_ok, "true_person_id"]
    rows.loc[nonres_ok, "key"] = rows.loc[nonres_ok, "person_id"]
    rows["reason"] = None
    bad = ~resident_ok & ~nonres_ok
    rows.loc[bad & rows.person_id.isna(), "reason"] = "no_id"
    rows.loc[bad & rows.person_id.notna() & ~well_formed, "reason"] = "invalid_id"
    rows.loc[bad & rows.person_id.notna() & well_formed, "reason"] = "id_not_in_register"
    # another resident's ID, born on another day: in the register, the birth dates disagree
    rows.loc[bad & (rows.id_noise == "someone_elses_id"), "reason"] = "id_conflict"

    def lived_here(frame: pd.DataFrame, day: dt.date, death: str, since: str, left: str) -> Any:
        """Living here on ``day``: not dead, not moved out, moved in by then."""
        return (
            (frame[death].isna() | (frame[death] > day))
            & (frame[left].isna() | (frame[left] > day))
            & (frame[since].isna() | (frame[since] <= day))
        )

    def on(day: dt.date) -> dict[str, Any]:
        alive = persons.resident & (persons.birth_date <= day)
        alive &= lived_here(persons, day, "death_date", "moved_in_date", "moved_out_date")
        pop = persons[alive]
        act = rows[
            rows.key.notna()
            & (rows.start_date <= day)
            & (rows.end_date.isna() | (rows.end_date >= day))
            & (~rows.resident | lived_here(rows, day, "death", "moved_in", "moved_out"))
        ]
        here = act[act.enrol_province_code == "75"]

        def distinct(frame: pd.DataFrame, scheme: str) -> int:
            return int(frame[frame.scheme == scheme].key.nunique())

        bhyt_res = act[(act.scheme == "bhyt") & act.resident]
        by_commune = (
            here[(here.scheme == "bhyt") & here.resident]
            .drop_duplicates("key")
            .key.map(people.commune_code)
            .value_counts()
        )
        return {
            "population": len(pop),
            "population_by_commune": pop.commune_code.value_counts().to_dict(),
            "population_by_hamlet": pop.hamlet_code.value_counts().to_dict(),
            "labour_force_register": int(
                sum(is_working_age(b, s, day) for b, s in zip(pop.birth_date, pop.sex, strict=True))
            ),
            "bhyt_insured": distinct(here, "bhyt"),
            "bhyt_insured_nonresident": distinct(here[~here.resident], "bhyt"),
            "residents_insured_any": int(bhyt_res.key.nunique()),
            "compulsory_participants": distinct(here, "bhxh_compulsory"),
            "voluntary_participants": distinct(here, "bhxh_voluntary"),
            "bhtn_participants": distinct(here, "bhtn"),
            "resident_insured_by_commune": by_commune.to_dict(),
        }

    return {"D": on(D), "year_end": on(YEAR_END), "rows": rows}


COUNTS = (
    "population",
    "labour_force_register",
    "bhyt_insured",
    "bhyt_insured_nonresident",
    "residents_insured_any",
    "compulsory_participants",
    "voluntary_participants",
    "bhtn_participants",
)


def test_province_figures_equal_the_truth(province: dict[str, Any], truth: dict[str, Any]) -> None:
    p = province["summary"]["province"]
    assert {k: p[k] for k in COUNTS} == {k: truth["D"][k] for k in COUNTS}
    # the generator's own summary agrees on what needs no linkage
    summary = __import__("json").loads((province["dir"] / "truth" / "summary.json").read_text())
    assert p["population"] == summary["population"]
    assert p["compulsory_participants_workplace"] == p["compulsory_participants"]


def test_units_equal_the_truth(province: dict[str, Any], truth: dict[str, Any]) -> None:
    units = _marts(province["workspace"], "coverage_by_unit")
    communes = units[units.level == "commune"].set_index("unit_code")
    hamlets = units[units.level == "hamlet"].set_index("unit_code")
    assert communes.population.to_dict() == {
        c: truth["D"]["population_by_commune"].get(c, 0) for c in communes.index
    }
    assert {h: v for h, v in hamlets.population.to_dict().items() if v} == truth["D"][
        "population_by_hamlet"
    ]
    resident_insured = communes.bhyt_insured - communes.bhyt_insured_nonresident
    assert {c: v for c, v in resident_insured.to_dict().items() if v} == truth["D"][
        "resident_insured_by_commune"
    ]
    # roll-ups add up level by level
    for level in ("office", "commune"):
        sub = units[units.level == level]
        assert sub.population.sum() == truth["D"]["population"]
        assert sub.bhyt_insured.sum() == truth["D"]["bhyt_insured"]


def test_earlier_month_end_equals_the_truth(
    province: dict[str, Any], truth: dict[str, Any]
) -> None:
    series = _marts(province["workspace"], "coverage_series")
    row = series[(series.level == "province") & (series.reference_date == YEAR_END)].iloc[0]
    assert {k: int(row[k]) for k in COUNTS} == {k: truth["year_end"][k] for k in COUNTS}
    assert len(series[series.level == "province"]) == 24


def test_unlinked_rows_are_reported_by_reason(
    province: dict[str, Any], truth: dict[str, Any]
) -> None:
    unlinked = _marts(province["workspace"], "identity_unlinked")
    got = unlinked[unlinked.outcome == "unlinked"].groupby("unlinked_reason").rows.sum().to_dict()
    want = truth["rows"].reason.value_counts().to_dict()
    assert got == want
    assert unlinked.rows.sum() == len(truth["rows"])  # nothing dropped
