"""The synthetic nation's cross-province people (``synth.nation_links``): on three provinces
that send workers to each other (Đồng Nai 75 → Hồ Chí Minh 79; Hồ Chí Minh → Đồng Nai and
Tây Ninh 80; Tây Ninh → Hồ Chí Minh), every paired person is the same person in the home
register and in the work province's enrolments, no generated commuter identity is left in a
work province's files, every cross-province person is one row of the truth, and the pass is
deterministic."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from baophu.synth.nation import generate_nation
from nation_three import CODES, SCALE, SEED, three_provinces


@pytest.fixture(scope="module")
def nation() -> Path:
    """The three provinces, generated with two worker processes (read only)."""
    return three_provinces()


def _truth(out: Path) -> list[dict]:  # type: ignore[type-arg]
    return pq.read_table(out / "truth" / "cross_province.parquet").to_pylist()


def _rows(out: Path, code: str, folder: str = "inputs", name: str = "enrolments") -> list[dict]:  # type: ignore[type-arg]
    return pq.read_table(out / "provinces" / code / folder / f"{name}.parquet").to_pylist()


def test_paired_people_are_the_same_person_on_both_sides(nation: Path) -> None:
    truth = _truth(nation)
    paired = [t for t in truth if t["paired"]]
    assert len(paired) > 20
    registers = {
        c: {r["person_id"]: r for r in _rows(nation, c, name="residents")}
        for c in ("75", "79", "80")
    }
    enrolments = {c: _rows(nation, c) for c in ("75", "79", "80")}
    for t in paired:
        home, work = t["home_province_code"], t["work_province_code"]
        resident = registers[home][t["person_id"]]
        held = [
            e
            for e in enrolments[work]
            if e["person_id"] == t["person_id"] and e["enrol_province_code"] == work
        ]
        assert held, t
        for e in held:  # the resident's identity, as the register gives it
            assert (e["full_name"], e["sex"], e["birth_date"]) == (
                resident["full_name"],
                resident["sex"],
                resident["birth_date"],
            )
            assert e["si_code"] == resident["si_code"] or resident["si_code"] is None
            assert e["hamlet_code"] is None  # a non-resident there
        assert t["employer_code"] in {e["employer_code"] for e in held}
        # the home province's rows held there name that employer
        out_rows = [
            e
            for e in enrolments[home]
            if e["person_id"] == t["person_id"] and e["enrol_province_code"] == work
        ]
        assert out_rows and {e["employer_code"] for e in out_rows} == {t["employer_code"]}
        assert t["person_id"] not in registers[work]


def test_no_generated_commuter_identity_is_left(nation: Path) -> None:
    truth = _truth(nation)
    for work in ("75", "79", "80"):
        gone = {
            t["generated_person_id"]
            for t in truth
            if t["paired"] and t["work_province_code"] == work
        }
        assert gone
        folder = nation / "provinces" / work
        for path in sorted(folder.rglob("*.parquet")):
            table = pq.read_table(path)
            for name in table.column_names:
                if name in ("person_id", "true_person_id", "head_person_id"):
                    assert not gone & set(table.column(name).to_pylist()), (path, name)
        for path in sorted(folder.rglob("*.xlsx")):  # the D02-LT labour reports
            with zipfile.ZipFile(path) as book:
                text = "".join(
                    book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml")
                )
            assert not any(g in text for g in gone), path
        # the paired commuters are named in the work province's truth by their new ID
        persons = {r["person_id"]: r for r in _rows(nation, work, "truth", "persons")}
        for t in truth:
            if t["paired"] and t["work_province_code"] == work:
                assert (
                    persons[t["person_id"]]["commuter"] and not persons[t["person_id"]]["resident"]
                )


def test_every_cross_province_person_once(nation: Path) -> None:
    truth = _truth(nation)
    keys = [(t["home_province_code"], t["work_province_code"], t["person_id"]) for t in truth]
    assert len(keys) == len(set(keys))
    for code in ("75", "79", "80"):
        rows = _rows(nation, code, "truth", "enrolments")
        # home side: residents with rows held in another province, by that province
        out = {
            (r["enrol_province_code"], r["true_person_id"])
            for r in rows
            if r["resident"] and r["enrol_province_code"] != code
        }
        assert out == {
            (t["work_province_code"], t["person_id"])
            for t in truth
            if t["home_province_code"] == code
        }
        # work side: non-residents with rows held here, paired or not
        non_res = {
            r["true_person_id"]
            for r in rows
            if not r["resident"] and r["enrol_province_code"] == code
        }
        assert non_res == {
            t["person_id"] for t in truth if t["work_province_code"] == code and t["work_side"]
        }
    summary = json.loads((nation / "nation.json").read_text(encoding="utf-8"))["cross_province"]
    assert summary["people"] == len(truth)
    assert summary["paired"] == sum(t["paired"] for t in truth)
    for reason, n in summary["by_reason"].items():
        assert n == sum(t["reason"] == reason for t in truth)
    # unpaired: a commuter no resident is left for has no home; a resident left over has none
    # of the work province's commuters
    for t in truth:
        if t["reason"] == "no_resident_left":
            assert t["home_province_code"] is None and t["kind"] == "commuter"
        if t["reason"] in ("no_commuter_left", "pupil_away"):
            assert not t["work_side"] and t["employer_code"] is None
    # paired people agree on the as-of date: both active or both ended
    assert all(t["home_active"] == t["work_active"] for t in truth if t["paired"])


@pytest.mark.slow  # a second generation (about 6 s)
def test_deterministic_for_a_seed(nation: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_nation(SCALE, SEED, again, workers=1, claims=False, codes=CODES, forms=False)
    assert _truth(again) == _truth(nation)
    for code in ("75", "79", "80"):
        assert _rows(again, code) == _rows(nation, code)
