"""Participation spells in BHYT, compulsory and voluntary BHXH and BHTN, over the history.

Each person gets one BHYT participant group at the reference date, by the law's order of
precedence (employees first, then people the social-insurance fund pays for, then the
state-budget groups, the budget-supported groups, and finally households).  Each group has
its own kind of spell: employer spells follow the jobs (``careers``: hiring, moving
employer, leaving), pensioners are covered from the month after they retire, a child's card
runs to the sixth birthday, pupils' cards run by school year (``student_cards``), and the
state-budget groups from the day their status began.  On top of them, household cards
(``cards``) are sold month by month so that BHYT coverage follows the intended path
(``path``), and voluntary BHXH payments (``voluntary``) follow theirs.  No two BHYT spells
of a person overlap (only the planted faults do).

The result is kept as numpy arrays; ``faults.py`` plants the data-quality faults and turns
the spells into the enrolments table and its truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from baophu.contracts.tables import PARTICIPANT_GROUPS, PAYERS, SCHEMES
from baophu.synth import cards, voluntary
from baophu.synth.benefits import LAW_FROM, SURVIVOR_COVERAGE, Disadvantaged, Survivors
from baophu.synth.careers import LAPSED
from baophu.synth.classifications import FARMING, NEAR_POOR, POOR, Classifications
from baophu.synth.context import Context
from baophu.synth.dates import add_years, month_end, month_start
from baophu.synth.employers import CURRENT, Firms, Spells, SpellWages
from baophu.synth.geography import Geography
from baophu.synth.monthbits import WIDTH, MonthGrid, free_run, span
from baophu.synth.path import IntendedPath
from baophu.synth.people import People
from baophu.synth.rates import monthly_rules, poverty_line, retirement_month
from baophu.synth.schools import Schools
from baophu.synth.student_cards import student_cards

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
VOLUNTARY_PARTICIPANTS = 40_100  # seeds: Đồng Nai's voluntary participants (2026)
PENSION_SHARE = 0.3  # of residents past the retirement age who never had a job here
PENSION_AFTER_JOB = 0.95  # of those who retired from a job here
UNEMPLOYMENT_BENEFIT = 0.5  # of BHTN participants who lost their job
# coverage at the reference date by group (household and voluntary follow the path)
COVERAGE = {
    "child_under_6": 0.97,
    "meritorious": 0.99,
    "social_protection": 0.98,
    "social_pension": 0.96,
    "poor": 0.985,
    "ethnic_minority_hardship": 0.98,
    "near_poor": 0.88,
}
NEVER_BUYING = 0.3  # of the uncovered on the reference date: in households that never buy
FARMING_PROPENSITY = 0.35  # farming households buy cards less often than others
# groups whose people never buy household cards (their state card is there since long)
STATE_HELD = ("meritorious", "social_protection", "social_pension", "survivor_allowance")
# years before the reference date within which a lasting status began (uniformly)
STATUS_YEARS = {"meritorious": 30, "social_protection": 15}
GRID_LEAD = 3  # months tracked before history_start (school-year cards from October)
SIM_LEAD = 2  # months the card simulations run before the history's first month
SOCIAL_PENSION_FROM = np.datetime64("2025-07-01")
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
    grid: MonthGrid = field(default_factory=lambda: MonthGrid(np.datetime64("2000-01", "M")))
    # months touched by each person's BHYT spells (any province), and by compulsory BHXH
    occupied: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    compulsory: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

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
            np.bitwise_or.at(self.occupied, person, self.grid.touched(start, end))
        if scheme == "bhxh_compulsory":
            np.bitwise_or.at(self.compulsory, person, self.grid.touched(start, end))
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
    masks: MonthMasks | None = field(default=None, init=False)  # who counts, by month-end

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


def _concat(t: SpellTable, household_p: float, since: np.datetime64 | None = None) -> Enrolled:
    """All spells as one table; with ``since``, without those that ended before it."""
    keeps: list[np.ndarray | None] = []
    for end in t.end:
        keep = None if since is None else (np.isnat(end) | (end >= since))
        keeps.append(None if keep is None or keep.all() else keep)

    def column(name: str) -> np.ndarray:
        parts = getattr(t, name)
        return np.concatenate([a if k is None else a[k] for a, k in zip(parts, keeps, strict=True)])

    return Enrolled.of((column(f) for f in FIELDS), household_p)


def _nat(n: int) -> np.ndarray:
    return np.full(n, NAT, dtype="datetime64[D]")


def build_enrolments(
    ctx: Context,
    geo: Geography,
    people: People,
    firms: Firms,
    spells: Spells,
    cls: Classifications,
    schools: Schools,
    path: IntendedPath,
    disadvantaged: Disadvantaged | None = None,
    survivors: Survivors | None = None,
) -> Enrolled:
    """Every participation spell over the history (see the module docstring).

    ``path`` gives the intended BHYT insured and voluntary participants at each month-end;
    ``disadvantaged`` (the listed communes) decides who is in the ethnic-minority hardship
    group — ethnic-minority residents of a listed commune, their card ending the day the
    commune leaves the list — and ``survivors`` who is in the new budget-paid group of
    survivors (75 or more, or 70–74 in a near-poor household); without them the group goes
    to half of the rural ethnic-minority residents, and there are no survivors.
    """
    rng = ctx.rng("enrolments")
    as_of = ctx.as_of_d
    n = people.n
    grid = MonthGrid(ctx.history_start - np.timedelta64(GRID_LEAD, "M"))
    t = SpellTable(
        bhyt_last_end=np.full(n, _NONE, dtype=np.int64),
        bhyt_on=np.zeros(n, dtype=bool),
        as_of=as_of,
        grid=grid,
        occupied=np.zeros(n, dtype=np.uint64),
        compulsory=np.zeros(n, dtype=np.uint64),
    )
    group = np.full(n, -1, dtype=np.int64)
    # in the register and not gone: the population now, with the dead (whose cards close)
    resident = people.resident & np.isnat(people.moved_out)
    age = people.age

    _employment(ctx, t, spells, firms, group)
    working_now = np.zeros(n, dtype=bool)
    working_now[spells.person[spells.kind == CURRENT]] = True
    _pensioners(ctx, rng, t, people, spells, group, resident & ~working_now)
    _unemployment_benefit(ctx, rng, t, spells, group)

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
        add_years(people.birth[idx], 6) - np.timedelta64(1, "D"),
        "child",
    )
    group[child] = G["child_under_6"]
    # children who turned six within the history had a child's card until the day before
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
        _left_list(ctx, t, people, on_list & ~hardship & people.living & (group < 0), minority_end)
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
            years = STATUS_YEARS.get(name, 8)
            st = as_of - rng.integers(0, years * 365, len(cov)).astype("timedelta64[D]")
            st = np.maximum(np.maximum(st, people.birth[cov]), floor)
            if name == "social_pension":
                st = np.maximum(st, add_years(people.birth[cov], 75))
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

    # ---- pupils and students: school-year cards --------------------------------------------
    may_hold = people.resident & (
        (group < 0) | np.isin(group, (G["employee"], G["unemployment_benefit"]))
    )
    sim_start = ctx.first_month - np.timedelta64(SIM_LEAD, "M")
    base_year = int(sim_start.astype("datetime64[Y]").astype(np.int64)) + 1970
    base_year -= int(sim_start.astype(np.int64) % 12 < 9)  # before October: last year's
    sc = student_cards(
        ctx.rng("student_cards"),
        people,
        schools,
        may_hold,
        grid,
        t.occupied,
        base_year,
        schools.card_year,
    )
    for here in (True, False):
        rows = np.flatnonzero((sc.province == 0) == here)
        t.add(
            sc.person[rows],
            "bhyt",
            "student",
            "budget_supported",
            sc.start[rows],
            sc.end[rows],
            "student",
            province=sc.province[rows],
        )
    current = np.concatenate(
        [schools.pupil[(schools.grade >= 1) & people.resident[schools.pupil]], schools.away_student]
    )
    current = current[group[current] < 0]
    group[current] = G["student"]

    # ---- farming households and households: yearly cards on the path -----------------------
    group[resident & (kind_now == FARMING) & (group < 0)] = G["farming_average"]
    group[resident & (group < 0)] = G["household"]
    present = grid.present(people.birth, people.resident_from, people.death, people.moved_out)
    bhyt_counted = _household_cards(ctx, t, people, cls, group, present, path)

    # ---- voluntary BHXH: payments on the path ------------------------------------------------
    voluntary_paid = _voluntary(ctx, t, people, cls, spells, group, present, path)

    # spells that ended before the simulated months are left out: jobs left years ago live
    # on in the employers' true history and tax returns, not in the extract's register
    sim_start = month_start(np.array([ctx.first_month - np.timedelta64(SIM_LEAD, "M")]))[0]
    out = _concat(t, _household_share(people, t, group), since=sim_start)
    out.person_group = group
    out.masks = _month_masks(t, people, spells, present, bhyt_counted, voluntary_paid)
    return out


def _path_on_grid(grid: MonthGrid, path: IntendedPath, values: np.ndarray) -> np.ndarray:
    """``values`` of the path's months placed at their grid indices (0 elsewhere)."""
    out = np.zeros(WIDTH, dtype=np.int64)
    index = (path.months - grid.base).astype(np.int64)
    ok = (index >= 0) & (index < WIDTH)
    out[index[ok]] = values[ok]
    return out


