"""Synthetic BHYT claims of the province: entry point ``build_claims``.

For each month of the window (24 by default, ending with the reference month) the insured
residents' visits are drawn (``claims_visits``), the abuse is planted (``claims_abuse``), the
lines are built and their drug quantities calibrated to the month's national average cost
(``claims_lines``), and the month is written (``claims_files``).  Around the claims:

``OUT/inputs``::

    facilities.csv  tender_prices.csv  spending_estimates.csv   (Vietnamese headers)
    claims/claims_YYYY_MM.parquet  claims/claim_drugs_YYYY_MM.parquet
    claims/claim_services_YYYY_MM.parquet                      (by settlement month)
    claims_xml/giamdinhhs_<MA_CSKCB>_YYYY_MM.xml               (a sample of facility-months)

``OUT/truth``::

    claims_planted.parquet   one row per planted claim, facility or doctor, with its kind
    claims_spending.parquet  fund paid by settlement month and facility

The estimates tell the story of most provinces in 2024: last year closed a little above its
estimate; this year's estimate, revised once in the summer, is overtaken in the autumn (the
fund paid by the reference month is 102 % of it).  Only insured residents visit, on a day a
card covers them, except where abuse is planted.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from baophu.synth.claims_abuse import (
    KINDS,
    Planted,
    boosts,
    choose,
    grow_quantities,
    inpatient_boost,
    per_month,
    plant_lines,
    plant_visits,
)
from baophu.synth.claims_facilities import (
    Facilities,
    build_facilities,
    facilities_table,
    tender_prices_table,
)
from baophu.synth.claims_files import SETTLE_WITHIN, ClaimWriter, batch_tables
from baophu.synth.claims_lines import build_lines, calibrate, copy_lines, target_cost
from baophu.synth.claims_people import Population, build_population
from baophu.synth.claims_visits import (
    CARE,
    Doctors,
    MonthPlan,
    Visits,
    build_doctors,
    month_visits,
    rate_scales,
    settle_days,
)
from baophu.synth.context import Context
from baophu.synth.geography import Geography, build_geography, resolve_province
from baophu.synth.writers import write_csv, write_parquet

CLAIM_MONTHS = 24
XML_FACILITY_MONTHS = 3  # facility-months written as XML files
LAST_YEAR_OVERRUN = 1.02  # last year's fund paid / its estimate
THIS_YEAR_USE = 1.02  # fund paid by the reference month / this year's (revised) estimate
FIRST_ESTIMATE = 0.96  # the estimate first assigned, against the revised one
EXPECTED_GROWTH = 1.04  # a facility's expected spending: last year's, grown


def window(as_of: date, months: int) -> tuple[np.datetime64, np.datetime64]:
    """(first, last) month of the claims: the last is the reference month when the reference
    date ends it, else the month before."""
    ref = np.datetime64(as_of, "D")
    last = ref.astype("datetime64[M]")
    if (last + 1).astype("datetime64[D]") - 1 != ref:
        last = last - 1
    return last - (months - 1), last


def build_claims(
    ctx: Context,
    geo: Geography,
    residents: pa.Table,
    bhyt_spells: pa.Table,
    inputs: Path,
    truth: Path,
    months: int = CLAIM_MONTHS,
) -> dict[str, Any]:
    """Generate the claims and their reference files; return their summary counts.

    ``residents`` carries person_id, full_name, sex, birth_date, death_date, hamlet_code;
    ``bhyt_spells`` person_id, participant_group, start_date, end_date (BHYT spells only).
    """
    first, last = window(ctx.as_of, months)
    last_day = (last + 1).astype("datetime64[D]") - 1
    fac = build_facilities(geo, ctx.rng("claims-facilities"))
    doctors = build_doctors(fac)
    pop = build_population(geo, fac, residents, bhyt_spells, ctx.rng("claims-people"))
    middle = (first + months // 2).astype("datetime64[D]")
    scales = rate_scales(pop, middle)
    planted = choose(ctx.rng("claims-abuse"), fac, doctors, last)
    kinds = fac.kind()
    (inputs / "claims").mkdir(parents=True, exist_ok=True)
    (inputs / "claims_xml").mkdir(parents=True, exist_ok=True)
    sample = _xml_sample(ctx.rng("claims-xml"), fac, first, last)
    writer = ClaimWriter(inputs / "claims", inputs / "claims_xml", sample)
    last_end = np.full(pop.n, np.iinfo(np.int64).min // 4, dtype=np.int64)
    truth_parts: list[pa.Table] = []
    spending: dict[tuple[str, int], float] = {}  # (settlement month, facility) -> fund paid
    stats = _Stats()
    try:
        month = first
        while month <= last:
            rng = ctx.rng(f"claims-{month}")
            plan = MonthPlan(month, inpatient_boost(fac, planted, month))
            visits = month_visits(rng, pop, fac, doctors, plan, scales, last_end)
            k = per_month(visits.n, months)
            visits = plant_visits(rng, visits, pop, fac, doctors, planted, month, k, last_day)
            visits = settle_days(visits)
            settled = visits.discharge.astype("datetime64[D]") <= last_day
            visits = _settled(visits, settled)
            drug_boost, image_boost, intensity = boosts(visits, planted, month)
            lines = build_lines(
                rng, visits, kinds[visits.facility], drug_boost, image_boost, intensity
            )
            lines = copy_lines(lines, visits)
            calibrate(lines, visits, target_cost(month, ctx.as_of.year))
            grow_quantities(lines, intensity)
            lines = plant_lines(rng, lines, visits, kinds, planted, k)
            batch = batch_tables(visits, lines, pop, fac, doctors, month, geo.province.code2)
            writer.write(batch, month - SETTLE_WITHIN)
            truth_parts.append(_truth_claims(visits, batch, pop, fac, doctors))
            for m, f, paid in zip(
                batch.settlement.astype(str), batch.facility, batch.fund_paid, strict=True
            ):
                key = (m, int(f))
                spending[key] = spending.get(key, 0.0) + float(paid)
            stats.add(visits, batch)
            month = month + 1
    finally:
        writer.close()
    write_csv(facilities_table(fac, geo), inputs / "facilities.csv", "facilities")
    first_day = first.astype("datetime64[D]").item()
    write_csv(
        tender_prices_table(first_day, last_day.item()),
        inputs / "tender_prices.csv",
        "tender_prices",
    )
    spend = _spending_table(spending, fac)
    write_csv(
        _estimates(spend, fac, ctx.as_of, last),
        inputs / "spending_estimates.csv",
        "spending_estimates",
    )
    planted_truth = pa.concat_tables([*truth_parts, _truth_fixed(planted, fac, doctors)])
    write_parquet(planted_truth, truth / "claims_planted.parquet")
    write_parquet(spend, truth / "claims_spending.parquet")
    return {
        "months": months,
        "first_month": str(first),
        "last_month": str(last),
        "facilities": fac.n,
        "rows": dict(writer.rows),
        "xml_files": len(sample),
        "xml_claims": writer.xml_claims,
        "planted": _counts(planted_truth.column("kind").to_pylist()),
        **stats.summary(),
    }


def _settled(visits: Visits, keep: np.ndarray) -> Visits:
    """Visits settled within the window; a copy or pair whose original is dropped goes too."""
    has_pair = visits.pair >= 0
    keep = keep & (~has_pair | keep[np.maximum(visits.pair, 0)])
    index = np.cumsum(keep) - 1
    out = visits.take(np.nonzero(keep)[0])
    out.pair = np.where(out.pair >= 0, index[np.maximum(out.pair, 0)], -1)
    return out


def _xml_sample(
    rng: np.random.Generator, fac: Facilities, first: np.datetime64, last: np.datetime64
) -> set[tuple[str, str]]:
    """A commune station, an area centre and a provincial hospital, each for one month of the
    last year (settlement months that no admission outside the window reaches)."""
    picks = [
        int(rng.choice(fac.station_of_commune)),
        int(rng.choice(fac.regional_of_office)),
        int(fac.provincial[0]),
    ][:XML_FACILITY_MONTHS]
    out = set()
    for facility in picks:
        month = last - int(rng.integers(1, 12))
        month = max(month, first + 1)
        out.add((fac.code[facility], str(month).replace("-", "_")))
    return out


def _spending_table(spending: dict[tuple[str, int], float], fac: Facilities) -> pa.Table:
    keys = sorted(spending)
    return pa.table(
        {
            "settlement_month": pa.array(
                np.array([k[0] for k in keys], dtype="datetime64[D]"), pa.date32()
            ),
            "facility_code": pa.array([fac.code[k[1]] for k in keys], pa.string()),
            "fund_paid": pa.array([spending[k] for k in keys], pa.float64()),
        }
    )


def _estimates(spend: pa.Table, fac: Facilities, as_of: date, last: np.datetime64) -> pa.Table:
    """Estimates of every year of the window: last year's a little below what was paid, this
    year's revised in July and overtaken in the autumn; facilities' expected spending."""
    month = spend.column("settlement_month").to_numpy(zero_copy_only=False).astype("datetime64[M]")
    year = month.astype("datetime64[Y]").astype(np.int64) + 1970
    paid = spend.column("fund_paid").to_numpy()
    facility = np.array(spend.column("facility_code").to_pylist())
    this_year = int(last.astype("datetime64[Y]").astype(np.int64) + 1970)
    rows: list[dict[str, Any]] = []
    for y in sorted(set(year.tolist())):
        total = float(paid[year == y].sum())
        if y == this_year:
            revised = total / THIS_YEAR_USE
        else:
            months_in = len(set(month[year == y].tolist()))
            revised = total * 12 / months_in / LAST_YEAR_OVERRUN
        first_estimate = revised * FIRST_ESTIMATE
        rows.append(_estimate(y, 0, date(y, 1, 20), None, first_estimate))
        rows.append(_estimate(y, 1, date(y, 7, 15), None, revised))
        if y == this_year - 1:
            for code in sorted(set(facility[year == y].tolist())):
                spent = float(paid[(year == y) & (facility == code)].sum())
                rows.append(
                    _estimate(this_year, 0, date(this_year, 1, 20), code, spent * EXPECTED_GROWTH)
                )
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("year", pa.int64()),
                ("revision", pa.int64()),
                ("decided_date", pa.date32()),
                ("facility_code", pa.string()),
                ("amount", pa.int64()),
                ("decision", pa.string()),
            ]
        ),
    )


def _estimate(
    year: int, revision: int, decided: date, facility: str | None, amount: float
) -> dict[str, Any]:
    what = "giao dự toán" if revision == 0 else "điều chỉnh dự toán"
    return {
        "year": year,
        "revision": revision,
        "decided_date": decided,
        "facility_code": facility,
        "amount": int(round(amount / 1_000_000) * 1_000_000) or 1_000_000,
        "decision": f"QĐ {revision + 1:02d}/{year}/QĐ-BHXH ({what})",
    }


def _truth_claims(
    visits: Visits, batch: Any, pop: Population, fac: Facilities, doctors: Doctors
) -> pa.Table:
    rows = np.nonzero(visits.planted >= 0)[0]
    ma_lk = batch.claims.column("MA_LK").take(pa.array(rows))
    pair = visits.pair[rows]
    paired = batch.claims.column("MA_LK").take(pa.array(np.maximum(pair, 0)))
    return pa.table(
        {
            "kind": pa.array(np.array(KINDS)[visits.planted[rows]].tolist(), pa.string()),
            "facility_code": pa.array(
                np.array(fac.code)[visits.facility[rows]].tolist(), pa.string()
            ),
            "claim_code": ma_lk,
            "person_id": pop.person_id.take(pa.array(visits.person[rows])),
            "doctor_code": pa.array(
                np.array(doctors.code)[visits.doctor[rows]].tolist(), pa.string()
            ),
            "department_code": pa.nulls(len(rows), pa.string()),
            "paired_claim_code": pc.if_else(
                pa.array(pair >= 0), paired, pa.scalar(None, pa.string())
            ),
        }
    )


def _truth_fixed(planted: Planted, fac: Facilities, doctors: Doctors) -> pa.Table:
    rows: list[dict[str, Any]] = [
        {"kind": "facility_cost_growth", "facility_code": fac.code[planted.cost_growth]},
        {"kind": "facility_inpatient_growth", "facility_code": fac.code[planted.inpatient_growth]},
    ]
    for kind, chosen in (
        ("doctor_drugs", planted.drug_doctors),
        ("doctor_imaging", planted.imaging_doctors),
    ):
        for d in chosen:
            rows.append(
                {
                    "kind": kind,
                    "facility_code": fac.code[int(doctors.facility[d])],
                    "doctor_code": doctors.code[int(d)],
                    "department_code": f"K{int(doctors.department[d]) + 1:02d}",
                }
            )
    schema = pa.schema(
        [(n, pa.string()) for n in ("kind", "facility_code", "claim_code", "person_id",
                                    "doctor_code", "department_code", "paired_claim_code")]
    )  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)


def _counts(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


class _Stats:
    """Figures of the output the summary reports (the tests measure the files themselves)."""

    def __init__(self) -> None:
        self.visits = 0
        self.inpatient = 0
        self.days = 0
        self.stays = 0

    def add(self, visits: Visits, batch: Any) -> None:
        self.visits += visits.n
        stay = visits.care == CARE["03"]
        self.inpatient += int(np.isin(visits.care, [CARE["03"], CARE["04"], CARE["09"]]).sum())
        self.stays += int(stay.sum())
        self.days += int(visits.days[stay].sum())

    def summary(self) -> dict[str, Any]:
        return {
            "visits": self.visits,
            "inpatient_share": round(self.inpatient / max(self.visits, 1), 4),
            "mean_stay_days": round(self.days / max(self.stays, 1), 2) if self.stays else math.nan,
        }


def generate_claims(
    province: str,
    scale: float,
    seed: int,
    out: Path,
    as_of: date = date(2026, 10, 31),
    months: int = CLAIM_MONTHS,
    claims_out: Path | None = None,
) -> dict[str, Any]:
    """Claims for a province generated earlier into ``out`` (its residents and BHYT spells as
    written there), into ``claims_out`` (default: ``out``) — the same claims ``generate``
    makes when asked to, for the same arguments."""
    info = resolve_province(province)
    ctx = Context(province=info, scale=float(scale), seed=int(seed), as_of=as_of)
    geo = build_geography(info, ctx.seed)
    residents = pq.read_table(out / "inputs" / "residents.parquet")
    truth = pq.read_table(
        out / "truth" / "enrolments.parquet",
        columns=["true_person_id", "scheme", "participant_group", "start_date", "end_date"],
    )
    bhyt = truth.filter(pc.equal(truth.column("scheme"), "bhyt"))
    spells = bhyt.select(["true_person_id", "participant_group", "start_date", "end_date"])
    spells = spells.rename_columns(["person_id", "participant_group", "start_date", "end_date"])
    target = claims_out or out
    (target / "inputs").mkdir(parents=True, exist_ok=True)
    (target / "truth").mkdir(parents=True, exist_ok=True)
    return build_claims(ctx, geo, residents, spells, target / "inputs", target / "truth", months)
