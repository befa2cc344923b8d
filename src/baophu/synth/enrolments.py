"""Participation spells in BHYT, compulsory and voluntary BHXH and BHTN.

Each person gets one BHYT participant group at the reference date, by the law's order of
precedence (employees first, then people the social-insurance fund pays for, then the
state-budget groups, the budget-supported groups, and finally households).  Each group has
its own coverage and its own kind of spell: employer spells stay open, a child's card runs
to the sixth birthday, pupils' cards run from 1 October for a year, household cards run
twelve months from the month the household joined and then renew — or lapse.  Household
coverage is solved for, so that BHYT coverage of the living residents lands on the target.

The result is kept as numpy arrays; ``faults.py`` plants the data-quality faults and turns
the spells into the enrolments table and its truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from baophu.contracts.tables import PARTICIPANT_GROUPS, PAYERS, SCHEMES
from baophu.synth.classifications import FARMING, NEAR_POOR, POOR, Classifications
from baophu.synth.context import Context, month_end, month_start, to_month
from baophu.synth.employers import CURRENT, LAPSED, Firms, Spells, SpellWages
from baophu.synth.geography import Geography
from baophu.synth.people import People
from baophu.synth.rates import monthly_rules, poverty_line, retirement_age_months
from baophu.synth.schools import Schools

if TYPE_CHECKING:
    from baophu.synth.benefits import Disadvantaged, Survivors

G = {name: i for i, name in enumerate(PARTICIPANT_GROUPS)}
P = {name: i for i, name in enumerate(PAYERS)}
S = {name: i for i, name in enumerate(SCHEMES)}
SOURCES = (
    "employment",
    "pension",
    "unemployment_benefit",
    "child",
    "budget_group",
    "classification",
    "student",
    "household",
    "voluntary",
    "double_paid",
)
BHYT_TARGET = 0.94  # coverage of living residents at the reference date (seeds: 93–95 %)
VOLUNTARY_PARTICIPANTS = 40_100
VOLUNTARY_LAPSED_SHARE = 0.12
PENSION_SHARE = 0.3
# coverage at the reference date by group (household is solved for)
COVERAGE = {
    "child_under_6": 0.97,
    "meritorious": 0.99,
    "social_protection": 0.98,
    "social_pension": 0.96,
    "poor": 0.985,
    "ethnic_minority_hardship": 0.98,
    "near_poor": 0.88,
    "student": 0.95,
    "university": 0.85,
    "farming_average": 0.55,
}
SOCIAL_PENSION_FROM = np.datetime64("2025-07-01")
VOLUNTARY_PAID_AHEAD = 0.35  # of open voluntary participants: paid through a future month
NAT = np.datetime64("NaT", "D")
_NONE = np.iinfo(np.int64).min


@dataclass
class SpellTable:
    """Participation spells as index-aligned numpy arrays."""

    person: list[np.ndarray] = field(default_factory=list)
    scheme: list[np.ndarray] = field(default_factory=list)
    group: list[np.ndarray] = field(default_factory=list)
    payer: list[np.ndarray] = field(default_factory=list)
    firm: list[np.ndarray] = field(default_factory=list)  # -1: none; -2: other province
    job: list[np.ndarray] = field(default_factory=list)  # employment spell index, -1 if none
    province: list[np.ndarray] = field(default_factory=list)  # 0: this province
    start: list[np.ndarray] = field(default_factory=list)
    end: list[np.ndarray] = field(default_factory=list)
    wage: list[np.ndarray] = field(default_factory=list)  # -1: none
    collected: list[np.ndarray] = field(default_factory=list)  # by a collector
    source: list[np.ndarray] = field(default_factory=list)
    bhyt_last_end: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bhyt_on: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # at as_of
    as_of: np.datetime64 = NAT

    def after(self, person: np.ndarray) -> np.ndarray:
        """Last day of the person's BHYT spells with an end date so far (NaT when none)."""
        days = self.bhyt_last_end[person]
        return np.where(days == _NONE, NAT, days.astype("datetime64[D]"))

    def add(
        self,
        person: np.ndarray,
        scheme: str,
        group: str | np.ndarray,
        payer: str,
        start: np.ndarray,
        end: np.ndarray,
        source: str,
        *,
        firm: np.ndarray | None = None,
        job: np.ndarray | None = None,
        province: np.ndarray | None = None,
        wage: np.ndarray | None = None,
        collected: bool = False,
        after: np.ndarray | None = None,
    ) -> None:
        """Append spells; with ``after``, spells are clipped to start after that day."""
        person = np.asarray(person, dtype=np.int64)
        start = np.asarray(start, dtype="datetime64[D]")
        end = np.asarray(end, dtype="datetime64[D]")
        if after is not None and len(person):
            has = ~np.isnat(after)
            keep = ~has | np.isnat(end) | (end > after)
            start = np.where(has & (start <= after), after + np.timedelta64(1, "D"), start)
            sel = np.flatnonzero(keep)
            person, start, end = person[sel], start[sel], end[sel]
            if not isinstance(group, str):
                group = group[sel]
            firm, job, province, wage = (
                None if a is None else a[sel] for a in (firm, job, province, wage)
            )
        n = len(person)
        if n == 0:
            return
        if scheme == "bhyt":
            ended = ~np.isnat(end)
            np.maximum.at(self.bhyt_last_end, person[ended], end[ended].astype(np.int64))
            on = (start <= self.as_of) & (~ended | (end >= self.as_of))
            self.bhyt_on[person[on]] = True
        self.person.append(np.asarray(person, dtype=np.int64))
        self.scheme.append(np.full(n, S[scheme], dtype=np.int8))
        grp = (
            np.full(n, G[group], dtype=np.int8) if isinstance(group, str) else group.astype(np.int8)
        )
        self.group.append(grp)
        self.payer.append(np.full(n, P[payer], dtype=np.int8))
        self.firm.append(np.full(n, -1, np.int64) if firm is None else firm.astype(np.int64))
        self.job.append(np.full(n, -1, np.int64) if job is None else job.astype(np.int64))
        self.province.append(np.zeros(n, np.int64) if province is None else province)
        self.start.append(np.asarray(start, dtype="datetime64[D]"))
        self.end.append(np.asarray(end, dtype="datetime64[D]"))
        self.wage.append(np.full(n, -1, np.int64) if wage is None else wage.astype(np.int64))
        self.collected.append(np.full(n, collected))
        self.source.append(np.full(n, SOURCES.index(source), dtype=np.int8))