def _path_months(ctx: Context, grid: MonthGrid, path: IntendedPath) -> range:
    """Grid indices of the months the card simulations run: from ``SIM_LEAD`` months before
    the history's first month (cards bought in the year before it are already running) to
    the reference month."""
    first = int((ctx.first_month - np.timedelta64(SIM_LEAD, "M") - grid.base).astype(np.int64))
    last = int((path.months[-1] - grid.base).astype(np.int64))
    return range(max(first, 0), last + 1)


def counted_masks(t: SpellTable, people: People, present: np.ndarray, scheme: str) -> np.ndarray:
    """Per person, the month-ends at which a spell of ``scheme`` held here covers them (the
    residents only while they live here): who the path counts."""
    mask = np.zeros(people.n, dtype=np.uint64)
    for person, code, province, start, end in zip(
        t.person, t.scheme, t.province, t.start, t.end, strict=True
    ):
        if not len(code) or code[0] != S[scheme]:  # one scheme per batch of spells
            continue
        here = province == 0
        np.bitwise_or.at(mask, person[here], t.grid.in_force(start[here], end[here]))
    return np.where(people.resident, mask & present, mask)


def _household_cards(
    ctx: Context,
    t: SpellTable,
    people: People,
    cls: Classifications,
    group: np.ndarray,
    present: np.ndarray,
    path: IntendedPath,
) -> np.ndarray:
    """Household (and farming households') cards sold so that the BHYT insured held here
    follow ``path.bhyt_insured`` at every month-end (``cards.simulate``).  Returns each
    person's month-ends counted in BHYT (all cards held here, while living here)."""
    rng = ctx.rng("household_cards")
    grid = t.grid
    others = counted_masks(t, people, present, "bhyt")
    record = cls.person_record(people)
    hh_kind = np.full(people.n_households, -1, dtype=np.int64)
    res = people.household >= 0
    hh_kind[people.household[res]] = np.where(
        record[res] >= 0, cls.kind[np.maximum(record[res], 0)], -1
    )
    propensity = rng.lognormal(0.0, cards.PROPENSITY_SIGMA, people.n_households)
    propensity *= np.where(hh_kind == FARMING, FARMING_PROPENSITY, 1.0)
    allowed = people.resident & ~np.isin(group, [G[g] for g in STATE_HELD])
    # households that never buy: their members without another card stay uncovered for
    # years (the "not covered" of the lists), about NEVER_BUYING of the uncovered now
    pool = people.living & (group == G["household"])
    uncovered_now = (1.0 - float(path.bhyt_rate[-1])) * float(people.living.sum())
    p_never = min(0.5, NEVER_BUYING * uncovered_now / max(int(pool.sum()), 1))
    never = rng.random(people.n_households) < p_never
    allowed &= ~never[np.maximum(people.household, 0)]
    sold = cards.simulate(
        rng,
        people.household,
        people.n_households,
        allowed,
        present,
        t.occupied,
        propensity,
        others,
        _path_on_grid(grid, path, path.bhyt_insured),
        _path_months(ctx, grid, path),
    )
    start = month_start(grid.base + sold.start.astype("timedelta64[M]"))
    end = month_end(grid.base + sold.end.astype("timedelta64[M]"))
    rec = record[sold.person]
    farming = (rec >= 0) & (cls.kind[np.maximum(rec, 0)] == FARMING)
    farming &= (cls.valid_from[np.maximum(rec, 0)] <= start) & (
        np.isnat(cls.valid_to[np.maximum(rec, 0)]) | (cls.valid_to[np.maximum(rec, 0)] >= start)
    )
    for is_farming, name, payer in (
        (False, "household", "household"),
        (True, "farming_average", "budget_supported"),
    ):
        rows = np.flatnonzero(farming == is_farming)
        t.add(
            sold.person[rows],
            "bhyt",
            name,
            payer,
            start[rows],
            end[rows],
            "household",
            collected=True,
        )
    bought = np.zeros(people.n, dtype=np.uint64)
    np.bitwise_or.at(bought, sold.person, span(sold.start, sold.end))
    return others | (bought & present)


