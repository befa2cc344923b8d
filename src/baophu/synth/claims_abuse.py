"""Abuse of the BHYT fund planted in the synthetic claims, each case recorded in the truth.

Claim-level kinds, a small share of each month's visits (never fewer than a floor, so that
precision and recall are measurable at any scale):

* ``dead_card`` — visits on the card of a person who died before (at two facilities);
* ``two_facilities_same_day`` — one card at facilities of two different areas the same day;
* ``split_admission`` — a stay billed as two, the second admitted within two days of the first
  discharge, same diagnosis (both claims recorded);
* ``long_stay`` — a stay 3.5–5 times the diagnosis mean (natural stays stop at 2.2 times);
* ``duplicate_claim`` — the same patient, facility, day and items billed twice (the copy);
* ``bed_on_outpatient`` — a bed-day billed on an outpatient visit or a stay under 4 hours;
* ``outside_card_validity`` — treatment after the card ended or before it started;
* ``price_above_tender`` — a drug billed 15–60 % above its tender price (two facilities).

Facility and doctor kinds, one row each: ``facility_cost_growth`` (tests, images and drugs
per visit × 1.5 over the last 12 months), ``facility_inpatient_growth`` (inpatient rate
nearly doubled over the last 12 months), ``doctor_drugs`` (2.5 times the drug lines of the
department's peers), ``doctor_imaging`` (images on most visits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.contracts.case_kinds import CLAIM_RULES
from baophu.synth.claims_catalog import DIAGNOSES, OUTPATIENT_DEPARTMENT, STAY_CAP
from baophu.synth.claims_facilities import Facilities
from baophu.synth.claims_lines import BED_OF, DRUG, PRICES, SERVICE, Lines, half_year
from baophu.synth.claims_people import Population
from baophu.synth.claims_visits import CARE, NONE, Doctors, Visits

# the claim-level kinds (the engine's rules), then the facility and doctor kinds
KINDS = (
    *CLAIM_RULES,
    "facility_cost_growth",
    "facility_inpatient_growth",
    "doctor_drugs",
    "doctor_imaging",
)
K = {k: i for i, k in enumerate(KINDS)}
RATE = 0.00025  # of a month's visits, per claim-level kind
FLOOR = 48  # planted claims of each kind over the whole window, at least
GROWTH_MONTHS = 12
_MINUTE = np.timedelta64(1, "m")
_DAY = np.timedelta64(1, "D")
COMMON_COLD = next(i for i, d in enumerate(DIAGNOSES) if d.code == "J06.9")
CHRONIC_DX = np.array([i for i, d in enumerate(DIAGNOSES) if d.chronic and not d.inpatient])


@dataclass
class Planted:
    """Facilities and doctors chosen once for the whole window."""

    cost_growth: int  # facility
    inpatient_growth: int
    price_facilities: np.ndarray
    fraud_facilities: np.ndarray  # where dead people's cards are used
    drug_doctors: np.ndarray
    imaging_doctors: np.ndarray
    growth_from: np.datetime64  # datetime64[M]


def choose(
    rng: np.random.Generator, fac: Facilities, doctors: Doctors, last: np.datetime64
) -> Planted:
    regional = fac.regional_of_office
    picks = rng.permutation(regional)
    private = rng.permutation(fac.private_hospitals)
    stations = rng.permutation(fac.station_of_commune)
    hospitals = np.concatenate([fac.provincial[:1], picks[2:4]])
    outpatient = [
        doctors.first[h, OUTPATIENT_DEPARTMENT]
        + int(rng.integers(0, doctors.count[h, OUTPATIENT_DEPARTMENT]))
        for h in hospitals
    ]
    return Planted(
        cost_growth=int(picks[0]),
        inpatient_growth=int(private[0]),
        price_facilities=np.array([private[1], picks[1]]),
        fraud_facilities=np.array([private[2 % len(private)], stations[0]]),
        drug_doctors=np.array(outpatient[:2]),
        imaging_doctors=np.array(outpatient[2:]),
        growth_from=last - (GROWTH_MONTHS - 1),
    )


def per_month(n_visits: int, n_months: int) -> int:
    return max(int(np.ceil(FLOOR / n_months)), round(RATE * n_visits))


def boosts(
    visits: Visits, planted: Planted, month: np.datetime64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(drug lines, images, intensity) multipliers of each visit."""
    drugs = np.where(np.isin(visits.doctor, planted.drug_doctors), 2.5, 1.0)
    images = np.where(np.isin(visits.doctor, planted.imaging_doctors), 3.5, 1.0)
    grown = (visits.facility == planted.cost_growth) & (month >= planted.growth_from)
    return drugs, images, np.where(grown, 1.5, 1.0)


