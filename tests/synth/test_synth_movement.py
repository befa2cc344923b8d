"""The movement under the synthetic province's totals, checked from its files: the intended
path through the published figures, household cards in batches renewed on time, late or
never, school-year cards with the autumn peak, voluntary payments of several periods, jobs
that follow hiring, moving and leaving (with the ledger agreeing), and people entering and
leaving the register.  Every expectation is computed here, by hand or from the rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from baophu.rules import retirement_age
from baophu.synth.generator import generate

AS_OF = dt.date(2026, 10, 31)
SCALE = 0.01
FACTOR = SCALE  # Đồng Nai: the seeds' own province


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth_movement")
    generate("Đồng Nai", SCALE, 5, path, as_of=AS_OF)
    return path


def _truth(out: Path, name: str) -> pd.DataFrame:
    return pq.read_table(out / "truth" / f"{name}.parquet").to_pandas()


def _spells(out: Path) -> pd.DataFrame:
    s = _truth(out, "enrolments")
    s["start"] = pd.to_datetime(s.start_date)
    s["end"] = pd.to_datetime(s.end_date)
    return s[s.fault.isna()]


def _months(start: pd.Series, end: pd.Series) -> pd.Series:
    return (end.dt.year - start.dt.year) * 12 + end.dt.month - start.dt.month + 1


# ---- the intended path ---------------------------------------------------------------------
def test_bhyt_path_goes_through_the_published_year_ends(out: Path) -> None:
    path = _truth(out, "coverage_path")
    bhyt = path[path.indicator == "bhyt_rate"].set_index("reference_date").intended_rate
    # DOMAIN.md: 93.35 % at the end of 2023, 95.16 % at the end of 2025
    assert bhyt[dt.date(2023, 12, 31)] == pytest.approx(0.9335, abs=1e-4)
    assert bhyt[dt.date(2025, 12, 31)] == pytest.approx(0.9516, abs=1e-4)
    steps = bhyt.sort_index().diff().dropna()
    assert (steps > 0).all() and (steps < 0.002).all()  # rising, smoothly
    history = path[(path.indicator == "bhyt_rate") & path.in_history]
    assert len(history) == 37  # the reference month-end and the 36 before it
    assert history.reference_date.min() == dt.date(2023, 10, 31)


def test_counts_reach_the_seeds_figures_on_the_reference_date(out: Path) -> None:
    path = _truth(out, "coverage_path")
    now = path[path.reference_date == AS_OF].set_index("scheme")
    assert now.loc["bhxh_compulsory", "true_count"] == round(1_115_590 * FACTOR)
    assert now.loc["bhxh_voluntary", "true_count"] == round(40_100 * FACTOR)
    assert now.loc["bhtn", "true_count"] == round(1_077_108 * FACTOR)
    # three years earlier there were fewer, as the national series rose
    before = path[path.reference_date == dt.date(2023, 10, 31)].set_index("scheme")
    for scheme in ("bhxh_compulsory", "bhxh_voluntary", "bhtn"):
        growth = (now.loc[scheme, "true_count"] / before.loc[scheme, "true_count"]) ** (1 / 3)
        assert 1.02 < growth < 1.12, scheme


# ---- household cards -----------------------------------------------------------------------
def test_household_cards_run_twelve_months_bought_in_household_batches(out: Path) -> None:
    s = _spells(out)
    persons = _truth(out, "persons").set_index("person_id")
    cards = s[(s.source == "household") & (s.start >= pd.Timestamp("2024-01-01"))].copy()
    whole = cards[(cards.start.dt.day == 1) & ((cards.end + pd.Timedelta(days=1)).dt.day == 1)]
    assert len(whole) / len(cards) > 0.95  # whole months (a few end at a death or a move)
    length = _months(whole.start, whole.end)
    assert length.max() == 12 and (length == 12).mean() > 0.6  # or to the household's month
    # members of a household buy together: where two or more members hold household cards
    # bought within the same twelve months, they mostly bought them in the same month
    cards["household"] = cards.true_person_id.map(persons.household_id)
    cards["year"] = cards.start.dt.year
    years = cards.groupby(["household", "year"]).start
    several = years.transform("size") >= 2
    same = years.transform("nunique") == 1
    assert (same[several]).mean() > 0.5


def test_renewals_on_time_late_or_never(out: Path) -> None:
    s = _spells(out)
    cards = s[(s.participant_group == "household") & (s.source == "household")]
    cards = cards.sort_values(["true_person_id", "start"])
    nxt = cards.groupby("true_person_id").start.shift(-1)
    ended = cards[cards.end < pd.Timestamp(AS_OF)]
    gap = (nxt[ended.index] - ended.end).dt.days - 1
    on_time = (gap == 0).mean()
    late = gap.between(1, 150).mean()
    never = gap.isna().mean()
    assert on_time > 0.5 and late > 0.03 and never > 0.03, (on_time, late, never)


# ---- pupils --------------------------------------------------------------------------------
def test_school_year_cards_peak_in_autumn(out: Path) -> None:
    s = _spells(out)
    cards = s[s.participant_group == "student"]
    starts = cards.start.dt.month.value_counts()
    assert starts.idxmax() == 10
    assert starts[10] > 0.7 * len(cards)
    october = cards[cards.start.dt.month == 10]
    assert (october.start.dt.day == 1).mean() > 0.98  # the others arrived in October
    whole = october[october.end.dt.month == 9]  # a school year (or cut by a death, a move)
    year_on = (whole.end.dt.day == 30) & (whole.end.dt.year == whole.start.dt.year + 1)
    assert year_on.mean() > 0.98


# ---- voluntary BHXH ------------------------------------------------------------------------
def test_voluntary_paid_monthly_quarterly_half_yearly_yearly_or_for_years(out: Path) -> None:
    s = _spells(out)
    vol = s[s.scheme == "bhxh_voluntary"]
    # whole months, but for people who moved in, moved out or died within one
    assert (vol.start.dt.day == 1).mean() > 0.98
    assert ((vol.end + pd.Timedelta(days=1)).dt.day == 1).mean() > 0.98
    length = _months(vol.start, vol.end)
    counts = length.value_counts()
    for months in (1, 3, 6, 12, 36):
        assert counts.get(months, 0) > 0, months
    assert length.isin([1, 3, 6, 12, 36]).mean() > 0.85  # the rest cut by a job or a move
    assert (vol.end > pd.Timestamp(AS_OF)).any()  # paid ahead


# ---- jobs and the ledger -------------------------------------------------------------------
def test_jobs_follow_hiring_moving_and_leaving_and_the_ledger_agrees(out: Path) -> None:
    jobs = _truth(out, "employments")
    jobs["start"] = pd.to_datetime(jobs.start_date)
    jobs["end"] = pd.to_datetime(jobs.end_date)
    here = jobs[jobs.in_province]
    assert set(here.kind) == {"current", "previous", "lapsed"}
    # nobody holds two jobs here at once
    here = here.sort_values(["person_id", "start"])
    previous_end = here.groupby("person_id").end.shift()
    assert not (here.start <= previous_end).any()
    # a worker who moved employer started the next job within three months
    moved = here[here.kind == "previous"]
    following = here.groupby("person_id").start.shift(-1)[moved.index]
    gap = _months(moved.end, following) - 2
    assert gap.between(0, 2).all()
    employer_after = here.groupby("person_id").employer_code.shift(-1)[moved.index]
    assert (employer_after != moved.employer_code).mean() > 0.8
    # the ledger's declared headcount is the declared jobs in force in the month
    ledger = pq.read_table(out / "inputs" / "contribution_ledger.parquet").to_pandas()
    ledger["period"] = pd.to_datetime(ledger.period)
    declared = here[here.declared & here.employer_code.notna()]
    for month in (pd.Timestamp("2023-10-01"), pd.Timestamp("2025-03-01"), pd.Timestamp(AS_OF)):
        first = month.replace(day=1)
        last = first + pd.offsets.MonthEnd(0)
        on = declared[(declared.start <= last) & (declared.end.isna() | (declared.end >= first))]
        want = on.groupby("employer_code").size()
        got = ledger[ledger.period == first].set_index("employer_code").declared_headcount
        assert got.to_dict() == want.to_dict(), month


# ---- entries and exits ---------------------------------------------------------------------
def test_people_enter_and_leave_the_register(out: Path) -> None:
    persons = _truth(out, "persons")
    residents = persons[persons.resident]
    first = pd.Timestamp("2022-01-01")
    assert (pd.to_datetime(residents.birth_date) >= first).sum() > 0
    assert residents.moved_in_date.notna().sum() > 0
    assert residents.moved_out_date.notna().sum() > 0
    assert residents.death_date.notna().sum() > 0
    # retiring: a job that ended the month its holder reached the statutory age, and the
    # social-insurance fund's card from the month after
    jobs = _truth(out, "employments")
    jobs = jobs[(jobs.kind == "lapsed") & jobs.in_province]
    people = residents.set_index("person_id")
    retired: list[str] = []
    for _, job in jobs.iterrows():
        who = people.loc[job.person_id]
        reach = retirement_age(who.sex, who.birth_date)["reaches_on"]
        if f"{job.end_date:%Y-%m}" == reach:
            retired.append(job.person_id)
    assert len(retired) > 0
    s = _spells(out)
    pension = s[(s.participant_group == "pensioner") & s.true_person_id.isin(retired)]
    assert pension.true_person_id.nunique() > 0.8 * len(set(retired))
    assert (pension.start.dt.day == 1).all()


# ---- budget shares from the rules ----------------------------------------------------------
def test_budget_obligations_use_the_rules_support_shares(out: Path) -> None:
    b = pd.read_csv(out / "inputs" / "budget_obligations.csv", encoding="utf-8-sig")
    b = b[b["Số người"] > 0]
    month = pd.to_datetime(b["Tháng"], dayfirst=True)
    per_person = b["Số phải chuyển"] / b["Số người"]
    # 2,340,000 base salary × 4.5 % household rate × the budget's share (Decree 188/2025:
    # pupils 30 % before the 2025-26 school year, 50 % from it; near-poor 70 %; state 100 %)
    expected: dict[tuple[str, bool], float] = {
        ("student", False): 31_590,
        ("student", True): 52_650,
        ("near_poor", False): 73_710,
        ("near_poor", True): 73_710,
        ("child_under_6", False): 105_300,
        ("child_under_6", True): 105_300,
    }
    since = month >= pd.Timestamp("2025-09-01")
    checked = 0
    for (group, later), amount in expected.items():
        rows = (b["Nhóm đối tượng"] == group) & (since == later)
        if rows.any():
            assert (per_person[rows] == amount).all(), (group, later)
            checked += 1
    assert checked == len(expected)


def test_voluntary_lapses_this_year_are_on_the_lists(out: Path) -> None:
    lists = _truth(out, "potential")
    counts: dict[str, Any] = lists.reason.value_counts().to_dict()
    # the uncovered are both recent lapses and people not covered for longer
    assert counts["lapsed_bhyt"] > 0 and counts["not_covered"] > 0
    assert 0.2 < counts["lapsed_bhyt"] / (counts["lapsed_bhyt"] + counts["not_covered"]) < 0.8
    assert counts["lapsed_voluntary"] > 0