def _voluntary(
    ctx: Context,
    t: SpellTable,
    people: People,
    cls: Classifications,
    spells: Spells,
    group: np.ndarray,
    present: np.ndarray,
    path: IntendedPath,
) -> np.ndarray:
    """Voluntary BHXH payments so that the participants follow ``path.voluntary`` at every
    month-end (``voluntary.simulate``): residents from ``voluntary.MIN_AGE`` to the month
    they reach the retirement age.  Returns each person's paid months."""
    rng = ctx.rng("voluntary")
    grid = t.grid
    age = people.age
    kind_now = cls.person_kind(people, ctx.as_of_d)
    left_job = np.zeros(people.n, dtype=bool)
    left_job[spells.person[(spells.kind == LAPSED) & (spells.firm >= 0)]] = True
    weight = np.interp(age, [18, 25, 35, 50, 60, 70], [0.2, 0.5, 1.0, 1.2, 0.8, 0.5])
    weight *= np.where(kind_now == FARMING, 2.0, np.where(kind_now == NEAR_POOR, 1.5, 1.0))
    weight *= np.where(left_job, 3.0, 1.0)
    weight = np.where(people.resident & (people.household >= 0), weight, 0.0)
    base = int(np.asarray(grid.base, dtype="datetime64[M]").astype(np.int64))
    born = people.birth.astype("datetime64[M]").astype(np.int64)  # months since 1970
    first = born + 12 * voluntary.MIN_AGE - base
    last = retirement_month(people.birth, people.female).astype(np.int64) - base
    paid = voluntary.simulate(
        rng,
        weight,
        first,
        last,
        present,
        t.compulsory,
        _path_on_grid(grid, path, path.voluntary),
        _path_months(ctx, grid, path),
    )
    income = _incomes(rng, people.n, poverty_line(ctx.as_of))
    t.add(
        paid.person,
        "bhxh_voluntary",
        "voluntary",
        "self",
        month_start(grid.base + paid.start.astype("timedelta64[M]")),
        month_end(grid.base + paid.end.astype("timedelta64[M]")),
        "voluntary",
        wage=income[paid.person],
        collected=True,
    )
    months = np.zeros(people.n, dtype=np.uint64)
    np.bitwise_or.at(months, paid.person, span(paid.start, paid.end))
    return months