def inpatient_boost(fac: Facilities, planted: Planted, month: np.datetime64) -> np.ndarray:
    out = np.ones(fac.n)
    if month >= planted.growth_from:
        out[planted.inpatient_growth] = 1.9
    return out


def _natural(visits: Visits, care: str) -> np.ndarray:
    return np.nonzero((visits.planted == NONE) & (visits.care == CARE[care]))[0]


def _pick(rng: np.random.Generator, rows: np.ndarray, k: int) -> np.ndarray:
    return rng.choice(rows, size=min(k, len(rows)), replace=False) if len(rows) else rows


def _same_day(admit: np.ndarray, shift_minutes: np.ndarray) -> np.ndarray:
    day_end = admit.astype("datetime64[D]").astype("datetime64[m]") + 1439 * _MINUTE
    return np.minimum(admit + shift_minutes * _MINUTE, day_end - 200 * _MINUTE)


def plant_visits(
    rng: np.random.Generator,
    visits: Visits,
    pop: Population,
    fac: Facilities,
    doctors: Doctors,
    planted: Planted,
    month: np.datetime64,
    k: int,
    last_day: np.datetime64,
) -> Visits:
    """The month's visits with the claim-level abuse planted (new claims appended)."""
    extra: list[Visits] = []
    # duplicates: the same claim again, a few minutes later
    rows = _pick(rng, _natural(visits, "01"), k)
    copy = visits.take(rows)
    shift = rng.integers(3, 40, len(rows))
    copy.admit = visits.admit[rows] + shift * _MINUTE
    copy.discharge = visits.discharge[rows] + shift * _MINUTE
    copy.planted[:] = K["duplicate_claim"]
    copy.pair = rows
    copy.copy_lines[:] = True
    extra.append(copy)
    visits.planted[rows] = -2  # taken: not picked for another kind
    # the same card at a facility of another area the same day
    rows = _pick(rng, _natural(visits, "01"), k)
    other = visits.take(rows)
    office = fac.office[visits.facility[rows]]
    away = (office + rng.integers(1, len(fac.regional_of_office), len(rows))) % len(
        fac.regional_of_office
    )
    other.facility = fac.regional_of_office[away]
    other.department[:] = OUTPATIENT_DEPARTMENT
    other.doctor = doctors.first[other.facility, OUTPATIENT_DEPARTMENT] + rng.integers(
        0, 3, len(rows)
    )
    start = visits.admit[rows].astype("datetime64[D]").astype("datetime64[m]")
    hour = np.where(visits.admit[rows] - start < 12 * 60 * _MINUTE, 14 * 60, 7 * 60)
    other.admit = start + (hour + rng.integers(0, 120, len(rows))) * _MINUTE
    other.discharge = other.admit + rng.integers(30, 120, len(rows)) * _MINUTE
    other.planted[:] = K["two_facilities_same_day"]
    other.pair = rows
    extra.append(other)
    visits.planted[rows] = -2
    # split admissions: the stay billed as two
    stays = _natural(visits, "03")
    stays = stays[
        (visits.days[stays] >= 5) & (visits.discharge[stays].astype("datetime64[D]") <= last_day)
    ]
    rows = _pick(rng, stays, k)
    cut = 2 + (rng.random(len(rows)) * (visits.days[rows] - 3)).astype(np.int64)
    second = visits.take(rows)
    first_end = (visits.admit[rows].astype("datetime64[D]") + (cut - 1) * _DAY).astype(
        "datetime64[m]"
    )
    first_end = first_end + (9 * 60 + rng.integers(0, 120, len(rows))) * _MINUTE
    second.admit = first_end + rng.integers(2 * 60, 40 * 60, len(rows)) * _MINUTE
    second.ward = second.admit + rng.integers(0, 60, len(rows)) * _MINUTE
    second.days = (
        visits.discharge[rows].astype("datetime64[D]") - second.admit.astype("datetime64[D]")
    ).astype(np.int64) + 1
    second.discharge = np.maximum(visits.discharge[rows], second.admit + 120 * _MINUTE)
    second.days = np.maximum(second.days, 1)
    visits.discharge[rows] = first_end
    visits.days[rows] = cut
    second.planted[:] = K["split_admission"]
    second.pair = rows
    visits.planted[rows] = K["split_admission"]
    extra.append(second)
    # long stays
    stays = _natural(visits, "03")
    mean = np.array([d.stay for d in DIAGNOSES])[visits.dx[stays]]
    stays = stays[mean >= 4]
    rows = _pick(rng, stays, k)
    mean = np.array([d.stay for d in DIAGNOSES])[visits.dx[rows]]
    days = np.maximum(
        np.round(mean * rng.uniform(3.5, 5.0, len(rows))), np.ceil(STAY_CAP * mean) + 3
    ).astype(np.int64)
    end = (visits.admit[rows].astype("datetime64[D]") + (days - 1) * _DAY).astype(
        "datetime64[m]"
    ) + 10 * 60 * _MINUTE
    fits = (end.astype("datetime64[D]") <= visits.card_to[rows]) & (
        end.astype("datetime64[D]") <= last_day
    )
    fits &= (
        end.astype("datetime64[D]")
        < visits.admit[rows].astype("datetime64[Y]").astype("datetime64[D]") + 365
    )
    rows, days, end = rows[fits], days[fits], end[fits]
    visits.days[rows] = days
    visits.discharge[rows] = end
    visits.planted[rows] = K["long_stay"]
    # bed-days on an outpatient visit or a stay under four hours (lines come later)
    rows = _pick(rng, np.concatenate([_natural(visits, "01"), _natural(visits, "09")]), k)
    visits.planted[rows] = K["bed_on_outpatient"]
    # dead people's cards, and cards used outside their validity
    extra.append(_dead_cards(rng, pop, fac, doctors, planted, month, k))
    extra.append(_outside_validity(rng, pop, fac, doctors, month, k))
    visits.planted[visits.planted == -2] = NONE
    return Visits.concat([visits, *[e for e in extra if e.n]])