FIELDS = (
    "person",
    "scheme",
    "group",
    "payer",
    "firm",
    "job",
    "province",
    "start",
    "end",
    "wage",
    "collected",
    "source",
)


@dataclass
class Enrolled:
    """All true spells, concatenated."""

    person: np.ndarray
    scheme: np.ndarray
    group: np.ndarray
    payer: np.ndarray
    firm: np.ndarray
    job: np.ndarray
    province: np.ndarray
    start: np.ndarray
    end: np.ndarray
    wage: np.ndarray
    collected: np.ndarray
    source: np.ndarray
    household_p: float  # the household coverage solved for
    person_group: np.ndarray | None = None  # each person's BHYT group at as_of (-1 none)

    @classmethod
    def of(
        cls,
        columns: Iterable[np.ndarray],
        household_p: float,
        person_group: np.ndarray | None = None,
    ) -> Enrolled:
        """Spells from the arrays of ``FIELDS``, in that order."""
        arrays = dict(zip(FIELDS, columns, strict=True))
        return cls(**arrays, household_p=household_p, person_group=person_group)

    def columns(self) -> list[np.ndarray]:
        """The arrays of ``FIELDS``, in that order."""
        return [getattr(self, f) for f in FIELDS]

    @property
    def n(self) -> int:
        return len(self.person)

    def active(self, on: np.datetime64) -> np.ndarray:
        return (self.start <= on) & (np.isnat(self.end) | (self.end >= on))


def _concat(t: SpellTable, household_p: float) -> Enrolled:
    return Enrolled.of((np.concatenate(getattr(t, f)) for f in FIELDS), household_p)


def _nat(n: int) -> np.ndarray:
    return np.full(n, NAT, dtype="datetime64[D]")


def _add_years(days: np.ndarray, years: int | np.ndarray) -> np.ndarray:
    """Same day and month ``years`` later (29 February → 1 March)."""
    m = days.astype("datetime64[M]")
    d = (days - m.astype("datetime64[D]")).astype(np.int64)
    moved = (m + np.asarray(years) * 12).astype("datetime64[M]")
    out = moved.astype("datetime64[D]") + d.astype("timedelta64[D]")
    overflow = out >= (moved + 1).astype("datetime64[D]")
    return np.where(overflow, (moved + 1).astype("datetime64[D]"), out)