@dataclass
class MonthMasks:
    """Per person, the month-ends (bit ``k``: month ``base + k``) at which they count: while
    living here (residents) with a spell held here in force — the numerators of the path —
    and ``compulsory_any``, compulsory BHXH in any province (the voluntary pool's test)."""

    base: np.datetime64
    present: np.ndarray
    bhyt: np.ndarray
    compulsory: np.ndarray
    compulsory_any: np.ndarray
    bhtn: np.ndarray
    voluntary: np.ndarray


def _month_masks(
    t: SpellTable,
    people: People,
    spells: Spells,
    present: np.ndarray,
    bhyt: np.ndarray,
    voluntary_paid: np.ndarray,
) -> MonthMasks:
    """The month masks of the counts, from the jobs, the cards and the payments."""
    base = int(np.asarray(t.grid.base, dtype="datetime64[M]").astype(np.int64))
    declared = np.flatnonzero(spells.declared)
    lo = spells.start[declared].astype(np.int64) - base
    ends = spells.end[declared]
    hi = np.where(np.isnat(ends), 10**6, ends.astype(np.int64) - base)
    months = span(lo, hi)

    def per_person(rows: np.ndarray) -> np.ndarray:
        mask = np.zeros(people.n, dtype=np.uint64)
        np.bitwise_or.at(mask, spells.person[declared[rows]], months[rows])
        return mask

    here = spells.firm[declared] >= 0
    resident = people.resident

    def counted(mask: np.ndarray) -> np.ndarray:
        return np.where(resident, mask & present, mask)

    return MonthMasks(
        base=t.grid.base,
        present=np.where(resident, present, np.uint64(0)),
        bhyt=bhyt,
        compulsory=counted(per_person(np.flatnonzero(here))),
        compulsory_any=counted(per_person(np.arange(len(declared)))),
        bhtn=counted(per_person(np.flatnonzero(here & spells.bhtn[declared]))),
        voluntary=counted(voluntary_paid),
    )