def _new_visits(
    rng: np.random.Generator,
    pop: Population,
    fac: Facilities,
    doctors: Doctors,
    person: np.ndarray,
    facility: np.ndarray,
    day: np.ndarray,
    card_from: np.ndarray,
    card_to: np.ndarray,
    kind: int,
) -> Visits:
    n = len(person)
    station = fac.level[facility] == "commune_station"
    department = np.where(station, 0, OUTPATIENT_DEPARTMENT)
    admit = day.astype("datetime64[m]") + (7 * 60 + rng.integers(0, 8 * 60, n)) * _MINUTE
    return Visits(
        person=person,
        facility=facility,
        dx=np.where(
            (day - pop.birth[person]).astype(np.int64) >= 40 * 365,
            CHRONIC_DX[rng.integers(0, len(CHRONIC_DX), n)],
            COMMON_COLD,
        ),
        care=np.full(n, CARE["01"]),
        inpatient=np.zeros(n, dtype=bool),
        department=department,
        doctor=doctors.first[facility, department] + rng.integers(0, 2, n),
        admit=admit,
        ward=np.full(n, np.datetime64("NaT", "m")),
        discharge=admit + rng.integers(20, 120, n) * _MINUTE,
        days=np.zeros(n, dtype=np.int64),
        card_from=card_from,
        card_to=card_to,
        renewed_from=np.full(n, np.datetime64("NaT", "D")),
        renewed_to=np.full(n, np.datetime64("NaT", "D")),
        planted=np.full(n, kind),
        pair=np.full(n, NONE),
        copy_lines=np.zeros(n, dtype=bool),
    )


