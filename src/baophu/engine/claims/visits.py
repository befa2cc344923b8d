"""One row per claim with what every check and indicator needs (``claim_visits``, an
intermediate mart): the claim (XML1), its facility's level and grassroots-office area, its
month of settlement, its length in minutes, and its lines summed by cost group (B04).

* ``month_index`` = NAM_QT × 12 + THANG_QT − 1 (months compare as integers);
* ``minutes`` = NGAY_RA − NGAY_VAO in minutes; ``admit_day`` / ``discharge_day`` the dates;
* ``inpatient`` — MA_LOAI_KCB 03, 04 or 09;
* ``cost_<group>`` — THANH_TIEN_BH of the lines of each B04 group (drug lines are drugs);
* ``bed_lines``, ``bed_fund_paid`` — bed-day lines (MA_NHOM 14/15/16 or a MA_GIUONG) and what
  the fund pays for them; ``drug_lines``, ``service_lines``, ``imaging_lines`` — counts;
* ``line_signature`` — the lines' count and summed THANH_TIEN_BH, to find the same items
  billed twice.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.engine.claims.params import COST_GROUPS, IMAGING_GROUPS, INPATIENT_TYPES

MART_VISITS = "claim_visits"


def _drug_sums(drugs: Table) -> Table:
    amount = drugs.amount_insured.cast("float64")
    return drugs.group_by(
        [drugs.facility_code.name("d_facility"), drugs.claim_code.name("d_claim")]
    ).aggregate(d_cost_drugs=amount.sum(), drug_lines=drugs.count(), d_insured=amount.sum())


def _service_sums(lines: Table) -> Table:
    g = lines.group_code.strip()
    amount = lines.amount_insured.cast("float64")
    metrics = {f"cost_{name}": ibis.ifelse(g.isin(codes), amount, 0.0).sum()
               for name, codes in COST_GROUPS.items()}  # fmt: skip
    bed = g.isin(COST_GROUPS["bed"]) | (
        lines.bed_code.notnull() & (lines.bed_code.strip().length() > 0)
    )
    metrics["bed_lines"] = ibis.ifelse(bed, 1, 0).sum()
    metrics["bed_fund_paid"] = ibis.ifelse(bed, lines.fund_paid.cast("float64"), 0.0).sum()
    metrics["imaging_lines"] = ibis.ifelse(g.isin(IMAGING_GROUPS), 1, 0).sum()
    metrics["service_lines"] = lines.count()
    metrics["s_insured"] = amount.sum()
    return lines.group_by(
        [lines.facility_code.name("s_facility"), lines.claim_code.name("s_claim")]
    ).aggregate(**metrics)


def claim_visits(
    claims: Table, drugs: Table, services: Table, facilities: Table, units: Table
) -> Table:
    d = _drug_sums(drugs)
    s = _service_sums(services)
    offices = units.select(u_code=units.unit_code, office_code=units.parent_code)
    fac = facilities.select(
        f_code=facilities.facility_code,
        level=facilities.level,
        sector=facilities.sector,
        commune_code=facilities.commune_code,
    )
    fac = fac.left_join(offices, fac.commune_code == offices.u_code).select(
        "f_code", "level", "sector", "commune_code", "office_code"
    )
    c = claims
    minutes = ((c.discharged_at.epoch_seconds() - c.admitted_at.epoch_seconds()) / 60).cast("int64")
    base = c.select(
        "facility_code",
        "claim_code",
        "person_id",
        "card_number",
        "full_name",
        "birth_date",
        "sex",
        "department_code",
        "care_type",
        "diagnosis_main",
        "admitted_at",
        "discharged_at",
        "card_valid_from",
        "card_valid_to",
        month_index=(c.settlement_year * 12 + c.settlement_month - 1).cast("int64"),
        admit_day=c.admitted_at.date(),
        discharge_day=c.discharged_at.date(),
        minutes=minutes,
        treatment_days=c.treatment_days.cast("int64"),
        inpatient=c.care_type.isin(INPATIENT_TYPES),
        total_insured=c.total_insured.cast("float64"),
        fund_paid=c.fund_paid.cast("float64"),
    )
    j = base.left_join(
        s, (base.facility_code == s.s_facility) & (base.claim_code == s.s_claim)
    ).drop("s_facility", "s_claim")
    j = j.left_join(d, (j.facility_code == d.d_facility) & (j.claim_code == d.d_claim)).drop(
        "d_facility", "d_claim"
    )
    j = j.left_join(fac, j.facility_code == fac.f_code).drop("f_code")
    costs = {f"cost_{g}": j[f"cost_{g}"].fill_null(0.0) for g in COST_GROUPS}
    costs["cost_drugs"] = costs["cost_drugs"] + j.d_cost_drugs.fill_null(0.0)
    return j.select(
        *base.columns,
        "level",
        "sector",
        "commune_code",
        "office_code",
        **costs,
        bed_lines=j.bed_lines.fill_null(0).cast("int64"),
        bed_fund_paid=j.bed_fund_paid.fill_null(0.0),
        imaging_lines=j.imaging_lines.fill_null(0).cast("int64"),
        drug_lines=j.drug_lines.fill_null(0).cast("int64"),
        service_lines=j.service_lines.fill_null(0).cast("int64"),
        lines_insured=(j.s_insured.fill_null(0.0) + j.d_insured.fill_null(0.0)).round(0),
    )