def build_enrolments(
    ctx: Context,
    geo: Geography,
    people: People,
    firms: Firms,
    spells: Spells,
    cls: Classifications,
    schools: Schools,
    disadvantaged: Disadvantaged | None = None,
    survivors: Survivors | None = None,
) -> Enrolled:
    """Every participation spell (see the module docstring).

    ``disadvantaged`` (the listed communes) decides who is in the ethnic-minority hardship
    group — ethnic-minority residents of a listed commune, their card ending the day the
    commune leaves the list — and ``survivors`` who is in the new budget-paid group of
    survivors (75 or more, or 70–74 in a near-poor household); without them the group goes
    to half of the rural ethnic-minority residents, and there are no survivors.
    """
    rng = ctx.rng("enrolments")
    as_of = ctx.as_of_d
    as_m = ctx.as_of_month
    n = people.n
    t = SpellTable(
        bhyt_last_end=np.full(n, _NONE, dtype=np.int64),
        bhyt_on=np.zeros(n, dtype=bool),
        as_of=as_of,
    )
    group = np.full(n, -1, dtype=np.int64)

    # ---- employment: compulsory BHXH, BHYT and BHTN through the employer ------------------
    mr = monthly_rules(as_m - np.timedelta64(36, "M"), as_m)
    dec = np.flatnonzero(spells.declared)
    ref = np.where(np.isnat(spells.end[dec]), as_m, spells.end[dec])
    wage = np.zeros(len(dec), dtype=np.int64)
    spell_wages = SpellWages.of(spells, firms, as_m)
    for m in np.unique(ref):
        rows = dec[ref == m]
        i = mr.index(max(m, mr.months[0]))
        _, declared = spell_wages.in_month(mr, i, rows)
        wage[ref == m] = declared
    out_prov = spells.other_province[dec] > 0
    wage[out_prov] = spells.wage[dec][out_prov]
    firm = np.where(out_prov, -2, spells.firm[dec])
    start = month_start(spells.start[dec])
    end = np.where(np.isnat(spells.end[dec]), NAT, month_end(spells.end[dec]))
    prov = spells.other_province[dec]
    for scheme, keep in (
        ("bhxh_compulsory", np.ones(len(dec), bool)),
        ("bhyt", np.ones(len(dec), bool)),
        ("bhtn", spells.bhtn[dec]),
    ):
        t.add(
            spells.person[dec][keep],
            scheme,
            "employee",
            "employer",
            start[keep],
            end[keep],
            "employment",
            firm=firm[keep],
            job=dec[keep],
            province=prov[keep],
            wage=wage[keep],
        )
    employed = np.zeros(n, dtype=bool)
    current = dec[spells.kind[dec] == CURRENT]
    employed[spells.person[current]] = True
    group[employed] = G["employee"]

    working_any = np.zeros(n, dtype=bool)
    working_any[spells.person[spells.kind == CURRENT]] = True

    resident = people.resident
    res_free = resident & (group < 0)
    age = people.age
    age_months = ((as_of - people.birth).astype(np.int64) / 30.4375).astype(np.int64)
    retire = np.where(
        people.female,
        retirement_age_months(True, ctx.as_of.year),
        retirement_age_months(False, ctx.as_of.year),
    )

    # ---- pensioners (the social-insurance fund pays their BHYT) --------------------------
    pension = res_free & (age_months >= retire) & ~working_any & (rng.random(n) < PENSION_SHARE)
    idx = np.flatnonzero(pension)
    retire_years = np.where(people.female[idx], 55, 60)
    p_start = np.maximum(_add_years(people.birth[idx], retire_years), as_of - 25 * 365)
    t.add(
        idx, "bhyt", "pensioner", "si_fund", p_start, _nat(len(idx)), "pension", after=t.after(idx)
    )
    group[idx] = G["pensioner"]

    # ---- unemployment benefit after a recent job loss ------------------------------------
    lap = np.flatnonzero((spells.kind == LAPSED) & (spells.end >= as_m - np.timedelta64(5, "M")))
    lap = lap[rng.random(len(lap)) < 0.5]
    ub_person = spells.person[lap]
    ub_start_m = spells.end[lap] + 1
    ub_end = month_end(ub_start_m + rng.integers(2, 6, len(lap)).astype("timedelta64[M]"))
    free = group[ub_person] < 0
    ub_person, ub_start_m, ub_end = ub_person[free], ub_start_m[free], ub_end[free]
    t.add(
        ub_person,
        "bhyt",
        "unemployment_benefit",
        "si_fund",
        month_start(ub_start_m),
        ub_end,
        "unemployment_benefit",
        after=t.after(ub_person),
    )
    group[ub_person[ub_end >= as_of]] = G["unemployment_benefit"]

    # ---- children under six ----------------------------------------------------------------
    child = resident & (group < 0) & (age < 6)
    covered = child & (rng.random(n) < COVERAGE["child_under_6"])
    idx = np.flatnonzero(covered)
    t.add(
        idx,
        "bhyt",
        "child_under_6",
        "state_budget",
        people.birth[idx],
        _add_years(people.birth[idx], 6) - np.timedelta64(1, "D"),
        "child",
    )
    group[child] = G["child_under_6"]
    # children who turned six in the last two years had a child's card until the day before
    _child_history(ctx, t, people, group)

    # ---- other state-budget groups ---------------------------------------------------------
    kind_now = cls.person_kind(people, as_of)
    record = cls.person_record(people)
    if survivors is not None:
        _survivors(ctx, t, people, group, survivors, kind_now)
    rural = (people.commune >= 0) & ~geo.commune_is_urban[np.maximum(people.commune, 0)]
    minority = people.ethnicity != 0
    u = rng.random(n)
    half = rng.random(n) < 0.5  # drawn in every case, so later draws do not move
    minority_end = np.full(n, NAT, dtype="datetime64[D]")
    if disadvantaged is None:
        hardship = minority & rural & half
    else:
        listed, last_day = disadvantaged.by_commune(geo.n_communes)
        commune = np.maximum(people.commune, 0)
        on_list = minority & (people.commune >= 0) & listed[commune]
        minority_end = last_day[commune]
        hardship = on_list & (np.isnat(minority_end) | (minority_end >= as_of))
        _left_list(ctx, t, people, on_list & ~hardship & people.alive & (group < 0), minority_end)
    candidates = [
        (
            "meritorious",
            resident & (u < np.where(age >= 60, 0.05, np.where(age >= 18, 0.004, 0.0))),
        ),
        ("social_protection", resident & (rng.random(n) < 0.008)),
        ("social_pension", resident & (age >= 75) & (as_of >= SOCIAL_PENSION_FROM)),
        ("poor", resident & (kind_now == POOR)),
        ("ethnic_minority_hardship", resident & hardship),
    ]
    for name, mask in candidates:
        sel = mask & (group < 0)
        group[sel] = G[name]
        cov = np.flatnonzero(sel & (rng.random(n) < COVERAGE[name]))
        if name == "poor":
            vf = cls.valid_from[record[cov]]
            st = np.maximum(
                people.birth[cov], vf - rng.integers(0, 3 * 365, len(cov)).astype("timedelta64[D]")
            )
            t.add(
                cov,
                "bhyt",
                name,
                "state_budget",
                st,
                cls.valid_to[record[cov]],
                "classification",
                after=t.after(cov),
            )
        else:
            floor = SOCIAL_PENSION_FROM if name == "social_pension" else np.datetime64("1990-01-01")
            st = as_of - rng.integers(0, 8 * 365, len(cov)).astype("timedelta64[D]")
            st = np.maximum(np.maximum(st, people.birth[cov]), floor)
            if name == "social_pension":
                st = np.maximum(st, _add_years(people.birth[cov], 75))
            end = minority_end[cov] if name == "ethnic_minority_hardship" else _nat(len(cov))
            t.add(
                cov,
                "bhyt",
                name,
                "state_budget",
                st,
                end,
                "budget_group",
                after=t.after(cov),
            )

    # poor / near-poor statuses that ended this year: the subsidised spell ended at valid_to
    expired = resident & (record >= 0) & (kind_now < 0) & people.alive & (group < 0)
    expired &= np.isin(cls.kind[np.maximum(record, 0)], (POOR, NEAR_POOR))
    had = np.flatnonzero(expired & (rng.random(n) < 0.9))
    for kind, name, payer in (
        (POOR, "poor", "state_budget"),
        (NEAR_POOR, "near_poor", "budget_supported"),
    ):
        idx = had[cls.kind[record[had]] == kind]
        rec = record[idx]
        st = np.maximum(
            people.birth[idx],
            cls.valid_from[rec] - rng.integers(0, 3 * 365, len(idx)).astype("timedelta64[D]"),
        )
        t.add(idx, "bhyt", name, payer, st, cls.valid_to[rec], "classification", after=t.after(idx))

    # ---- near-poor (budget-supported) --------------------------------------------------------
    sel = resident & (kind_now == NEAR_POOR) & (group < 0)
    group[sel] = G["near_poor"]
    cov = np.flatnonzero(sel & (rng.random(n) < COVERAGE["near_poor"]))
    vf = cls.valid_from[record[cov]]
    st = np.maximum(
        people.birth[cov], vf - rng.integers(0, 3 * 365, len(cov)).astype("timedelta64[D]")
    )
    t.add(
        cov,
        "bhyt",
        "near_poor",
        "budget_supported",
        st,
        cls.valid_to[record[cov]],
        "classification",
        after=t.after(cov),
    )

    # ---- pupils and students -----------------------------------------------------------------
    _students(ctx, rng, t, people, schools, group)

    # ---- farming households of average living standard: yearly cards, partly self-paid ----
    sel = resident & (kind_now == FARMING) & (group < 0)
    group[sel] = G["farming_average"]
    _yearly_cards(
        rng,
        t,
        people,
        sel,
        COVERAGE["farming_average"],
        "farming_average",
        "budget_supported",
        as_m,
    )

    # ---- households: coverage solved so that living residents reach the target -------------
    sel = resident & (group < 0)
    group[sel] = G["household"]
    living = resident & people.alive
    covered_now = t.bhyt_on.copy()
    need = BHYT_TARGET * living.sum() - (covered_now & living).sum()
    pool = (sel & living & ~covered_now).sum()
    p_household = float(np.clip(need / max(pool, 1), 0.05, 0.98))
    _yearly_cards(rng, t, people, sel & ~covered_now, p_household, "household", "household", as_m)

    # ---- voluntary BHXH --------------------------------------------------------------------
    _voluntary(ctx, rng, t, people, group, working_any, age_months, retire, cls, kind_now)
    out = _concat(t, p_household)
    _paid_ahead(ctx, out)
    out.person_group = group
    return out


