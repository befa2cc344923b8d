"""Ground truth of the potential lists: who truly belongs on each list on the reference date.

Computed from the true spells (after the planted faults, with true identities — no ID noise),
the true households, school rosters and benefit lists, with the definitions of docs/lists.md
(due and lapse windows of 30 days and the calendar year, a lost subsidy from 90 days before
to 60 days after the reference date).  Written to ``truth/potential.parquet``: one row per
person (or roster / list row) and reason, with ``event_date`` (lapse, due, subsidy end or
benefit start) and ``kind`` (the lost subsidy, the benefit, the group of the due card).  The
engine sees the noisy inputs instead, so its lists differ from these where an ID was lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from baophu.contracts.tables import PARTICIPANT_GROUPS
from baophu.contracts.vocabularies import (
    REASONS,
    SELF_PAID_GROUPS,
    SUBSIDY_GROUPS,
)
from baophu.rules.budget_paid import new_groups
from baophu.synth.benefits import BenefitLists
from baophu.synth.classifications import NEAR_POOR, Classifications
from baophu.synth.context import Context
from baophu.synth.enrolments import NAT, Enrolled, G, S
from baophu.synth.people import People
from baophu.synth.rates import retirement_month, working_age_from
from baophu.synth.schools import Rosters
from baophu.synth.strings import categorical, date_array, take

DUE_DAYS = 30
GAP_DAYS = 90
SUBSIDY_DAYS = 60
_FAR = np.datetime64("2999-12-31", "D")


@dataclass
class _Rows:
    person: list[np.ndarray]
    reason: list[np.ndarray]
    event: list[np.ndarray]
    kind: list[np.ndarray]
    key: list[np.ndarray]  # roster / list row index, -1 for person rows

    def add(
        self,
        person: np.ndarray,
        reason: str,
        event: np.ndarray | None = None,
        kind: np.ndarray | None = None,
        key: np.ndarray | None = None,
    ) -> None:
        n = len(person)
        self.person.append(np.asarray(person, dtype=np.int64))
        self.reason.append(np.full(n, REASONS.index(reason), dtype=np.int64))
        self.event.append(np.full(n, NAT) if event is None else np.asarray(event, "datetime64[D]"))
        self.kind.append(np.full(n, "", dtype=object) if kind is None else np.asarray(kind, object))
        self.key.append(np.full(n, -1, dtype=np.int64) if key is None else key)


def _per_person_max(n: int, person: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Largest date per person (NaT where none)."""
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(out, person, days.astype("datetime64[D]").astype(np.int64))
    res = out.astype("datetime64[D]")
    res[out == np.iinfo(np.int64).min] = NAT
    return res


