"""Planted data-quality faults, ID noise, and the enrolments table with its truth.

Faults (recorded in ``truth/quality_faults.parquet``):

* ``duplicate_record`` — the same person enrolled twice in one scheme under two enrolment
  ids, once by personal ID and once by the legacy social-insurance code only;
* ``overlapping_bhyt`` — an employee whose BHYT the employer pays also holds a household card
  for the same months (the months are paid twice);
* ``bhxh_double_paid`` — an employee whose compulsory BHXH the employer pays also paid
  voluntary BHXH for some of the same months, more than three years ago (before the months
  whose counts and flows are calibrated; ``add_double_paid`` puts the months into the
  coverage path's truth where its grid reaches them);
* ``deceased_enrolled`` — a person who died and whose spells were never closed;
* ``budget_ineligible`` — a household BHYT card running well past the reference date turned
  into a near-poor card the budget supports, for someone whose household is on no poor or
  near-poor list on the reference date (one enrolment id);
* ``benefit_ineligible`` — a social-pension or survivor card valid on the reference date
  whose holder's row is left out of the benefit list of their commune
  (``plant_unlisted_benefits``: the cards are untouched, so coverage is as it was);
* ``student_ineligible`` — a pupil holding a valid student card whose roster row is made a
  row of the previous school year's roster, so their school's roster of this year no longer
  lists them (``plant_school_leavers``: the card runs on, coverage is as it was).

Input noise (recorded per row in ``truth/enrolments.parquet``): some rows carry only the
legacy code (person_id empty), some carry a mistyped personal ID, and a few carry someone
else's ID (``someone_elses_id``: another resident's real ID, of another birth date, on the
row of a resident who has no legacy code — the row stays its holder's in the truth, so the
owner's coverage truth is untouched, and the identity step must not count it for the
owner).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from baophu.contracts.tables import BENEFITS, PARTICIPANT_GROUPS, PAYERS, SCHEMES
from baophu.synth import noise
from baophu.synth.benefits import BenefitLists
from baophu.synth.context import Context
from baophu.synth.dates import month_end, month_start
from baophu.synth.employers import Firms
from baophu.synth.enrolments import NAT, SOURCES, Enrolled, G, MonthMasks, P, S
from baophu.synth.field import Field
from baophu.synth.geography import Geography
from baophu.synth.monthbits import span
from baophu.synth.people import People
from baophu.synth.rates import poverty_line
from baophu.synth.schools import Rosters
from baophu.synth.strings import categorical, date_array, digits, masked, take

FAULT_KINDS = (
    "duplicate_record",
    "overlapping_bhyt",
    "deceased_enrolled",
    "budget_ineligible",
    "bhxh_double_paid",
)
BENEFIT_FAULT = "benefit_ineligible"  # planted in the benefit lists, not in the enrolments
UNLISTED_SHARE = 0.01  # of valid benefit-group cards whose holder is on their commune's list
LEAVER_FAULT = "student_ineligible"  # planted in the rosters, not in the enrolments
LEAVER_SHARE = 0.002  # of pupils on one roster row holding one valid student card
LEAVER_MIN_PUPILS = 5  # the school's roster of the year still lists others
DUPLICATE, OVERLAP, DECEASED, BUDGET, DOUBLE_PAID = range(5)
DUPLICATE_SHARE = 0.002  # of active household-BHYT and voluntary rows
OVERLAP_SHARE = 0.003  # of active employees' BHYT rows (residents)
DOUBLE_PAID_SHARE = 0.001  # of active employees' compulsory BHXH rows (residents)
DP_AGO = 38  # months before the reference month the planted voluntary BHXH ends, at least
DECEASED_OPEN_SHARE = 0.15  # of the deceased who had an open spell
BUDGET_SHARE = 0.002  # of active household cards of people on no poor / near-poor list
BUDGET_MIN_DAYS_LEFT = 90  # the card runs past every renewal and subsidy window of the lists
LISTED_KINDS = (0, 1)  # synth.classifications: POOR, NEAR_POOR
SI_ONLY_SHARE = 0.02
MISTYPED_SHARE = 0.005
OTHER_ID_SHARE = 0.002  # of the old, followed rows with a clean ID and no legacy code
OTHER_ID_MIN_AGE_DAYS = 730  # the row ended at least two years before the reference date


@dataclass
class EnrolmentFiles:
    """The enrolments table (input), its truth, and the faults."""

    table: pa.Table
    truth: pa.Table
    faults: pa.Table
    final: Enrolled  # the spells as written (after faults), rows as in ``table``
    fault: np.ndarray  # fault kind per row (-1 none)
    id_noise: np.ndarray
    order: np.ndarray  # row order of the files (by enrolment id)


def _concat(e: Enrolled, rows: np.ndarray, extra: Enrolled) -> Enrolled:
    """Rows ``rows`` of ``e`` followed by all rows of ``extra``."""
    out = [
        np.concatenate([np.take(a, rows), b])
        for a, b in zip(e.columns(), extra.columns(), strict=True)
    ]
    return Enrolled.of(out, e.household_p, e.person_group)


def _within_residence(people: People, e: Enrolled) -> np.ndarray:
    """Spells of residents who moved in start the day they arrived, and those of residents
    who moved out end the day before they left; returns which spells are left (not wholly
    outside the residence)."""
    since = np.take(people.resident_from, e.person)
    gone = np.take(people.moved_out, e.person)
    arrived = ~np.isnat(since) & (e.start < since)
    e.start = np.where(arrived, since, e.start)
    left = ~np.isnat(gone) & (np.isnat(e.end) | (e.end >= gone))
    e.end = np.where(left, gone - np.timedelta64(1, "D"), e.end)
    return np.asarray(np.isnat(e.end) | (e.end >= e.start))


def _paid_twice(
    e: Enrolled,
    rows: np.ndarray,
    kind: tuple[str, str, str],
    first: np.ndarray,
    last: np.ndarray,
    wage: int,
) -> Enrolled:
    """A second spell (``kind``: scheme, group, payer; collected, no employer) for the people
    of ``rows`` from the month ``first`` to the month ``last``: months paid twice."""
    n = len(rows)
    scheme, group, payer = kind
    return Enrolled(
        person=e.person[rows],
        scheme=np.full(n, S[scheme], np.int8),
        group=np.full(n, G[group], np.int8),
        payer=np.full(n, P[payer], np.int8),
        firm=np.full(n, -1, np.int64),
        job=np.full(n, -1, np.int64),
        province=np.zeros(n, np.int64),
        start=month_start(first),
        end=month_end(last),
        wage=np.full(n, wage, np.int64),
        collected=np.ones(n, bool),
        source=np.full(n, SOURCES.index("double_paid"), np.int8),
        household_p=e.household_p,
    )


def plant_faults(
    ctx: Context, people: People, e: Enrolled, listed_kind: np.ndarray | None = None
) -> tuple[Enrolled, np.ndarray, np.ndarray]:
    """Keep spells within residence, close the spells of the dead (except the planted ones),
    add duplicates and overlaps, and (given each person's household list on the reference
    date, ``listed_kind``: -1 none) turn a few household cards into near-poor cards.

    Returns the spells, the fault kind of each row (-1 none) and, for duplicate and
    overlapping rows, the row they pair with (-1 otherwise).
    """
    rng = ctx.rng("faults")
    as_of = ctx.as_of_d
    lived = _within_residence(people, e)
    death = np.take(people.death, e.person)
    dead = ~np.isnat(death)
    keep = lived & ~(dead & (e.start > death))
    open_after = keep & dead & (np.isnat(e.end) | (e.end > death))
    victims = np.unique(e.person[open_after])
    planted = victims[rng.random(len(victims)) < DECEASED_OPEN_SHARE]
    is_planted = open_after & np.isin(e.person, planted)
    e.end = np.where(open_after & ~is_planted, death, e.end)

    alive_res = people.living
    active = keep & e.active(as_of)
    has_si = people.si_prefix >= 0
    # duplicates: household BHYT and voluntary BHXH rows re-entered under the legacy code
    cand = np.flatnonzero(
        active
        & alive_res[e.person]
        & has_si[e.person]
        & (
            ((e.scheme == S["bhyt"]) & (e.group == G["household"]))
            | (e.scheme == S["bhxh_voluntary"])
        )
    )
    k = max(1, round(DUPLICATE_SHARE * len(cand))) if len(cand) else 0
    dup_src = np.sort(rng.choice(cand, size=k, replace=False)) if k else cand[:0]
    # overlapping: an employee also bought a household card
    cand = np.flatnonzero(
        active
        & alive_res[e.person]
        & (e.scheme == S["bhyt"])
        & (e.group == G["employee"])
        & (e.province == 0)
    )
    k = max(1, round(OVERLAP_SHARE * len(cand))) if len(cand) else 0
    ov_src = np.sort(rng.choice(cand, size=k, replace=False)) if k else cand[:0]
    n_ov = len(ov_src)
    # within the employer's card (any earlier household card of theirs ended before it)
    st_m = ctx.as_of_month - rng.integers(0, 11, n_ov).astype("timedelta64[M]")
    st_m = np.maximum(st_m, e.start[ov_src].astype("datetime64[M]"))
    ov = _paid_twice(e, ov_src, ("bhyt", "household", "household"), st_m, st_m + 11, -1)

    # double-paid BHXH: a long-standing employee also paid voluntary BHXH, on the poverty
    # line's income, for 1 to 9 months within the employer's spell, more than three years
    # ago (before the 36 months whose monthly flows the history is calibrated on)
    cand = np.flatnonzero(
        active
        & alive_res[e.person]
        & (e.scheme == S["bhxh_compulsory"])
        & (e.province == 0)
        & (e.start.astype("datetime64[M]") <= ctx.as_of_month - np.timedelta64(DP_AGO + 9, "M"))
    )
    k = max(1, round(DOUBLE_PAID_SHARE * len(cand))) if len(cand) else 0
    dp_src = np.sort(rng.choice(cand, size=k, replace=False)) if k else cand[:0]
    n_dp = len(dp_src)
    dp_last = ctx.as_of_month - rng.integers(DP_AGO, DP_AGO + 3, n_dp).astype("timedelta64[M]")
    dp_m = dp_last - rng.integers(0, 9, n_dp).astype("timedelta64[M]")
    dp_m = np.maximum(dp_m, e.start[dp_src].astype("datetime64[M]"))
    voluntary = ("bhxh_voluntary", "voluntary", "self")
    dp = _paid_twice(e, dp_src, voluntary, dp_m, dp_last, int(poverty_line(ctx.as_of)))

    budget_src = np.zeros(0, dtype=np.int64)
    if listed_kind is not None:
        unlisted = ~np.isin(listed_kind, LISTED_KINDS)
        long_enough = ~np.isnat(e.end) & (e.end > as_of + np.timedelta64(BUDGET_MIN_DAYS_LEFT, "D"))
        cand = np.flatnonzero(
            active
            & alive_res[e.person]
            & unlisted[e.person]
            & (e.scheme == S["bhyt"])
            & (e.group == G["household"])
            & (e.payer == P["household"])
            & (e.province == 0)
            & long_enough
        )
        cand = np.setdiff1d(cand, dup_src)
        k = max(1, round(BUDGET_SHARE * len(cand))) if len(cand) else 0
        budget_src = np.sort(rng.choice(cand, size=k, replace=False)) if k else cand
        e.group = e.group.copy()
        e.payer = e.payer.copy()
        e.collected = e.collected.copy()
        e.group[budget_src] = G["near_poor"]
        e.payer[budget_src] = P["budget_supported"]
        e.collected[budget_src] = False  # a near-poor card comes from the list, not a collector

    kept = np.flatnonzero(keep)
    dup = Enrolled.of((np.take(c, dup_src) for c in e.columns()), e.household_p)
    fault_src = np.full(e.n, -1, dtype=np.int64)
    fault_src[is_planted] = DECEASED
    fault_src[dup_src] = DUPLICATE
    fault_src[ov_src] = OVERLAP
    fault_src[budget_src] = BUDGET
    fault_src[dp_src] = DOUBLE_PAID
    fault = np.concatenate(
        [
            fault_src[kept],
            np.full(len(dup_src), DUPLICATE),
            np.full(n_ov, OVERLAP),
            np.full(n_dp, DOUBLE_PAID),
        ]
    )
    # rows: the kept spells, then the duplicates, the overlapping cards, the voluntary BHXH
    pos_of = np.full(e.n, -1, dtype=np.int64)
    pos_of[kept] = np.arange(len(kept))
    n_base, n_dup = len(kept), len(dup_src)
    pair = np.full(n_base + n_dup + n_ov + n_dp, -1, dtype=np.int64)
    pair[pos_of[dup_src]] = n_base + np.arange(n_dup)
    pair[n_base + np.arange(n_dup)] = pos_of[dup_src]
    pair[pos_of[ov_src]] = n_base + n_dup + np.arange(n_ov)
    pair[n_base + n_dup + np.arange(n_ov)] = pos_of[ov_src]
    pair[pos_of[dp_src]] = n_base + n_dup + n_ov + np.arange(n_dp)
    pair[n_base + n_dup + n_ov + np.arange(n_dp)] = pos_of[dp_src]
    extra = Enrolled.of(
        (
            np.concatenate([a, b, c])
            for a, b, c in zip(dup.columns(), ov.columns(), dp.columns(), strict=True)
        ),
        e.household_p,
    )
    return _concat(e, kept, extra), fault, pair


def add_double_paid(masks: MonthMasks, files: EnrolmentFiles) -> None:
    """Put the planted double-paid voluntary months into ``masks.voluntary`` (the coverage
    path's truth), which ``build_enrolments`` computed before the faults were planted."""
    rows = np.flatnonzero(files.fault == DOUBLE_PAID)
    e = files.final
    base = np.asarray(masks.base, dtype="datetime64[M]")
    lo = (e.start[rows].astype("datetime64[M]") - base).astype(np.int64)
    hi = (e.end[rows].astype("datetime64[M]") - base).astype(np.int64)
    person = e.person[rows]
    np.bitwise_or.at(masks.voluntary, person, span(lo, hi) & masks.present[person])


def build_enrolment_files(
    ctx: Context,
    geo: Geography,
    people: People,
    firms: Firms,
    fld: Field,
    e: Enrolled,
    listed_kind: np.ndarray | None = None,
) -> EnrolmentFiles:
    """Plant faults and noise; build the enrolments table, its truth and the fault list
    (``listed_kind``: each person's household list on the reference date, -1 none)."""
    rng = ctx.rng("enrolment_noise")
    e, fault, pair = plant_faults(ctx, people, e, listed_kind)
    n = e.n
    # enrolment ids are numbered in a random order; files are written sorted by them
    order = rng.permutation(n)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    enrol_id = digits(rank + 1 + 10**9, 10, prefix="QT")

    has_si = np.take(people.si_prefix, e.person) >= 0
    codes = noise.draw_codes(
        rng, n, {noise.ID_SI_ONLY: SI_ONLY_SHARE, noise.ID_MISTYPED: MISTYPED_SHARE}
    )
    codes = np.where((codes == noise.ID_SI_ONLY) & ~has_si, noise.ID_NONE, codes)
    # of the two records of a duplicate, the one with the larger id carries only the legacy code
    dup = fault == DUPLICATE
    second = dup & (np.take(rank, np.maximum(pair, 0)) < rank)
    codes = np.where(second, noise.ID_SI_ONLY, codes)
    codes = np.where(dup & ~second & (codes == noise.ID_SI_ONLY), noise.ID_NONE, codes)
    codes = codes.astype(np.int8)
    typo_rows = np.flatnonzero(codes == noise.ID_MISTYPED)
    bad_ids = noise.mistype(rng, people.ids(e.person[typo_rows]))
    id_index = e.person.copy()
    id_index[typo_rows] = people.n + np.arange(len(typo_rows))
    other_rows, owners = _other_ids(ctx, people, e, codes, has_si, fault)
    codes[other_rows] = noise.ID_OTHER
    id_index[other_rows] = owners
    id_dict = pa.concat_arrays([people.person_id, bad_ids])
    ids = categorical(
        id_index, id_dict, null=(codes == noise.ID_MISSING) | (codes == noise.ID_SI_ONLY)
    )
    true_ids = categorical(e.person, people.person_id)

    employer = _employer_codes(firms, e)
    resident = np.take(people.resident, e.person)
    hamlet = np.where(resident, np.take(people.hamlet, e.person), 0)
    collector = fld.hamlet_collector[hamlet]
    prov = np.where(e.province > 0, e.province, ctx.province.code)
    prov_values = np.unique(prov)
    prov_codes = categorical(np.searchsorted(prov_values, prov), [f"{v:02d}" for v in prov_values])
    wage = masked(pa.array(np.maximum(e.wage, 0)), e.wage < 0)
    scheme = categorical(e.scheme, list(SCHEMES))
    group = categorical(e.group, list(PARTICIPANT_GROUPS))
    payer = categorical(e.payer, list(PAYERS))
    start, end = date_array(e.start), date_array(e.end)
    table = pa.table(
        {
            "enrolment_id": enrol_id,
            "person_id": ids,
            "si_code": categorical(e.person, people.si_code, null=~has_si),
            "full_name": categorical(e.person, people.all_names),
            "sex": categorical(people.female[e.person].astype(np.int8), ["male", "female"]),
            "birth_date": pa.array(people.birth[e.person], type=pa.date32()),
            "scheme": scheme,
            "participant_group": group,
            "payer": payer,
            "employer_code": employer,
            "start_date": start,
            "end_date": end,
            "contribution_wage": wage,
            "enrol_province_code": prov_codes,
            "hamlet_code": categorical(hamlet, geo.arrow("hamlet_codes"), null=~resident),
            "collector_code": categorical(
                collector, fld.collector_codes, null=~(e.collected & resident)
            ),
        }
    )
    truth = pa.table(
        {
            "enrolment_id": enrol_id,
            "true_person_id": true_ids,
            "resident": pa.array(resident),
            "alive": pa.array(np.isnat(np.take(people.death, e.person))),
            "scheme": scheme,
            "participant_group": group,
            "payer": payer,
            "start_date": start,
            "end_date": end,
            "enrol_province_code": prov_codes,
            "source": categorical(e.source, list(SOURCES)),
            "id_noise": categorical(codes, list(noise.ID_NOISE)),
            "fault": categorical(np.maximum(fault, 0), list(FAULT_KINDS), null=fault < 0),
        }
    )
    faults = _fault_table(people, e, fault, pair, enrol_id)
    return EnrolmentFiles(
        table=table,
        truth=truth,
        faults=faults,
        final=e,
        fault=fault,
        id_noise=codes,
        order=order,
    )


def _other_ids(
    ctx: Context,
    people: People,
    e: Enrolled,
    codes: np.ndarray,
    has_si: np.ndarray,
    fault: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows that will carry someone else's ID, and whose: rows with a clean ID (no fault) of
    residents without a legacy code (so only the identity step's remainder linkage sees
    them), ended two years or more before the reference date and followed by a later spell
    of the holder in the scheme (the lists, which read the state on the reference date, are
    as they were), each given the ID of another resident born on another day (not the
    same day and month swapped either), drawn from its own random stream."""
    rng = ctx.rng("other_ids")
    resident = np.take(people.resident, e.person)
    # a spell that ended long ago and that a later spell of the holder in the scheme
    # follows: the holder's state on the reference date, which the lists read, is the same
    key = e.person.astype(np.int64) * len(SCHEMES) + e.scheme
    uniq, inverse = np.unique(key, return_inverse=True)
    latest = np.full(len(uniq), np.datetime64("1900-01-01", "D"))
    np.maximum.at(latest, inverse, e.start)
    old = ~np.isnat(e.end) & (e.end < ctx.as_of_d - np.timedelta64(OTHER_ID_MIN_AGE_DAYS, "D"))
    followed = old & (latest[inverse] > e.end)
    cand = np.flatnonzero((codes == noise.ID_NONE) & ~has_si & resident & (fault < 0) & followed)
    k = max(1, round(OTHER_ID_SHARE * len(cand))) if len(cand) else 0
    rows = np.sort(rng.choice(cand, size=k, replace=False)) if k else cand
    pool = np.flatnonzero(people.resident)
    owners = rng.choice(pool, size=len(rows))
    birth = people.birth
    for _ in range(10):  # redraw an owner born the same day (or swapped) as the holder
        a, b = birth[e.person[rows]], birth[owners]
        ya, ma, da = _ymd(a)
        yb, mb, db = _ymd(b)
        same = (a == b) | ((ya == yb) & (ma == db) & (da == mb)) | (owners == e.person[rows])
        if not same.any():
            break
        owners[same] = rng.choice(pool, size=int(same.sum()))
    keep = ~same
    return rows[keep], owners[keep]


def _ymd(day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = day.astype("datetime64[Y]")
    m = day.astype("datetime64[M]")
    return (
        y.astype(np.int64),
        (m - y.astype("datetime64[M]")).astype(np.int64),
        (day - m.astype("datetime64[D]")).astype(np.int64),
    )


def _employer_codes(firms: Firms, e: Enrolled) -> pa.Array:
    """Employer codes: this province's registered employers, or another province's employer."""
    inside = e.firm >= 0
    outside = np.flatnonzero(e.firm == -2)
    jobs, inverse = np.unique(e.job[outside], return_inverse=True)
    first = np.zeros(len(jobs), dtype=np.int64)
    first[inverse] = outside
    serial = (jobs * 7_919 + 104_729) % 10**6
    other = digits(e.province[first] * 10**6 + serial, 8, prefix="DV")
    index = np.where(inside, e.firm, 0)
    index[outside] = firms.n_registered + inverse
    dictionary = pa.concat_arrays([firms.employer_code, other])
    null = ~inside
    null[outside] = False
    return categorical(index, dictionary, null=null)


def _fault_table(
    people: People, e: Enrolled, fault: np.ndarray, pair: np.ndarray, enrol_id: pa.Array
) -> pa.Table:
    """One row per planted fault: kind, person, scheme and the enrolment ids involved."""
    rows_kind: list[np.ndarray] = []
    rows_person: list[np.ndarray] = []
    rows_scheme: list[np.ndarray] = []
    lists: list[np.ndarray] = []  # concatenated enrolment row indices
    lengths: list[np.ndarray] = []
    for fault_kind in (DUPLICATE, OVERLAP, DOUBLE_PAID):
        rows = np.flatnonzero(fault == fault_kind)
        first = rows[pair[rows] > rows]
        rows_kind.append(np.full(len(first), fault_kind))
        rows_person.append(e.person[first])
        rows_scheme.append(e.scheme[first])
        lists.append(np.column_stack([first, pair[first]]).ravel())
        lengths.append(np.full(len(first), 2))
    budget_rows = np.flatnonzero(fault == BUDGET)
    rows_kind.append(np.full(len(budget_rows), BUDGET))
    rows_person.append(e.person[budget_rows])
    rows_scheme.append(e.scheme[budget_rows])
    lists.append(budget_rows)
    lengths.append(np.full(len(budget_rows), 1))
    dead_rows = np.flatnonzero(fault == DECEASED)
    order = dead_rows[np.lexsort((dead_rows, e.person[dead_rows]))]
    persons, starts, counts = np.unique(e.person[order], return_index=True, return_counts=True)
    rows_kind.append(np.full(len(persons), DECEASED))
    rows_person.append(persons)
    rows_scheme.append(e.scheme[order[starts]])
    lists.append(order)
    lengths.append(counts)
    kind = np.concatenate(rows_kind)
    person = np.concatenate(rows_person)
    scheme = np.concatenate(rows_scheme).astype(np.int64)
    values = enrol_id.take(pa.array(np.concatenate(lists).astype(np.int64)))
    offsets = np.concatenate([[0], np.cumsum(np.concatenate(lengths))]).astype(np.int32)
    death = people.death[person]
    return pa.table(
        {
            "kind": take(list(FAULT_KINDS), kind),
            "person_id": people.ids(person),
            "scheme": take(list(SCHEMES), scheme),
            "enrolment_ids": pa.ListArray.from_arrays(pa.array(offsets), values),
            "death_date": date_array(np.where(kind == DECEASED, death, NAT)),
        }
    )


def plant_unlisted_benefits(
    ctx: Context, people: People, files: EnrolmentFiles, lists: BenefitLists
) -> tuple[BenefitLists, pa.Table]:
    """Leave a few holders of a valid social-pension or survivor card (clean ID, living,
    resident) out of their commune's list of that benefit, where the commune lists others:
    returns the lists without their rows and the faults (``benefit_ineligible``, the card's
    enrolment id).  The cards and the register are untouched."""
    rng = ctx.rng("unlisted_benefits")
    e = files.final
    benefit_of = np.full(len(PARTICIPANT_GROUPS), -1, dtype=np.int64)
    for i, name in enumerate(BENEFITS):
        benefit_of[G[name]] = i
    card_benefit = benefit_of[e.group]
    alive = np.isnat(np.take(people.death, e.person))
    resident = np.take(people.resident, e.person)
    row_benefit = np.asarray(lists.table.column("benefit").to_numpy(zero_copy_only=False))
    row_benefit = np.searchsorted(np.array(BENEFITS), row_benefit)
    commune = np.take(people.commune, lists.person)
    # a commune's list of a benefit with at least two rows still has one after the plant
    group_key = commune * len(BENEFITS) + row_benefit
    keys, counts = np.unique(group_key, return_counts=True)
    listed = set(zip(lists.person.tolist(), row_benefit.tolist(), strict=True))
    big = set(keys[counts >= 2].tolist())
    cand = np.flatnonzero(
        (e.scheme == S["bhyt"])
        & (card_benefit >= 0)
        & (e.payer == P["state_budget"])
        & (e.province == 0)
        & e.active(ctx.as_of_d)
        & alive
        & resident
        & (files.id_noise == noise.ID_NONE)
    )
    cand = np.array(
        [
            i
            for i in cand
            if (int(e.person[i]), int(card_benefit[i])) in listed
            and int(people.commune[e.person[i]]) * len(BENEFITS) + int(card_benefit[i]) in big
        ],
        dtype=np.int64,
    )
    # one card per person and benefit
    _, first = np.unique(e.person[cand] * len(BENEFITS) + card_benefit[cand], return_index=True)
    cand = cand[np.sort(first)]
    k = max(1, round(UNLISTED_SHARE * len(cand))) if len(cand) else 0
    chosen = np.sort(rng.choice(cand, size=k, replace=False)) if k else cand
    drop = set(zip(e.person[chosen].tolist(), card_benefit[chosen].tolist(), strict=True))
    pairs = zip(lists.person.tolist(), row_benefit.tolist(), strict=True)
    keep = np.array([pair not in drop for pair in pairs], dtype=bool)
    kept = BenefitLists(
        table=lists.table.filter(pa.array(keep)),
        person=lists.person[keep],
        id_noise=lists.id_noise[keep],
    )
    enrol_id = files.table.column("enrolment_id").combine_chunks()
    ids = enrol_id.take(pa.array(chosen))
    n = len(chosen)
    offsets = pa.array(np.arange(n + 1, dtype=np.int32))
    faults = pa.table(
        {
            "kind": pa.array([BENEFIT_FAULT] * n, pa.string()),
            "person_id": people.ids(e.person[chosen]),
            "scheme": pa.array(["bhyt"] * n, pa.string()),
            "enrolment_ids": pa.ListArray.from_arrays(offsets, ids.cast(pa.string())),
            "death_date": date_array(np.full(n, NAT, dtype="datetime64[D]")),
        }
    )
    return kept, faults


def plant_school_leavers(
    ctx: Context, people: People, files: EnrolmentFiles, rosters: Rosters
) -> tuple[Rosters, pa.Table]:
    """Turn a few pupils who hold one valid student card (clean ID, living) into pupils who
    left school: their roster row becomes a row of the previous school year's roster, while
    their school's roster of this year lists others and their card runs on.  Returns the
    rosters so relabelled and the faults (``student_ineligible``, the card's enrolment id).
    The cards and the register are untouched, so coverage is as it was."""
    rng = ctx.rng("school_leavers")
    e = files.final
    valid = (
        (e.scheme == S["bhyt"])
        & (e.group == G["student"])
        & e.active(ctx.as_of_d)
        & (files.id_noise == noise.ID_NONE)
    )
    holders, n_cards = np.unique(e.person[valid], return_counts=True)
    one_card = holders[n_cards == 1]
    alive = np.isnat(people.death)
    school = rosters.table.column("school_code").to_numpy(zero_copy_only=False)
    schools, per_school = np.unique(school, return_counts=True)
    big = set(schools[per_school >= LEAVER_MIN_PUPILS].tolist())
    person = rosters.person
    _, inverse, counts = np.unique(person, return_inverse=True, return_counts=True)
    on_one_row = counts[inverse] == 1
    cand = np.flatnonzero(
        np.isin(person, one_card)
        & alive[person]
        & (rosters.id_noise == noise.ID_NONE)
        & on_one_row
        & np.array([s in big for s in school.tolist()], dtype=bool)
    )
    k = max(1, round(LEAVER_SHARE * len(cand))) if len(cand) else 0
    chosen = np.sort(rng.choice(cand, size=k, replace=False)) if k else cand
    year = rosters.table.column("school_year").to_numpy(zero_copy_only=False).astype(object)
    first = int(str(year[0])[:4]) if len(year) else ctx.as_of.year
    year[chosen] = f"{first - 1}-{first}"
    at = rosters.table.schema.get_field_index("school_year")
    table = rosters.table.set_column(at, "school_year", pa.array(year.tolist(), pa.string()))
    relabelled = Rosters(
        table=table,
        commune=rosters.commune,
        person=person,
        id_noise=rosters.id_noise,
        name_noise=rosters.name_noise,
        birth_noise=rosters.birth_noise,
    )
    card_of = {int(p): i for i, p in zip(np.flatnonzero(valid), e.person[valid], strict=True)}
    cards = np.array([card_of[int(p)] for p in person[chosen]], dtype=np.int64)
    enrol_id = files.table.column("enrolment_id").combine_chunks()
    ids = enrol_id.take(pa.array(cards))
    n = len(chosen)
    faults = pa.table(
        {
            "kind": pa.array([LEAVER_FAULT] * n, pa.string()),
            "person_id": people.ids(person[chosen]),
            "scheme": pa.array(["bhyt"] * n, pa.string()),
            "enrolment_ids": pa.ListArray.from_arrays(
                pa.array(np.arange(n + 1, dtype=np.int32)), ids.cast(pa.string())
            ),
            "death_date": date_array(np.full(n, NAT, dtype="datetime64[D]")),
        }
    )
    return relabelled, faults