def _child_history(ctx: Context, t: SpellTable, people: People, group: np.ndarray) -> None:
    """A child's card (state budget) for residents aged 6 or 7 who had one, ending the day
    before the sixth birthday (their own stream of random numbers)."""
    rng = ctx.rng("child_history")
    age = people.age
    had = people.resident & (group < 0) & (age >= 6) & (age < 8)
    idx = np.flatnonzero(had & (rng.random(people.n) < COVERAGE["child_under_6"]))
    t.add(
        idx,
        "bhyt",
        "child_under_6",
        "state_budget",
        people.birth[idx],
        _add_years(people.birth[idx], 6) - np.timedelta64(1, "D"),
        "child",
    )


def _survivors(
    ctx: Context,
    t: SpellTable,
    people: People,
    group: np.ndarray,
    survivors: Survivors,
    kind_now: np.ndarray,
) -> None:
    """Survivors the amended law has the state pay for: 75 or more, or 70–74 near-poor; most
    are enrolled since the law (or their 70th birthday), the rest not yet."""
    from baophu.synth.benefits import LAW_FROM, SURVIVOR_COVERAGE

    rng = ctx.rng("survivor_cards")
    age = people.age
    eligible = survivors.mask & ((age >= 75) | ((age >= 70) & (kind_now == NEAR_POOR)))
    sel = eligible & (group < 0)
    group[sel] = G["survivor_allowance"]
    cov = np.flatnonzero(sel & (rng.random(people.n) < SURVIVOR_COVERAGE))
    st = np.maximum(LAW_FROM, _add_years(people.birth[cov], 70))
    st = st + rng.integers(0, 120, len(cov)).astype("timedelta64[D]")
    st = np.minimum(st, ctx.as_of_d)
    t.add(
        cov,
        "bhyt",
        "survivor_allowance",
        "state_budget",
        st,
        _nat(len(cov)),
        "budget_group",
        after=t.after(cov),
    )


