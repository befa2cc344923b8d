"""What the generator plants for the potential lists: disadvantaged communes (some leaving the
list around the reference date), survivors and social-pension recipients on the benefit lists,
voluntary contributions paid ahead, children who turned six — each kind with its truth."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from baophu.contracts.vocabularies import REASONS
from baophu.synth.generator import generate

AS_OF = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth_lists")
    generate("Đồng Nai", 0.004, 3, path, as_of=AS_OF)
    return path


def _truth(out: Path, name: str) -> pd.DataFrame:
    return pq.read_table(out / "truth" / f"{name}.parquet").to_pandas()


def test_every_reason_is_planted(out: Path) -> None:
    summary = json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["potential"]) == set(REASONS)
    assert min(summary["potential"].values()) > 0
    kinds = _truth(out, "potential").groupby(["reason", "kind"]).size()
    for kind in ("near_poor_ending", "commune_leaving", "turning_6"):
        assert kinds[("subsidy_ending", kind)] > 0
    for kind in ("social_pension", "survivor_allowance"):
        assert kinds[("new_state_group", kind)] > 0


def test_disadvantaged_communes_and_their_cards(out: Path) -> None:
    units = pd.read_csv(out / "inputs" / "units.csv", dtype=str, encoding="utf-8-sig")
    dis = _truth(out, "disadvantaged_communes")
    kinds = units.set_index("Mã đơn vị")["Loại đơn vị"]
    assert (dis.commune_code.map(kinds) == "xã").all()  # rural communes only
    leaving = dis[dis.valid_to.notna()]
    assert len(leaving) >= 1
    gap = (pd.to_datetime(leaving.valid_to) - pd.Timestamp(AS_OF)).dt.days
    assert gap.between(-45, 45).all()
    persons = _truth(out, "persons").set_index("person_id")
    spells = _truth(out, "enrolments")
    hardship = spells[spells.participant_group == "ethnic_minority_hardship"]
    commune = hardship.true_person_id.map(persons.commune_code)
    assert commune.isin(set(dis.commune_code)).all()
    ends = dict(zip(leaving.commune_code, pd.to_datetime(leaving.valid_to), strict=True))
    in_leaving = hardship[commune.isin(ends)]
    assert len(in_leaving) > 0
    assert (
        pd.to_datetime(in_leaving.end_date).values
        == in_leaving.true_person_id.map(persons.commune_code).map(ends).values
    ).all()


def test_benefit_lists_link_to_their_people(out: Path) -> None:
    links = _truth(out, "benefit_links")
    lists = pd.read_csv(out / "inputs" / "benefit_lists.csv", dtype=str, encoding="utf-8-sig")
    assert len(links) == len(lists) > 0
    intact = links.id_noise == "none"
    typed = lists["Số định danh cá nhân"].fillna("")
    assert (typed[intact.values] == links.person_id[intact].values).all()
    assert (typed[~intact.values] == "").all()
    persons = _truth(out, "persons").set_index("person_id")
    age = (pd.Timestamp(AS_OF) - pd.to_datetime(links.person_id.map(persons.birth_date))).dt.days
    pension = links.benefit == "social_pension"
    assert (age[pension] >= 75 * 365).all()
    assert (age[~pension] >= 60 * 365).all()


def test_voluntary_paid_ahead_and_children_turning_six(out: Path) -> None:
    spells = _truth(out, "enrolments")
    vol = spells[spells.scheme == "bhxh_voluntary"]
    end = pd.to_datetime(vol.end_date)
    ahead = end > pd.Timestamp(AS_OF)
    assert ahead.sum() > 0
    assert ((end[ahead] + pd.Timedelta(days=1)).dt.day == 1).all()  # month ends
    child = spells[spells.participant_group == "child_under_6"]
    persons = _truth(out, "persons").set_index("person_id")
    birth = pd.to_datetime(child.true_person_id.map(persons.birth_date))
    sixth = birth + pd.DateOffset(years=6) - pd.Timedelta(days=1)
    ended = pd.to_datetime(child.end_date)
    assert (ended == sixth).mean() > 0.99
    assert (ended < pd.Timestamp(AS_OF)).sum() > 0  # some turned six already