def _last_of(n: int, person: np.ndarray, end: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Per person, ``code`` of the row with the largest (end, code) (-1 where none)."""
    key = end.astype("datetime64[D]").astype(np.int64) * 1000 + code
    best = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(best, person, key)
    return np.where(best == np.iinfo(np.int64).min, -1, best % 1000)


def _working_age(people: People, on: np.datetime64) -> np.ndarray:
    """From the 15th birthday to the end of the month the retirement age is reached (both
    from ``baophu.rules``, through ``rates``)."""
    day = np.asarray(on, dtype="datetime64[D]")
    started = working_age_from(people.birth) <= day
    return started & (retirement_month(people.birth, people.female) >= day.astype("datetime64[M]"))


def potential_truth(
    ctx: Context,
    people: People,
    cls: Classifications,
    e: Enrolled,
    rosters: Rosters,
    benefits: BenefitLists,
) -> pa.Table:
    """The true potential lists (see the module docstring)."""
    n = people.n
    d = ctx.as_of_d
    y0 = np.datetime64(f"{ctx.as_of.year}-01-01", "D")
    living = people.living
    end = np.where(np.isnat(e.end), _FAR, e.end)
    active = (e.start <= d) & (end >= d)
    bhyt = e.scheme == S["bhyt"]
    vol = e.scheme == S["bhxh_voluntary"]
    comp = e.scheme == S["bhxh_compulsory"]

    def flag(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[e.person[mask]] = True
        return out

    bhyt_on, vol_on, comp_on = flag(bhyt & active), flag(vol & active), flag(comp & active)
    rows = _Rows([], [], [], [], [])

    # lapses: the last spell that began by D ended this year before D
    for scheme_mask, on, reason, extra in (
        (bhyt, bhyt_on, "lapsed_bhyt", np.ones(n, dtype=bool)),
        (vol, vol_on, "lapsed_voluntary", ~comp_on),
    ):
        ended = scheme_mask & (e.start <= d) & (end < d)
        last = _per_person_max(n, e.person[ended], end[ended])
        hit = living & ~on & extra & ~np.isnat(last) & (last >= y0)
        idx = np.flatnonzero(hit)
        rows.add(idx, reason, last[idx])
    lapsed_bhyt = np.zeros(n, dtype=bool)
    lapsed_bhyt[rows.person[0]] = True

    # due: the latest end of the cards in force, within 30 days, no renewal starting by then
    for scheme_mask, on, reason in ((bhyt, bhyt_on, "due_bhyt"), (vol, vol_on, "due_voluntary")):
        act = scheme_mask & active
        latest = _per_person_max(n, e.person[act], end[act])
        group = _last_of(n, e.person[act], end[act], e.group[act].astype(np.int64))
        future = scheme_mask & (e.start > d)
        first_future = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_future, e.person[future], e.start[future].astype(np.int64))
        renewed = first_future <= (latest.astype(np.int64) + 1)
        due = living & on & (latest >= d) & (latest <= d + DUE_DAYS) & ~renewed
        if reason == "due_bhyt":
            paid = np.isin(group, [G[g] for g in SELF_PAID_GROUPS])
            due &= paid
        idx = np.flatnonzero(due)
        kinds = take(list(PARTICIPANT_GROUPS), np.maximum(group[idx], 0)).to_numpy(
            zero_copy_only=False
        )
        rows.add(idx, reason, latest[idx], kinds)

    # lost subsidy: a subsidised card ending from 90 days before to 60 days after D, with no
    # other card covering the next day (and, when it ended before D, no card on D)
    sub = bhyt & np.isin(e.group, [G[g] for g in SUBSIDY_GROUPS]) & (e.start <= d + SUBSIDY_DAYS)
    sub &= (end >= d - GAP_DAYS) & (end <= d + SUBSIDY_DAYS)
    sub_end = _per_person_max(n, e.person[sub], end[sub])
    sub_group = _last_of(n, e.person[sub], end[sub], e.group[sub].astype(np.int64))
    cand = ~np.isnat(sub_end)
    pe = sub_end[e.person]
    covers_next = bhyt & cand[e.person] & (e.start <= pe + 1) & (end > pe)
    continued = flag(covers_next)
    hit = living & cand & ~continued & ((sub_end >= d) | ~bhyt_on)
    idx = np.flatnonzero(hit)
    names = {G[g]: k for g, k in SUBSIDY_GROUPS.items()}
    rows.add(idx, "subsidy_ending", sub_end[idx], np.array([names[g] for g in sub_group[idx]]))

    # new budget-paid groups: listed, eligible on D, no BHYT
    b = benefits.table
    bp = benefits.person
    benefit = b["benefit"].to_numpy(zero_copy_only=False)
    age = people.age[bp]
    near_poor = cls.person_kind(people, d)[bp] == NEAR_POOR
    groups = new_groups(ctx.as_of)  # the amended BHYT law's ages (parameters.toml)
    oldest = groups.survivor_min_age if groups else 999
    near_poor_from = groups.survivor_near_poor_min_age if groups else 999
    eligible = ((benefit == "social_pension") & (groups is not None)) | (
        (benefit == "survivor_allowance")
        & ((age >= oldest) | ((age >= near_poor_from) & (age < oldest) & near_poor))
    )
    since = b["benefit_from"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    keep = eligible & living[bp] & ~bhyt_on[bp] & (since <= d)
    rows_b = np.flatnonzero(keep)
    rows.add(bp[rows_b], "new_state_group", since[rows_b], benefit[rows_b], rows_b)

    # pupils: roster rows of residents without BHYT (each person once, first row); rows of
    # people not in the register are the unidentified ones (no BHYT of their own here)
    rp = rosters.person
    in_register = people.resident[rp]
    first = np.zeros(len(rp), dtype=bool)
    _, first_idx = np.unique(rp, return_index=True)
    first[first_idx] = True
    ok = first & in_register & living[rp] & ~bhyt_on[rp]
    r_idx = np.flatnonzero(ok)
    rows.add(rp[r_idx], "pupil", key=r_idx)
    unid = np.flatnonzero(~in_register & ~bhyt_on[rp])
    rows.add(rp[unid], "pupil_unidentified", key=unid)

    # household members: no BHYT, someone in the household has it
    hh = people.household
    res = hh >= 0
    covered_hh = np.zeros(people.n_households, dtype=bool)
    covered_hh[hh[res & living & bhyt_on]] = True
    member = living & ~bhyt_on & res & covered_hh[np.maximum(hh, 0)]
    rows.add(np.flatnonzero(member), "household_member")

    # not covered (never, or not since before this year)
    rows.add(np.flatnonzero(living & ~bhyt_on & ~lapsed_bhyt), "not_covered")

    # the voluntary pool
    pool = living & _working_age(people, d) & ~comp_on & ~vol_on
    rows.add(np.flatnonzero(pool), "voluntary_pool")

    person = np.concatenate(rows.person)
    code = np.concatenate(rows.reason)
    event = np.concatenate(rows.event)
    kind = np.concatenate(rows.kind)
    key = np.concatenate(rows.key)
    is_roster = np.isin(code, [REASONS.index("pupil"), REASONS.index("pupil_unidentified")])
    is_list = np.asarray(code == REASONS.index("new_state_group"))
    rt, bt = rosters.table, benefits.table

    def keyed(table: pa.Table, column: str, mask: np.ndarray) -> pa.Array:
        values = table[column].combine_chunks()
        return pc_where(mask, values, key)

    return pa.table(
        {
            "person_id": categorical(person, people.person_id),
            "reason": take(list(REASONS), code),
            "event_date": date_array(event),
            "kind": pa.array([k if k else None for k in kind], pa.string()),
            "school_code": keyed(rt, "school_code", is_roster),
            "class_name": keyed(rt, "class_name", is_roster),
            "row_no": keyed(rt, "row_no", is_roster),
            "list_benefit": keyed(bt, "benefit", is_list),
            "list_commune_code": keyed(bt, "commune_code", is_list),
            "list_row_no": keyed(bt, "row_no", is_list),
        }
    )


def pc_where(mask: np.ndarray, values: pa.Array, key: np.ndarray) -> pa.Array:
    """``values[key]`` where ``mask``, null elsewhere."""
    idx = pa.array(np.where(mask, np.maximum(key, 0), 0), type=pa.int64(), mask=~mask)
    return values.take(idx)