def _left_list(
    ctx: Context, t: SpellTable, people: People, left: np.ndarray, last_day: np.ndarray
) -> None:
    """Ethnic-minority residents of a commune that left the disadvantaged list before the
    reference date: their budget-paid card ended the day the commune left."""
    rng = ctx.rng("left_list")
    idx = np.flatnonzero(left & (rng.random(people.n) < COVERAGE["ethnic_minority_hardship"]))
    st = ctx.as_of_d - rng.integers(365, 8 * 365, len(idx)).astype("timedelta64[D]")
    st = np.maximum(st, people.birth[idx])
    t.add(
        idx,
        "bhyt",
        "ethnic_minority_hardship",
        "state_budget",
        st,
        last_day[idx],
        "budget_group",
        after=t.after(idx),
    )


def _paid_ahead(ctx: Context, e: Enrolled) -> None:
    """Some open voluntary participants have paid through a month after the reference date
    (quarterly, half-yearly or yearly payers): their spell ends there, at a month end."""
    rng = ctx.rng("voluntary_paid")
    rows = np.flatnonzero((e.scheme == S["bhxh_voluntary"]) & np.isnat(e.end))
    ahead = rows[rng.random(len(rows)) < VOLUNTARY_PAID_AHEAD]
    months = rng.integers(1, 7, len(ahead)).astype("timedelta64[M]")
    e.end[ahead] = month_end(ctx.as_of_month + months)


