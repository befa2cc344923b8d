"""One row per claim with what every check and indicator needs (``claim_visits``, a
temporary table of the ``claims`` step): the claim (XML1), its facility's level and
grassroots-office area, its month of settlement, its length in minutes, and its lines summed
by cost group (B04).

* ``month_index`` = NAM_QT × 12 + THANG_QT − 1 (months compare as integers);
* ``minutes`` = NGAY_RA − NGAY_VAO in minutes; ``admit_day`` / ``discharge_day`` the dates;
* ``inpatient`` — MA_LOAI_KCB 03, 04 or 09;
* ``cost_<group>`` — THANH_TIEN_BH of the lines of each B04 group (drug lines are drugs);
* ``bed_lines``, ``bed_fund_paid`` — bed-day lines (MA_NHOM 14/15/16 or a MA_GIUONG) and what
  the fund pays for them; ``drug_lines``, ``service_lines``, ``imaging_lines`` — counts;
* ``lines_insured`` — the lines' summed THANH_TIEN_BH, with the counts the signature that
  finds the same items billed twice.

The drug and service lines are summed in one grouping (the two line tables stacked), and the
claim's names and birth date stay in ``claims``: the review list reads them for the claims it
lists.  At scale 1.0 over 24 months (16.7 M claims, 100 M lines) this is most of the step.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.engine.claims.params import COST_GROUPS, IMAGING_GROUPS, INPATIENT_TYPES

VISITS = "claim_visits"  # the temporary table, named in progress messages


def line_sums(drugs: Table, services: Table) -> Table:
    """Per claim (``l_facility``, ``l_claim``): the lines summed by cost group and counted."""
    zero = ibis.literal(0.0)
    g = services.group_code.strip()
    amount = services.amount_insured.cast("float64")
    bed = g.isin(COST_GROUPS["bed"]) | (
        services.bed_code.notnull() & (services.bed_code.strip().length() > 0)
    )
    s = services.select(
        l_facility=services.facility_code,
        l_claim=services.claim_code,
        **{f"cost_{name}": ibis.ifelse(g.isin(codes), amount, 0.0)
           for name, codes in COST_GROUPS.items()},
        bed_lines=ibis.ifelse(bed, 1, 0),
        bed_fund_paid=ibis.ifelse(bed, services.fund_paid.cast("float64"), 0.0),
        imaging_lines=ibis.ifelse(g.isin(IMAGING_GROUPS), 1, 0),
        drug_lines=ibis.literal(0),
        service_lines=ibis.literal(1),
        insured=amount,
    )  # fmt: skip
    drug_amount = drugs.amount_insured.cast("float64")
    d = drugs.select(
        l_facility=drugs.facility_code,
        l_claim=drugs.claim_code,
        **{f"cost_{name}": drug_amount if name == "drugs" else zero for name in COST_GROUPS},
        bed_lines=ibis.literal(0),
        bed_fund_paid=zero,
        imaging_lines=ibis.literal(0),
        drug_lines=ibis.literal(1),
        service_lines=ibis.literal(0),
        insured=drug_amount,
    )
    lines = s.union(d)
    metrics = [c for c in lines.columns if c not in ("l_facility", "l_claim")]
    return lines.group_by(["l_facility", "l_claim"]).aggregate(
        **{c: lines[c].sum() for c in metrics}
    )


def claim_visits(
    claims: Table, drugs: Table, services: Table, facilities: Table, units: Table
) -> Table:
    sums = line_sums(drugs, services)
    offices = units.select(u_code=units.unit_code, office_code=units.parent_code)
    fac = facilities.select(
        f_code=facilities.facility_code,
        level=facilities.level,
        commune_code=facilities.commune_code,
    )
    fac = fac.left_join(offices, fac.commune_code == offices.u_code).select(
        "f_code", "level", "office_code"
    )
    c = claims
    minutes = ((c.discharged_at.epoch_seconds() - c.admitted_at.epoch_seconds()) / 60).cast("int64")
    base = c.select(
        "facility_code",
        "claim_code",
        "person_id",
        "card_number",
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
        sums, (base.facility_code == sums.l_facility) & (base.claim_code == sums.l_claim)
    )
    j = j.left_join(fac, j.facility_code == fac.f_code)
    return j.select(
        *base.columns,
        "level",
        "office_code",
        **{f"cost_{g}": j[f"cost_{g}"].fill_null(0.0) for g in COST_GROUPS},
        bed_lines=j.bed_lines.fill_null(0).cast("int64"),
        bed_fund_paid=j.bed_fund_paid.fill_null(0.0),
        imaging_lines=j.imaging_lines.fill_null(0).cast("int64"),
        drug_lines=j.drug_lines.fill_null(0).cast("int64"),
        service_lines=j.service_lines.fill_null(0).cast("int64"),
        lines_insured=j.insured.fill_null(0.0).round(0),
    )