def _household_share(people: People, t: SpellTable, group: np.ndarray) -> float:
    """Share of the living residents of the household group insured on the reference date."""
    pool = people.living & (group == G["household"])
    return float((t.bhyt_on & pool).sum() / max(int(pool.sum()), 1))


def _employment(
    ctx: Context, t: SpellTable, spells: Spells, firms: Firms, group: np.ndarray
) -> None:
    """Compulsory BHXH, BHYT and BHTN through the employer, one spell each per declared job,
    at the contribution wage of the job's last month (or of the reference month)."""
    as_m = ctx.as_of_month
    mr = monthly_rules(ctx.history_start, as_m)
    dec = np.flatnonzero(spells.declared)
    ref = np.where(np.isnat(spells.end[dec]), as_m, spells.end[dec])
    spell_wages = SpellWages.of(spells, firms, as_m)
    month = np.clip((ref - mr.months[0]).astype(np.int64), 0, len(mr.months) - 1)
    _, wage = spell_wages.at(mr, month, dec)
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
    current = dec[spells.kind[dec] == CURRENT]
    group[spells.person[current]] = G["employee"]


def _pensioners(
    ctx: Context,
    rng: np.random.Generator,
    t: SpellTable,
    people: People,
    spells: Spells,
    group: np.ndarray,
    not_working: np.ndarray,
) -> None:
    """BHYT paid by the social-insurance fund from the month after retiring: those who
    retired from a job here (the job ended the month they reached the statutory age), and a
    share of the other residents past that age."""
    retire = retirement_month(people.birth, people.female)
    lapsed = np.flatnonzero((spells.kind == LAPSED) & (spells.firm >= 0))
    at_age = lapsed[spells.end[lapsed] == retire[spells.person[lapsed]]]
    from_job = spells.person[at_age]
    start_job = month_start(spells.end[at_age] + 1)
    keep = not_working[from_job] & (rng.random(len(from_job)) < PENSION_AFTER_JOB)
    from_job, start_job = from_job[keep], start_job[keep]
    past_age = not_working & (retire < ctx.as_of_month)
    past_age[from_job] = False
    others = np.flatnonzero(past_age & (rng.random(people.n) < PENSION_SHARE))
    start_other = np.maximum(
        month_start(retire[others] + 1), ctx.as_of_d - np.timedelta64(25 * 365, "D")
    )
    idx = np.concatenate([from_job, others])
    st = np.concatenate([start_job, start_other])
    t.add(idx, "bhyt", "pensioner", "si_fund", st, _nat(len(idx)), "pension", after=t.after(idx))
    group[idx] = G["pensioner"]