def _students(
    ctx: Context,
    rng: np.random.Generator,
    t: SpellTable,
    people: People,
    schools: Schools,
    group: np.ndarray,
) -> None:
    """School-year cards (1 October – 30 September), renewed each year or lapsed."""
    pupil, grade = schools.pupil, schools.grade
    is_student = (grade >= 1) & people.resident[pupil]
    person = pupil[is_student]
    g = grade[is_student]
    prov = np.zeros(len(person), dtype=np.int64)
    away = schools.away_student
    person = np.concatenate([person, away])
    g = np.concatenate(
        [
            g,
            ctx.school_year_start
            - (people.birth[away].astype("datetime64[Y]").astype(np.int64) + 1970)
            - 5,
        ]
    )
    prov = np.concatenate([prov, schools.away_province])
    free = group[person] < 0
    person, g, prov = person[free], g[free], prov[free]
    group[person] = G["student"]
    p_cov = np.where(g >= 13, COVERAGE["university"], COVERAGE["student"])
    covered = rng.random(len(person)) < p_cov
    history = covered | (rng.random(len(person)) < 0.65)
    last_year = schools.card_year - (~covered).astype(np.int64)
    entry_year = schools.card_year - (g - 1)  # the October of grade 1
    first_year = np.maximum(entry_year, schools.card_year - 3)
    after = t.after(person)  # earlier coverage (a child's card), before these cards are added
    for back in range(4):
        y = last_year - back
        ok = history & (y >= first_year)
        if not ok.any():
            continue
        ys = y[ok] - 1970
        st = (ys.astype("datetime64[Y]").astype("datetime64[M]") + 9).astype("datetime64[D]")
        en = ((ys + 1).astype("datetime64[Y]").astype("datetime64[M]") + 9).astype(
            "datetime64[D]"
        ) - np.timedelta64(1, "D")
        t.add(
            person[ok],
            "bhyt",
            "student",
            "budget_supported",
            st,
            en,
            "student",
            province=prov[ok],
            after=after[ok],
        )


