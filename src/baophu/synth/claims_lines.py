"""Drug lines (XML2) and service, supply and bed lines (XML3) of a month's visits.

An outpatient visit gets an examination, a few tests, sometimes an image and two to four
drugs (a month of them for a chronic disease); a stay gets its bed-days (ICU first for
stroke and infarction), tests, images, supplies, its operation where the diagnosis has one,
and infusions and injections for its days.  Every unit price is the reference price of the
admission day (``claims_facilities.price_on``).  Drug quantities are then scaled, once per
month and separately for outpatient and inpatient visits, so that the average cost per visit
lands on the national figure of that month (``claims_catalog.MEAN_COST``, grown after it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from baophu.synth.arrays import ArrayRecords
from baophu.synth.claims_catalog import (
    AUTUMN_SURGE,
    BEDS,
    COST_GROWTH_AFTER,
    DIAGNOSES,
    DRUGS,
    EXAMS,
    IMAGING,
    IMAGING_P,
    INPATIENT_DRUG_P,
    INPATIENT_DRUGS,
    LABS,
    MEAN_COST,
    OUTPATIENT_DRUG_P,
    OUTPATIENT_DRUGS,
    SUPPLIES,
    SURGERIES,
    Item,
)
from baophu.synth.claims_facilities import all_items, price_on
from baophu.synth.claims_visits import CARE, Visits

ITEMS: list[Item] = all_items()
INDEX = {(i.table, i.code): k for k, i in enumerate(ITEMS)}
DRUG, SERVICE = 0, 1
LAB_P = np.array([10, 6, 4, 4, 4, 3, 1.5, 2, 0.8, 0.3])
SUPPLY_P = np.array([6, 8, 4, 4, 1, 0])
FIRST_YEAR = 2015
_MINUTE = np.timedelta64(1, "m")


def _idx(item: Item) -> int:
    return INDEX[(item.table, item.code)]


def _price_table() -> np.ndarray:
    """[item, half-year since FIRST_YEAR] -> unit price."""
    out = np.zeros((len(ITEMS), 2 * 30))
    for k, item in enumerate(ITEMS):
        for h in range(out.shape[1]):
            out[k, h] = price_on(item, date(FIRST_YEAR + h // 2, 1 if h % 2 == 0 else 7, 1))
    return out


PRICES = _price_table()
EXAM_OF = {k: _idx(v) for k, v in EXAMS.items()}
BED_OF = {k: _idx(v) for k, v in BEDS.items()}
LAB_ITEMS = np.array([_idx(i) for i in LABS])
IMAGING_ITEMS = np.array([_idx(i) for i in IMAGING])
SUPPLY_ITEMS = np.array([_idx(i) for i in SUPPLIES])
DRUG_ITEMS = np.array([_idx(i) for i in DRUGS])
SURGERY_OF_DX = np.array(
    [_idx(SURGERIES[d.surgery]) if d.surgery else -1 for d in DIAGNOSES], dtype=np.int64
)
BONE_PLATE = _idx(SUPPLIES[5])
IS_ICU_DEPARTMENT = 4  # K05
BY_PACK = np.array([i.unit in ("Bình", "Lọ") and i.price > 50_000 for i in DRUGS])


@dataclass
class Lines(ArrayRecords):
    visit: np.ndarray
    table: np.ndarray  # DRUG (XML2) or SERVICE (XML3)
    item: np.ndarray  # index into ITEMS
    quantity: np.ndarray  # float
    price: np.ndarray  # unit price (DON_GIA / DON_GIA_BH)
    ordered: np.ndarray  # datetime64[m]
    bed: np.ndarray  # bed number, -1 for other lines
    extra_bed: np.ndarray  # bool: T (extra bed) instead of H

    @property
    def n(self) -> int:
        return len(self.visit)

    def amount(self) -> np.ndarray:
        return np.round(self.quantity * self.price)


def half_year(days: np.ndarray) -> np.ndarray:
    d = days.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = d.astype("datetime64[M]").astype(np.int64) % 12
    return np.clip((year - FIRST_YEAR) * 2 + (month >= 6), 0, PRICES.shape[1] - 1)


def target_cost(month: np.datetime64, reference_year: int) -> tuple[float, float]:
    """Average cost per visit (outpatient, inpatient) of a month: the national figures of
    2024 and 2025 (as mid-year values), grown geometrically between them and at
    COST_GROWTH_AFTER a year after; from August of the reference year an autumn surge."""
    m = int(month.astype(np.int64))  # months since 1970-01
    t = (m - ((2025 - 1970) * 12 + 6)) / 12.0  # years since July 2025
    (o24, i24), (o25, i25) = MEAN_COST[2024], MEAN_COST[2025]
    if t <= 0:
        out, inp = o25 * (o25 / o24) ** t, i25 * (i25 / i24) ** t
    else:
        out, inp = o25 * (1 + COST_GROWTH_AFTER) ** t, i25 * (1 + COST_GROWTH_AFTER) ** t
    year, month_no = 1970 + m // 12, m % 12 + 1
    if year == reference_year and month_no >= 8:
        out, inp = out * (1 + AUTUMN_SURGE), inp * (1 + AUTUMN_SURGE)
    return out, inp


def build_lines(
    rng: np.random.Generator,
    visits: Visits,
    kinds: np.ndarray,
    drug_boost: np.ndarray,
    imaging_boost: np.ndarray,
    intensity: np.ndarray,
) -> Lines:
    """Lines of every visit not copying another's; ``kinds`` is each visit's facility price
    level, the boosts multiply drug lines and images (planted doctors), ``intensity`` tests,
    images and drugs (planted facilities)."""
    n = visits.n
    care = visits.care
    own = ~visits.copy_lines
    stay = care == CARE["03"]
    day_care = care == CARE["04"]
    short = care == CARE["09"]
    inpatient = stay | day_care | short
    chronic = (care == CARE["05"]) | (care == CARE["08"])
    drugs_only = care == CARE["07"]
    days = visits.days
    parts: list[Lines] = []

    def add(rows: np.ndarray, table: int, item: np.ndarray, qty: np.ndarray, late: bool) -> None:
        if len(rows) == 0:
            return
        span = np.maximum(
            (visits.discharge[rows] - visits.admit[rows]).astype(np.int64), 1
        )  # minutes
        offset = (
            (rng.random(len(rows)) * span).astype(np.int64)
            if late
            else rng.integers(5, 60, len(rows))
        )
        offset = np.minimum(offset, span)
        parts.append(
            Lines(
                visit=rows,
                table=np.full(len(rows), table),
                item=item.astype(np.int64),
                quantity=qty.astype(float),
                price=np.zeros(len(rows)),
                ordered=visits.admit[rows] + offset * _MINUTE,
                bed=np.full(len(rows), -1),
                extra_bed=np.zeros(len(rows), dtype=bool),
            )
        )

    # examinations
    rows = np.nonzero(own & ~drugs_only)[0]
    exam = np.array([EXAM_OF.get(str(k), EXAM_OF["regional"]) for k in kinds[rows]], dtype=np.int64)
    add(rows, SERVICE, exam, np.ones(len(rows)), False)
    # beds: an ICU start for the ICU department, then the ward
    rows = np.nonzero(own & stay)[0]
    icu = visits.department[rows] == IS_ICU_DEPARTMENT
    icu_days = np.where(icu, np.minimum(2, days[rows] - 1), 0)
    ward_days = days[rows] - icu_days
    bed = np.array([BED_OF.get(str(k), BED_OF["regional"]) for k in kinds[rows]], dtype=np.int64)
    add(rows, SERVICE, bed, ward_days, False)
    with_icu = rows[icu_days > 0]
    add(with_icu, SERVICE, np.full(len(with_icu), BED_OF["icu"]), icu_days[icu_days > 0], False)
    # tests
    lam = np.select(
        [inpatient & ~short, short, chronic],
        [3 + 0.6 * np.sqrt(np.maximum(days, 1)), 1.5, 1.5],
        0.5,
    )
    counts = rng.poisson(lam * intensity) * own
    rows = np.repeat(np.arange(n), counts)
    labs = LAB_ITEMS[rng.choice(len(LAB_ITEMS), len(rows), p=LAB_P / LAB_P.sum())]
    add(rows, SERVICE, labs, 1 + np.where(inpatient[rows], days[rows] // 3, 0), True)
    # images
    p_image = np.clip(0.22 * imaging_boost * intensity, 0, 0.97)
    counts = (
        np.where(
            inpatient & ~short,
            1 + rng.poisson(0.6 * intensity * imaging_boost),
            rng.random(n) < p_image,
        )
        * own
    )
    counts = counts + np.where(imaging_boost > 1, rng.poisson(imaging_boost - 1), 0) * own
    rows = np.repeat(np.arange(n), counts.astype(np.int64))
    images = IMAGING_ITEMS[rng.choice(len(IMAGING_ITEMS), len(rows), p=IMAGING_P / IMAGING_P.sum())]
    add(rows, SERVICE, images, np.ones(len(rows)), True)
    # operations and their supplies
    surgery = SURGERY_OF_DX[visits.dx]
    rows = np.nonzero(own & stay & (surgery >= 0))[0]
    add(rows, SERVICE, surgery[rows], np.ones(len(rows)), True)
    femur = rows[np.array([DIAGNOSES[d].code == "S72.0" for d in visits.dx[rows]], dtype=bool)]
    add(femur, SERVICE, np.full(len(femur), BONE_PLATE), np.ones(len(femur)), True)
    counts = np.where(inpatient, 1 + rng.poisson(1.2, n), 0) * own
    rows = np.repeat(np.arange(n), counts)
    supplies = SUPPLY_ITEMS[rng.choice(len(SUPPLY_ITEMS), len(rows), p=SUPPLY_P / SUPPLY_P.sum())]
    add(
        rows,
        SERVICE,
        supplies,
        rng.integers(1, 4, len(rows)) * np.maximum(days[rows], 1) ** 0.5 // 1,
        True,
    )
    # drugs
    lam = np.select([inpatient & ~short, short, chronic, drugs_only], [3.0, 1.5, 1.2, 1.0], 1.6)
    base = np.select([inpatient & ~short, chronic, drugs_only], [3, 2, 2], 1)
    counts = ((base + rng.poisson(lam)) * drug_boost * np.sqrt(intensity)).astype(np.int64) * own
    rows = np.repeat(np.arange(n), counts)
    in_rows = inpatient[rows] & ~short[rows]
    out_pick = OUTPATIENT_DRUGS[
        rng.choice(len(OUTPATIENT_DRUGS), len(rows), p=OUTPATIENT_DRUG_P / OUTPATIENT_DRUG_P.sum())
    ]
    in_pick = INPATIENT_DRUGS[
        rng.choice(len(INPATIENT_DRUGS), len(rows), p=INPATIENT_DRUG_P / INPATIENT_DRUG_P.sum())
    ]
    use_in = (in_rows & (rng.random(len(rows)) < 0.75)) | (
        short[rows] & (rng.random(len(rows)) < 0.6)
    )
    drug = np.where(use_in, in_pick, out_pick)
    per_day = rng.integers(1, 4, len(rows))
    qty = np.select(
        [in_rows | short[rows], chronic[rows] | drugs_only[rows]],
        [per_day * np.maximum(days[rows], 1), rng.integers(28, 91, len(rows))],
        rng.integers(10, 31, len(rows)),
    )
    qty = np.where(BY_PACK[drug], rng.integers(1, 3, len(rows)), qty)
    add(rows, DRUG, DRUG_ITEMS[drug], qty, True)

    lines = Lines.concat(parts) if parts else _empty()
    lines.price = PRICES[lines.item, half_year(visits.admit[lines.visit])]
    is_bed = np.isin(lines.item, list(BED_OF.values()))
    lines.bed = np.where(is_bed, rng.integers(1, 400, lines.n), -1)
    lines.extra_bed = is_bed & (rng.random(lines.n) < 0.1)
    return lines


def _empty() -> Lines:
    z = np.zeros(0, dtype=np.int64)
    return Lines(z, z, z, z.astype(float), z.astype(float), z.astype("datetime64[m]"), z,
                 z.astype(bool))  # fmt: skip


def copy_lines(lines: Lines, visits: Visits) -> Lines:
    """Lines of every duplicate claim: the lines of the claim it copies."""
    copies = np.nonzero(visits.copy_lines)[0]
    if len(copies) == 0:
        return lines
    source = visits.pair[copies]
    order = np.argsort(lines.visit, kind="stable")
    sorted_visit = lines.visit[order]
    lo = np.searchsorted(sorted_visit, source, side="left")
    hi = np.searchsorted(sorted_visit, source, side="right")
    counts = hi - lo
    picks = (
        order[np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)])]
        if counts.sum()
        else np.zeros(0, dtype=np.int64)
    )
    copied = lines.take(picks)
    copied.visit = np.repeat(copies, counts)
    shift = visits.admit[copied.visit] - visits.admit[source.repeat(counts)]
    copied.ordered = copied.ordered + shift
    return Lines.concat([lines, copied])


def calibrate(lines: Lines, visits: Visits, target: tuple[float, float]) -> tuple[float, float]:
    """Scale drug quantities so that the month's mean cost per outpatient and per inpatient
    visit meets ``target``; returns the factors used."""
    amount = lines.amount()
    per_visit_drug = np.bincount(
        lines.visit, weights=np.where(lines.table == DRUG, amount, 0), minlength=visits.n
    )
    per_visit_other = np.bincount(
        lines.visit, weights=np.where(lines.table == DRUG, 0, amount), minlength=visits.n
    )
    inpatient = np.isin(visits.care, [CARE["03"], CARE["04"], CARE["09"]])
    factors = []
    for group, goal in ((~inpatient, target[0]), (inpatient, target[1])):
        drugs = per_visit_drug[group].sum()
        other = per_visit_other[group].sum()
        need = goal * int(group.sum()) - other
        factor = float(np.clip(need / drugs, 0.3, 4.0)) if drugs > 0 else 1.0
        factors.append(factor)
        scale = (
            (lines.table == DRUG) & group[lines.visit] & ~np.isin(lines.item, DRUG_ITEMS[BY_PACK])
        )
        lines.quantity = np.where(
            scale, np.maximum(1.0, np.round(lines.quantity * factor)), lines.quantity
        )
    return factors[0], factors[1]
