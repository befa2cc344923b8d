"""Visits and stays of one month: who comes, where, with what diagnosis, for how long.

Each insured resident draws a number of visits from a Poisson law whose rate depends on age
and the month (``claims_catalog``), normalised so that the insured average 1.93 visits a year;
a visit is kept only on a day a card covers and the person is alive.  A visit is inpatient
with an age-dependent probability normalised to 10 %; its diagnosis follows the age band and
sex (dengue peaks in the rainy season); its facility the level mix (the commune's station, the
area's centre, a provincial or a private hospital); its stay the diagnosis, never beyond 2.2
times the diagnosis mean.  One person's visits are at least three days apart (so nothing
natural looks like a split admission, a duplicate or a card used twice a day), and a stay ends
within the covering card's interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.synth.arrays import ArrayRecords
from baophu.synth.claims_catalog import (
    AGE_BANDS,
    DEPARTMENTS,
    DIAGNOSES,
    INPATIENT_BY_AGE,
    INPATIENT_LEVEL_P,
    INPATIENT_SHARE,
    INPATIENT_TYPE_P,
    INPATIENT_TYPES,
    OUTPATIENT_DEPARTMENT,
    OUTPATIENT_LEVEL_P,
    OUTPATIENT_TYPES,
    SEASON,
    STAY_CAP,
    VISIT_RATE_BY_AGE,
    VISITS_PER_INSURED_YEAR,
    diagnosis_arrays,
)
from baophu.synth.claims_facilities import CHILDREN, OBSTETRICS, PROVINCIAL_WEIGHTS, Facilities
from baophu.synth.claims_people import Population

CARE_TYPES = (*OUTPATIENT_TYPES, *INPATIENT_TYPES)
CARE = {c: i for i, c in enumerate(CARE_TYPES)}
SAME_DAY = (CARE["01"], CARE["05"], CARE["08"], CARE["07"], CARE["09"])
NATURAL_MIN_STAY_MINUTES = 5 * 60  # a drawn stay ending too early is moved to 5 h after admission
DAYS_APART = 3  # one person's visits: at least this many days between them
RATE_BOOST = 1.05  # visits dropped by the spacing rule, made up for
DOCTORS_PER_DEPARTMENT = {"central": 10, "provincial": 8, "regional": 5, "private": 4,
                          "commune_station": 2}  # fmt: skip
_MINUTE = np.timedelta64(1, "m")
_DAY_M = np.timedelta64(1440, "m")
NONE = -1


@dataclass
class Visits(ArrayRecords):
    """One row per claim (XML1), index-aligned arrays."""

    person: np.ndarray
    facility: np.ndarray
    dx: np.ndarray
    care: np.ndarray  # index into CARE_TYPES
    inpatient: np.ndarray  # bool
    department: np.ndarray  # index into DEPARTMENTS
    doctor: np.ndarray  # index into Doctors
    admit: np.ndarray  # datetime64[m]
    ward: np.ndarray  # datetime64[m], NaT for outpatient (NGAY_VAO_NOI_TRU)
    discharge: np.ndarray  # datetime64[m]
    days: np.ndarray  # SO_NGAY_DTRI
    card_from: np.ndarray  # datetime64[D]
    card_to: np.ndarray
    renewed_from: np.ndarray  # datetime64[D], NaT unless a new card was issued mid-stay
    renewed_to: np.ndarray
    planted: np.ndarray  # abuse kind (claims_abuse.KINDS index), -1 none
    pair: np.ndarray  # the visit a planted one copies or pairs with, -1 none
    copy_lines: np.ndarray  # bool: lines are those of ``pair`` (a duplicate claim)

    @property
    def n(self) -> int:
        return len(self.person)


@dataclass
class Doctors:
    """Doctors by facility and department (MA_BAC_SI)."""

    code: list[str]
    facility: np.ndarray
    department: np.ndarray
    first: np.ndarray  # [facility, department] -> first doctor index
    count: np.ndarray  # [facility, department] -> how many


def build_doctors(fac: Facilities) -> Doctors:
    kinds = fac.kind()
    n_dep = len(DEPARTMENTS)
    first = np.zeros((fac.n, n_dep), dtype=np.int64)
    count = np.zeros((fac.n, n_dep), dtype=np.int64)
    codes: list[str] = []
    facility: list[int] = []
    department: list[int] = []
    for f in range(fac.n):
        size = DOCTORS_PER_DEPARTMENT[str(kinds[f])]
        for d in range(n_dep):
            first[f, d] = len(codes)
            count[f, d] = size
            for k in range(size):
                codes.append(f"{fac.code[f]}{d + 1:02d}{k + 1:03d}")
                facility.append(f)
                department.append(d)
    return Doctors(codes, np.array(facility), np.array(department), first, count)


@dataclass
class MonthPlan:
    """What one month asks for beyond the population: growth at planted facilities."""

    month: np.datetime64  # datetime64[M]
    inpatient_boost: np.ndarray  # per facility: factor on the inpatient probability


def _bands(pop: Population, on: np.datetime64) -> np.ndarray:
    age = (on - pop.birth).astype(np.int64) / 365.25
    return np.clip(np.searchsorted(AGE_BANDS, age, side="right") - 1, 0, len(AGE_BANDS) - 1)


def rate_scales(pop: Population, on: np.datetime64) -> tuple[float, float]:
    """Factors that make the insured alive on ``on`` average 1.93 visits a year, 10.2 %
    of them inpatient."""
    covered = np.zeros(pop.n, dtype=bool)
    day = np.full(pop.n, on)
    covered[:] = pop.interval_at(np.arange(pop.n), day) >= 0
    covered &= np.isnat(pop.death) | (pop.death > on)
    bands = _bands(pop, on)[covered]
    rate = VISIT_RATE_BY_AGE[bands]
    visit_scale = VISITS_PER_INSURED_YEAR / max(float(rate.mean()), 1e-9)
    inpatient = float((INPATIENT_BY_AGE[bands] * rate).sum() / max(rate.sum(), 1e-9))
    return visit_scale, INPATIENT_SHARE / max(inpatient, 1e-9)


def month_visits(
    rng: np.random.Generator,
    pop: Population,
    fac: Facilities,
    doctors: Doctors,
    plan: MonthPlan,
    scales: tuple[float, float],
    last_end: np.ndarray,
) -> Visits:
    """The natural visits admitted in ``plan.month``; ``last_end`` (day number of each
    person's latest discharge so far) is read and updated."""
    month = plan.month
    start = month.astype("datetime64[D]")
    n_days = int(((month + 1).astype("datetime64[D]") - start).astype(np.int64))
    calendar_month = int(month.astype(np.int64) % 12)
    bands_all = _bands(pop, start + 14)
    lam = VISIT_RATE_BY_AGE[bands_all] * scales[0] * SEASON[calendar_month] / 12 * RATE_BOOST
    counts = rng.poisson(lam)
    person = np.repeat(np.arange(pop.n, dtype=np.int64), counts)
    day = start + rng.integers(0, n_days, len(person)).astype("timedelta64[D]")
    alive = np.isnat(pop.death[person]) | (pop.death[person] > day)
    interval = pop.interval_at(person, day)
    keep = alive & (interval >= 0)
    person, day, interval = person[keep], day[keep], interval[keep]
    band = bands_all[person]
    female = pop.female[person]
    inpatient = rng.random(len(person)) < INPATIENT_BY_AGE[band] * scales[1]
    dx = _diagnoses(rng, inpatient, band, female, calendar_month)
    facility, level_kind = _facilities(rng, pop, fac, person, inpatient, band, dx)
    grown = rng.random(len(person)) < (plan.inpatient_boost[facility] - 1) * INPATIENT_SHARE
    grown &= ~inpatient & (level_kind != "commune_station")
    if grown.any():
        inpatient = inpatient | grown
        dx = np.where(grown, _diagnoses(rng, grown, band, female, calendar_month), dx)
    care = _care_types(rng, inpatient, dx)
    diag = diagnosis_arrays()
    department = np.where(inpatient, diag["department"][dx], OUTPATIENT_DEPARTMENT)
    department = np.where(level_kind == "commune_station", 0, department)
    doctor = doctors.first[facility, department] + (
        rng.random(len(person)) * doctors.count[facility, department]
    ).astype(np.int64)
    admit, ward, discharge, days = _times(rng, day, care, dx)
    visits = Visits(
        person=person,
        facility=facility,
        dx=dx,
        care=care,
        inpatient=inpatient,
        department=department,
        doctor=doctor,
        admit=admit,
        ward=ward,
        discharge=discharge,
        days=days,
        card_from=pop.iv_start[interval],
        card_to=pop.iv_end[interval],
        renewed_from=np.full(len(person), np.datetime64("NaT", "D")),
        renewed_to=np.full(len(person), np.datetime64("NaT", "D")),
        planted=np.full(len(person), NONE),
        pair=np.full(len(person), NONE),
        copy_lines=np.zeros(len(person), dtype=bool),
    )
    inside = visits.discharge.astype("datetime64[D]") <= visits.card_to
    visits = visits.take(np.nonzero(inside)[0])
    visits = _spaced(visits, last_end)
    return with_cards(visits)


def with_cards(visits: Visits) -> Visits:
    """Card validity as printed: the covering interval cut to the admission's calendar year;
    a stay running into the next year shows a second card (';'-joined in the claim)."""
    year_start = visits.admit.astype("datetime64[Y]").astype("datetime64[D]")
    next_year = (visits.admit.astype("datetime64[Y]") + 1).astype("datetime64[D]")
    interval_from, interval_to = visits.card_from, visits.card_to
    visits.card_from = np.maximum(interval_from, year_start)
    visits.card_to = np.minimum(interval_to, next_year - 1)
    crosses = visits.discharge.astype("datetime64[D]") >= next_year
    visits.renewed_from = np.where(crosses, next_year, np.datetime64("NaT", "D"))
    following = (next_year.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
    visits.renewed_to = np.where(
        crosses, np.minimum(interval_to, following), np.datetime64("NaT", "D")
    )
    return visits


def _spaced(visits: Visits, last_end: np.ndarray) -> Visits:
    """Keep a visit only if it starts at least DAYS_APART days after every earlier visit of
    the same person ended (earlier months included)."""
    if visits.n == 0:
        return visits
    start = visits.admit.astype("datetime64[D]").astype(np.int64)
    end = visits.discharge.astype("datetime64[D]").astype(np.int64)
    order = np.lexsort((start, visits.person))
    person, start, end = visits.person[order], start[order], end[order]
    big = np.int64(1 << 20)  # more days than any date holds
    key_end = person * big + end
    previous = np.concatenate([[np.int64(0)], np.maximum.accumulate(key_end)[:-1]])
    same = np.concatenate([[False], person[1:] == person[:-1]])
    prev_end = np.where(same, previous - person * big, np.iinfo(np.int64).min // 2)
    prev_end = np.maximum(prev_end, last_end[person])
    keep = start >= prev_end + DAYS_APART
    kept = order[keep]
    np.maximum.at(last_end, visits.person[kept], end[keep])
    return visits.take(np.sort(kept))


def _diagnoses(
    rng: np.random.Generator,
    inpatient: np.ndarray,
    band: np.ndarray,
    female: np.ndarray,
    calendar_month: int,
) -> np.ndarray:
    diag = diagnosis_arrays()
    dx = np.zeros(len(band), dtype=np.int64)
    rainy = 5 <= calendar_month <= 9
    season = np.where(diag["seasonal"], 3.0 if rainy else 0.3, 1.0)
    for is_in in (False, True):
        for b in range(len(AGE_BANDS)):
            for fem in (False, True):
                rows = np.nonzero((inpatient == is_in) & (band == b) & (female == fem))[0]
                if len(rows) == 0:
                    continue
                w = diag["weights"][:, b] * season * (diag["inpatient"] == is_in)
                if not fem:
                    w = w * ~diag["female_only"]
                if w.sum() == 0:  # nobody of this band is admitted with these diagnoses
                    w = (diag["inpatient"] == is_in) * 1.0
                dx[rows] = rng.choice(len(DIAGNOSES), size=len(rows), p=w / w.sum())
    return dx


def _facilities(
    rng: np.random.Generator,
    pop: Population,
    fac: Facilities,
    person: np.ndarray,
    inpatient: np.ndarray,
    band: np.ndarray,
    dx: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Facility of each visit, and its price level (``Facilities.kind``)."""
    names = ("provincial", "regional", "commune_station", "private")
    p_out = np.array([OUTPATIENT_LEVEL_P[k] for k in names])
    p_in = np.array([INPATIENT_LEVEL_P[k] for k in names])
    u = rng.random(len(person))
    level = np.where(
        inpatient,
        np.searchsorted(np.cumsum(p_in), u * p_in.sum()),
        np.searchsorted(np.cumsum(p_out), u * p_out.sum()),
    )
    facility = np.zeros(len(person), dtype=np.int64)
    station = fac.station_of_commune[pop.commune[person]]
    own_centre = fac.regional_of_office[pop.office[person]]
    other_centre = fac.regional_of_office[rng.integers(0, len(fac.regional_of_office), len(person))]
    regional = np.where(rng.random(len(person)) < 0.85, own_centre, other_centre)
    weights = PROVINCIAL_WEIGHTS[: len(fac.provincial)]
    pick = np.searchsorted(np.cumsum(weights), rng.random(len(person)) * weights.sum())
    provincial = fac.provincial[np.minimum(pick, len(fac.provincial) - 1)]
    child = band <= 1
    obstetric = np.isin(dx, [i for i, d in enumerate(DIAGNOSES) if d.department == 3])
    provincial = np.where(
        child & (rng.random(len(person)) < 0.5), fac.provincial[CHILDREN], provincial
    )
    provincial = np.where(
        obstetric & (rng.random(len(person)) < 0.6), fac.provincial[OBSTETRICS], provincial
    )
    if len(fac.central):
        to_central = rng.random(len(person)) < 0.1
        provincial = np.where(
            to_central, fac.central[rng.integers(0, len(fac.central), len(person))], provincial
        )
    private = fac.private_hospitals[rng.integers(0, len(fac.private_hospitals), len(person))]
    facility = np.select(
        [level == 0, level == 1, level == 2], [provincial, regional, station], private
    )
    return facility, fac.kind()[facility]


def _care_types(rng: np.random.Generator, inpatient: np.ndarray, dx: np.ndarray) -> np.ndarray:
    diag = diagnosis_arrays()
    n = len(dx)
    u = rng.random(n)
    inpatient_type = np.searchsorted(np.cumsum(INPATIENT_TYPE_P), u * INPATIENT_TYPE_P.sum())
    care_in = np.array([CARE[t] for t in INPATIENT_TYPES])[inpatient_type]
    chronic = diag["chronic"][dx]
    acute = np.array([CARE["01"], CARE["07"], CARE["02"]])
    acute_p = np.array([0.95, 0.03, 0.02])
    care_acute = acute[np.searchsorted(np.cumsum(acute_p), u * acute_p.sum())]
    care_chronic = np.where(u < 0.5, CARE["05"], CARE["08"])
    care_out = np.where(chronic, care_chronic, care_acute)
    # the mix follows OUTPATIENT_TYPE_P: 78 % 01, 17 % chronic (05/08), 3 % 07, 2 % 02
    return np.where(inpatient, care_in, care_out)


def _times(
    rng: np.random.Generator, day: np.ndarray, care: np.ndarray, dx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NGAY_VAO, NGAY_VAO_NOI_TRU, NGAY_RA and SO_NGAY_DTRI."""
    diag = diagnosis_arrays()
    n = len(day)
    midnight = day.astype("datetime64[m]")
    daytime = midnight + (7 * 60 + rng.integers(0, 9 * 60, n)) * _MINUTE
    anytime = midnight + rng.integers(0, 24 * 60, n) * _MINUTE
    stay_type = care == CARE["03"]
    admit = np.where(stay_type & (rng.random(n) < 0.4), anytime, daytime)
    mean = np.maximum(diag["stay"][dx], 1.0)
    sigma = 0.45
    drawn = np.exp(rng.normal(np.log(mean) - sigma**2 / 2, sigma, n))
    stay = np.clip(np.round(drawn), 1, np.floor(STAY_CAP * mean)).astype(np.int64)
    day_care = rng.integers(3, 11, n)
    outpatient_record = rng.integers(5, 16, n)
    days = np.select(
        [stay_type, care == CARE["04"], care == CARE["02"]], [stay, day_care, outpatient_record], 0
    )
    same_day_minutes = np.where(
        care == CARE["09"], rng.integers(60, 230, n), rng.integers(20, 180, n)
    )
    discharge_multi = (admit.astype("datetime64[D]") + (days - 1).astype("timedelta64[D]")).astype(
        "datetime64[m]"
    ) + (8 * 60 + rng.integers(0, 4 * 60, n)) * _MINUTE
    # a natural stay lasts well over the four hours from which a bed-day may be billed (the
    # bed rule flags shorter ones; only the planted abuse should be there)
    discharge_multi = np.maximum(discharge_multi, admit + NATURAL_MIN_STAY_MINUTES * _MINUTE)
    discharge = np.where(days > 0, discharge_multi, admit + same_day_minutes * _MINUTE)
    ward_types = stay_type | (care == CARE["04"]) | (care == CARE["09"])
    ward = np.where(
        ward_types,
        admit + np.where(care == CARE["09"], 0, rng.integers(0, 120, n)) * _MINUTE,
        np.datetime64("NaT", "m"),
    )
    ward = np.where(ward_types, np.minimum(ward, discharge), ward)
    return admit, ward, discharge, days


COUNTED_DAYS = tuple(CARE[t] for t in ("02", "03", "04"))  # SO_NGAY_DTRI = NGAY_RA − NGAY_VAO + 1
ZERO_DAYS = tuple(CARE[t] for t in ("01", "07", "09"))  # SO_NGAY_DTRI = 0


def settle_days(visits: Visits) -> Visits:
    """SO_NGAY_DTRI as the appraisal rules count it from the dates finally written: a late
    admission whose discharge was pushed past midnight, or a planted copy with its own times,
    must not carry the day count of the visit it was drawn from."""
    span = (visits.discharge.astype("datetime64[D]") - visits.admit.astype("datetime64[D]")).astype(
        np.int64
    ) + 1
    counted = np.isin(visits.care, COUNTED_DAYS)
    zero = np.isin(visits.care, ZERO_DAYS)
    visits.days = np.where(counted, span, np.where(zero, 0, visits.days)).astype(np.int64)
    return visits