def _yearly_cards(
    rng: np.random.Generator,
    t: SpellTable,
    people: People,
    sel: np.ndarray,
    p_cover: float,
    group: str,
    payer: str,
    as_m: np.datetime64,
) -> None:
    """Twelve-month cards that renew (covered now) or lapsed (history only), by household.

    Members of a household that joins are covered with probability 0.9 (so some members of
    covered households are not); members of other households join alone rarely.
    """
    idx = np.flatnonzero(sel)
    if not len(idx):
        return
    hh = np.maximum(people.household[idx], 0)
    h = people.n_households
    hh_anchor = as_m - rng.integers(0, 12, h).astype("timedelta64[M]")
    hh_join = rng.random(h) < np.clip((p_cover - 0.04) / 0.86, 0, 1)
    covered = np.where(hh_join[hh], rng.random(len(idx)) < 0.9, rng.random(len(idx)) < 0.04)
    anchor = hh_anchor[hh]
    n_prev = rng.choice(3, len(idx), p=[0.3, 0.3, 0.4])
    after = t.after(idx)
    # lapsed: the last card ended 1–24 months ago
    lapsed_hist = ~covered & (rng.random(len(idx)) < 0.5)
    last_end = as_m - rng.integers(1, 25, len(idx)).astype("timedelta64[M]")
    last_start = np.where(covered, anchor, last_end - 11)
    births = to_month(people.birth[idx])
    for back in range(3):
        st_m = last_start - np.timedelta64(12 * back, "M")
        ok = (covered & (back <= n_prev)) | (lapsed_hist & (back <= n_prev // 2))
        ok &= st_m >= births
        if not ok.any():
            continue
        t.add(
            idx[ok],
            "bhyt",
            group,
            payer,
            month_start(st_m[ok]),
            month_end(st_m[ok] + 11),
            "household",
            collected=True,
            after=after[ok],
        )


def _voluntary(
    ctx: Context,
    rng: np.random.Generator,
    t: SpellTable,
    people: People,
    group: np.ndarray,
    working: np.ndarray,
    age_months: np.ndarray,
    retire: np.ndarray,
    cls: Classifications,
    kind_now: np.ndarray,
) -> None:
    """Voluntary BHXH: the seeds' number of open participants, plus this year's lapses."""
    as_m = ctx.as_of_month
    age = people.age
    w = np.interp(age, [19, 20, 35, 50, 58, 62], [0, 0.3, 1.0, 1.2, 0.8, 0.0])
    w = np.where(
        people.resident
        & people.alive
        & ~working
        & (age_months < retire)
        & ~np.isin(group, (G["pensioner"], G["unemployment_benefit"])),
        w,
        0.0,
    )
    w = w * np.where(kind_now == FARMING, 2.0, np.where(kind_now == NEAR_POOR, 1.5, 1.0))
    n_open = ctx.scaled(VOLUNTARY_PARTICIPANTS)
    n_lapsed = round(VOLUNTARY_LAPSED_SHARE * n_open)
    keys = np.full(people.n, -np.inf)
    pos = w > 0
    keys[pos] = np.log(rng.random(int(pos.sum()))) / w[pos]
    k = min(n_open + n_lapsed, int(pos.sum()))
    chosen = np.sort(np.argpartition(-keys, k - 1)[:k]) if k > 0 else np.zeros(0, np.int64)
    chosen = rng.permutation(chosen)
    open_p, lapsed_p = chosen[:n_open], chosen[n_open:]
    adult = to_month(people.birth) + np.timedelta64(12 * 20, "M")

    months_this_year = int(ctx.as_of.month)
    this_year = rng.random(len(open_p)) < 0.25
    back = np.where(
        this_year,
        rng.integers(0, months_this_year, len(open_p)),
        np.floor(rng.exponential(40, len(open_p))).astype(np.int64),
    )
    st = np.maximum(as_m - back.astype("timedelta64[M]"), adult[open_p])
    st = np.minimum(st, as_m)
    floor = poverty_line(ctx.as_of)
    income = _incomes(rng, len(open_p), floor)
    t.add(
        open_p,
        "bhxh_voluntary",
        "voluntary",
        "self",
        month_start(st),
        _nat(len(open_p)),
        "voluntary",
        wage=income,
        collected=True,
    )

    jan = np.datetime64(f"{ctx.as_of.year}-01", "M")
    end_m = jan + rng.integers(0, max(1, months_this_year - 1), len(lapsed_p)).astype(
        "timedelta64[M]"
    )
    end_m = np.minimum(end_m, as_m - 1)
    st = end_m - (3 + np.floor(rng.exponential(30, len(lapsed_p)))).astype("timedelta64[M]")
    st = np.minimum(np.maximum(st, adult[lapsed_p]), end_m)
    t.add(
        lapsed_p,
        "bhxh_voluntary",
        "voluntary",
        "self",
        month_start(st),
        month_end(end_m),
        "voluntary",
        wage=_incomes(rng, len(lapsed_p), floor),
        collected=True,
    )


def _incomes(rng: np.random.Generator, n: int, floor: int) -> np.ndarray:
    mult = np.where(rng.random(n) < 0.7, 1.0, rng.choice([1.5, 2.0, 3.0, 4.0], n))
    return (np.round(floor * mult / 50_000) * 50_000).astype(np.int64)