def _printed_card(
    iv_start: np.ndarray, iv_end: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The card a person shows on ``day`` for a coverage interval: for an interval that ended
    before, its last year's card; for one that starts later, its first year's card; for one
    still open (a dead person's card never closed), the card of that year."""
    ref = np.where(iv_end < day, iv_end, np.where(iv_start > day, iv_start, day))
    year_start = ref.astype("datetime64[Y]").astype("datetime64[D]")
    year_end = (ref.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
    return np.maximum(iv_start, year_start), np.minimum(iv_end, year_end)


def _dead_cards(
    rng: np.random.Generator,
    pop: Population,
    fac: Facilities,
    doctors: Doctors,
    planted: Planted,
    month: np.datetime64,
    k: int,
) -> Visits:
    start = month.astype("datetime64[D]")
    dead = np.nonzero(~np.isnat(pop.death) & (pop.death < start - 10) & (pop.death > start - 900))[
        0
    ]
    person = _pick(rng, dead, 3 * k)
    interval = pop.interval_at(person, pop.death[person] - 1)
    person, interval = person[interval >= 0][:k], interval[interval >= 0][:k]
    n_days = int(((month + 1).astype("datetime64[D]") - start).astype(np.int64))
    day = start + rng.integers(0, n_days, len(person)) * _DAY
    card_from, card_to = _printed_card(pop.iv_start[interval], pop.iv_end[interval], day)
    facility = planted.fraud_facilities[rng.integers(0, len(planted.fraud_facilities), len(person))]
    return _new_visits(
        rng, pop, fac, doctors, person, facility, day, card_from, card_to, K["dead_card"]
    )


def _outside_validity(
    rng: np.random.Generator,
    pop: Population,
    fac: Facilities,
    doctors: Doctors,
    month: np.datetime64,
    k: int,
) -> Visits:
    start = month.astype("datetime64[D]")
    end = (month + 1).astype("datetime64[D]") - 1
    ended = np.nonzero((pop.iv_end >= start - 120) & (pop.iv_end <= start - 3))[0]
    begins = np.nonzero((pop.iv_start >= end + 3) & (pop.iv_start <= end + 60))[0]
    late = _pick(rng, ended, 2 * k)
    early = _pick(rng, begins, 2 * k)
    interval = np.concatenate([late, early])
    person = pop.iv_person[interval]
    n_days = int((end - start).astype(np.int64)) + 1
    day = start + rng.integers(0, n_days, len(person)) * _DAY
    uncovered = pop.interval_at(person, day) < 0
    alive = np.isnat(pop.death[person]) | (pop.death[person] > day)
    ok = np.nonzero(uncovered & alive)[0][:k]
    person, day, interval = person[ok], day[ok], interval[ok]
    card_from, card_to = _printed_card(pop.iv_start[interval], pop.iv_end[interval], day)
    facility = fac.station_of_commune[pop.commune[person]]
    return _new_visits(
        rng,
        pop,
        fac,
        doctors,
        person,
        facility,
        day,
        card_from,
        card_to,
        K["outside_card_validity"],
    )


def plant_lines(
    rng: np.random.Generator,
    lines: Lines,
    visits: Visits,
    kinds: np.ndarray,
    planted: Planted,
    k: int,
) -> Lines:
    """Bed-days on the visits chosen for them; drug prices above the tender price."""
    rows = np.nonzero(visits.planted == K["bed_on_outpatient"])[0]
    if len(rows):
        bed = np.array(
            [BED_OF.get(str(x), BED_OF["regional"]) for x in kinds[visits.facility[rows]]]
        )
        beds = Lines(
            visit=rows,
            table=np.full(len(rows), SERVICE),
            item=bed,
            quantity=np.where(
                visits.care[rows] == CARE["09"], 1.0, rng.integers(1, 3, len(rows)).astype(float)
            ),
            price=PRICES[bed, half_year(visits.admit[rows])],
            ordered=visits.admit[rows] + 5 * _MINUTE,
            bed=rng.integers(1, 400, len(rows)),
            extra_bed=np.zeros(len(rows), dtype=bool),
        )
        lines = Lines.concat([lines, beds])
    natural = visits.planted[lines.visit] == NONE
    candidates = np.nonzero(
        (lines.table == DRUG)
        & natural
        & np.isin(visits.facility[lines.visit], planted.price_facilities)
    )[0]
    # one line per claim
    _, first = np.unique(lines.visit[candidates], return_index=True)
    chosen = _pick(rng, candidates[first], k)
    lines.price[chosen] = np.round(lines.price[chosen] * rng.uniform(1.15, 1.6, len(chosen)), -1)
    visits.planted[lines.visit[chosen]] = K["price_above_tender"]
    return lines


def grow_quantities(lines: Lines, intensity: np.ndarray) -> None:
    """Drug quantities of a growing facility's visits, grown with its other services (after
    the month's calibration, which would otherwise spread the growth over everyone)."""
    grown = (lines.table == DRUG) & (intensity[lines.visit] > 1)
    lines.quantity = np.where(
        grown, np.round(lines.quantity * intensity[lines.visit]), lines.quantity
    )
