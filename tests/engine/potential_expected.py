"""The potential lists recomputed with pandas from the synthetic province's truth files —
independently of the engine (nothing from baophu.engine is called; the rules' working-age
test is the only library function used).

``expected(folder, observable=True)`` gives, per reason, the set of keys that should be on the
list: the personal ID for people, ``school_rosters:<record>`` / ``benefit_lists:<record>`` for
list rows that cannot be identified.  With ``observable=False`` every row is read with its
true identity (what ``truth/potential.parquet`` records); with ``observable=True`` only what
the deterministic identity rules can see: an enrolment row counts for its person when its ID
was not mistyped or the person has a legacy social-insurance code; a roster or benefit-list
row is identified when its ID was left intact.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from baophu.contracts.tables import PARTICIPANT_GROUPS
from baophu.rules import is_working_age

D = dt.date(2026, 10, 31)
Y0 = dt.date(2026, 1, 1)
DUE, GAP, AHEAD = 30, 90, 60
FAR = pd.Timestamp("2999-12-31")
SUBSIDY = {
    "near_poor": "near_poor_ending",
    "ethnic_minority_hardship": "commune_leaving",
    "child_under_6": "turning_6",
}
SELF_PAID = {"household", "farming_average", "student", "other"}


def _truth(folder: Path, name: str) -> pd.DataFrame:
    return pq.read_table(folder / "truth" / f"{name}.parquet").to_pandas()


def _age(birth: pd.Series) -> pd.Series:
    b = pd.to_datetime(birth)
    before = (b.dt.month > D.month) | ((b.dt.month == D.month) & (b.dt.day > D.day))
    return D.year - b.dt.year - before.astype(int)


def expected(folder: Path, observable: bool = True) -> dict[str, set[str]]:
    persons = _truth(folder, "persons")
    spells = _truth(folder, "enrolments")
    d = pd.Timestamp(D)
    y0 = pd.Timestamp(Y0)
    res = persons[persons.resident].copy()
    res["death"] = pd.to_datetime(res.death_date)
    living = res[res.death.isna() | (res.death > d)].copy()
    living = living[pd.to_datetime(living.birth_date) <= d]
    # living here on D: not moved out on or before D, not moved in after it
    living = living[
        pd.to_datetime(living.moved_out_date).isna() | (pd.to_datetime(living.moved_out_date) > d)
    ]
    living = living[
        pd.to_datetime(living.moved_in_date).isna() | (pd.to_datetime(living.moved_in_date) <= d)
    ]

    # the spells each person is seen to hold
    s = spells.copy()
    if observable:
        si = persons.set_index("person_id").si_code.notna()
        has_si = s.true_person_id.map(si).fillna(False).astype(bool)
        s = s[~s.id_noise.isin(["mistyped", "someone_elses_id"]) | has_si]
    s["start"] = pd.to_datetime(s.start_date)
    s["end"] = pd.to_datetime(s.end_date)
    s["endf"] = s.end.fillna(FAR)
    s["active"] = (s.start <= d) & (s.endf >= d)
    pid = "true_person_id"

    def holders(mask: pd.Series) -> set[str]:
        return set(s.loc[mask, pid])

    bhyt, vol, comp = (
        s.scheme == "bhyt",
        s.scheme == "bhxh_voluntary",
        s.scheme == "bhxh_compulsory",
    )
    bhyt_on = holders(bhyt & s.active)
    vol_on = holders(vol & s.active)
    comp_on = holders(comp & s.active)
    alive_ids = set(living.person_id)
    out: dict[str, set[str]] = {}

    def last_end(mask: pd.Series) -> pd.Series:
        return s[mask].groupby(pid).end.max()

    # lapses
    lb = last_end(bhyt & (s.start <= d) & s.end.notna() & (s.end < d))
    lapsed_bhyt = {p for p, e in lb.items() if e >= y0 and p not in bhyt_on and p in alive_ids}
    out["lapsed_bhyt"] = lapsed_bhyt
    lv = last_end(vol & (s.start <= d) & s.end.notna() & (s.end < d))
    out["lapsed_voluntary"] = {
        p
        for p, e in lv.items()
        if e >= y0 and p not in vol_on and p not in comp_on and p in alive_ids
    }

    # due
    rank = {g: i for i, g in enumerate(PARTICIPANT_GROUPS)}
    s["group_rank"] = s.participant_group.map(rank)
    for reason, mask in (("due_bhyt", bhyt), ("due_voluntary", vol)):
        act = s[mask & s.active].sort_values([pid, "endf", "group_rank"])
        latest = act.groupby(pid).tail(1).set_index(pid)
        nxt = s[mask & (s.start > d)].groupby(pid).start.min()
        keep = set()
        for p, row in latest.iterrows():
            e = row.endf
            if p not in alive_ids or e == FAR or not (d <= e <= d + pd.Timedelta(days=DUE)):
                continue
            if p in nxt.index and nxt[p] <= e + pd.Timedelta(days=1):
                continue
            if reason == "due_bhyt" and row.participant_group not in SELF_PAID:
                continue
            keep.add(p)
        out[reason] = keep

    # lost subsidy
    lo, hi = d - pd.Timedelta(days=GAP), d + pd.Timedelta(days=AHEAD)
    sub = s[
        bhyt
        & s.participant_group.isin(list(SUBSIDY))
        & s.end.notna()
        & (s.start <= hi)
        & (s.end >= lo)
        & (s.end <= hi)
    ]
    sub_end = sub.groupby(pid).end.max()
    keep = set()
    for p, e in sub_end.items():
        if p not in alive_ids:
            continue
        mine = s[(s[pid] == p) & bhyt]
        covers = mine[(mine.start <= e + pd.Timedelta(days=1)) & (mine.endf > e)]
        if len(covers) or (e < d and p in bhyt_on):
            continue
        keep.add(p)
    out["subsidy_ending"] = keep

    # household members, not covered, the voluntary pool
    living["bhyt_on"] = living.person_id.isin(bhyt_on)
    covered_hh = set(living.loc[living.bhyt_on, "household_id"])
    unc = living[~living.bhyt_on]
    out["household_member"] = set(unc.loc[unc.household_id.isin(covered_hh), "person_id"])
    out["not_covered"] = set(unc.person_id) - lapsed_bhyt
    working = [
        is_working_age(b, sex, D) for b, sex in zip(living.birth_date, living.sex, strict=True)
    ]
    pool = living[pd.Series(working, index=living.index)]
    out["voluntary_pool"] = {p for p in pool.person_id if p not in comp_on and p not in vol_on}

    # pupils
    rl = _truth(folder, "roster_links")
    rl["record"] = (
        "school_rosters:"
        + rl.school_year
        + "|"
        + rl.school_code
        + "|"
        + rl.class_name
        + "|"
        + rl.row_no.astype(str)
    )
    intact = (rl.id_noise == "none") if observable else pd.Series(True, index=rl.index)
    ident = rl[intact & rl.resident]
    out["pupil"] = {p for p in ident.person_id if p in alive_ids and p not in bhyt_on}
    unid = rl[~(intact & rl.resident)]
    if observable:
        out["pupil_unidentified"] = set(unid.record)
    else:
        out["pupil_unidentified"] = set(unid.loc[~unid.person_id.isin(bhyt_on), "record"])

    # new budget-paid groups
    bl = _truth(folder, "benefit_links")
    lists = pd.read_csv(folder / "inputs" / "benefit_lists.csv", dtype=str)
    bl["birth"] = pd.to_datetime(lists["Ngày sinh"].values, format="%d/%m/%Y")
    bl["record"] = (
        "benefit_lists:"
        + pd.to_datetime(bl.list_month).dt.strftime("%Y-%m-%d")
        + "|"
        + bl.benefit
        + "|"
        + bl.commune_code
        + "|"
        + bl.row_no.astype(str)
    )
    bl["age"] = _age(bl.birth)
    cls = persons.set_index("person_id").classification
    bl["near_poor"] = bl.person_id.map(cls).eq("near_poor")
    identified = (bl.id_noise == "none") if observable else pd.Series(True, index=bl.index)
    survivor = bl.benefit == "survivor_allowance"
    eligible_known = (bl.benefit == "social_pension") | (
        survivor & ((bl.age >= 75) | ((bl.age >= 70) & bl.near_poor))
    )
    eligible_list = (bl.benefit == "social_pension") | (survivor & (bl.age >= 75))
    found = bl[identified & eligible_known]
    nsg = {p for p in found.person_id if p in alive_ids and p not in bhyt_on}
    nsg |= set(bl.loc[~identified & eligible_list, "record"])
    out["new_state_group"] = nsg
    return out


def truth_lists(folder: Path) -> dict[str, set[str]]:
    """``truth/potential.parquet`` as sets of keys per reason (as ``expected`` names them)."""
    t = _truth(folder, "potential")
    out: dict[str, set[str]] = {}
    for reason, g in t.groupby("reason"):
        if reason == "pupil_unidentified":
            rl = _truth(folder, "roster_links")
            g = g.assign(row_no=g.row_no.astype("int64"))
            keyed = g.merge(rl, on=["school_code", "class_name", "row_no"], suffixes=("", "_r"))
            keys = set(
                "school_rosters:"
                + keyed.school_year
                + "|"
                + keyed.school_code
                + "|"
                + keyed.class_name
                + "|"
                + keyed.row_no.astype(str)
            )
        else:
            keys = set(g.person_id)
        out[str(reason)] = keys
    return out