def _unemployment_benefit(
    ctx: Context, rng: np.random.Generator, t: SpellTable, spells: Spells, group: np.ndarray
) -> None:
    """Half the BHTN participants who lost their job get unemployment benefit for two to
    five months from the month after, the fund paying their BHYT — until another card (a
    new job) takes over."""
    lap = np.flatnonzero((spells.kind == LAPSED) & spells.bhtn & (spells.firm >= 0))
    lap = lap[rng.random(len(lap)) < UNEMPLOYMENT_BENEFIT]
    person = spells.person[lap]
    lo = (spells.end[lap] + 1 - t.grid.base).astype(np.int64)
    hi = lo + rng.integers(1, 5, len(lap))
    first, last = free_run(t.occupied[person], lo, hi)
    ok = (first == lo) & (first <= last) & (group[person] < 0)
    person, first, last = person[ok], first[ok], last[ok]
    end = month_end(t.grid.base + last.astype("timedelta64[M]"))
    t.add(
        person,
        "bhyt",
        "unemployment_benefit",
        "si_fund",
        month_start(t.grid.base + first.astype("timedelta64[M]")),
        end,
        "unemployment_benefit",
    )
    group[person[end >= ctx.as_of_d]] = G["unemployment_benefit"]


def _child_history(ctx: Context, t: SpellTable, people: People, group: np.ndarray) -> None:
    """A child's card (state budget) for residents who turned six within the history (they
    had one), ending the day before the sixth birthday (their own stream of random numbers)."""
    rng = ctx.rng("child_history")
    sixth = add_years(people.birth, 6)
    since = month_start(np.array([ctx.history_start]))[0] - np.timedelta64(GRID_LEAD * 31, "D")
    had = people.resident & (group < 0) & (people.age >= 6) & (sixth >= since)
    idx = np.flatnonzero(had & (rng.random(people.n) < COVERAGE["child_under_6"]))
    t.add(
        idx,
        "bhyt",
        "child_under_6",
        "state_budget",
        people.birth[idx],
        sixth[idx] - np.timedelta64(1, "D"),
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
    rng = ctx.rng("survivor_cards")
    age = people.age
    eligible = survivors.mask & ((age >= 75) | ((age >= 70) & (kind_now == NEAR_POOR)))
    sel = eligible & (group < 0)
    group[sel] = G["survivor_allowance"]
    cov = np.flatnonzero(sel & (rng.random(people.n) < SURVIVOR_COVERAGE))
    st = np.maximum(LAW_FROM, add_years(people.birth[cov], 70))
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


def _incomes(rng: np.random.Generator, n: int, floor: int) -> np.ndarray:
    mult = np.where(rng.random(n) < 0.7, 1.0, rng.choice([1.5, 2.0, 3.0, 4.0], n))
    return (np.round(floor * mult / 50_000) * 50_000).astype(np.int64)
