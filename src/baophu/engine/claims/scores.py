"""Facility, department and doctor scores from peer outliers, with the signals that drove
them, and the ranked review list.

Signals (``claims_signals``, one row per entity and signal): a robust z-score against peers —
(x − median) ÷ (1.4826 × median absolute deviation), the deviation floored at 5 % of the
median — or, for counts of flagged claims, a Poisson z against the count expected from the
province's rate: (observed − expected) ÷ √expected.

* facility: ``cost_growth`` and ``inpatient_growth`` — average cost per visit and inpatient
  rate of the last 12 months against the 12 before, among facilities of the same level;
  ``flags_<rule>`` — flagged claims of each rule against the province's rate per visit;
  ``doctor_outlier`` — the highest signal of its departments and doctors;
* department (facility × MA_KHOA) and doctor (MA_BAC_SI), outpatient visits of the last 12
  months: ``drug_lines_per_visit`` and ``imaging_per_visit`` among the same department code
  at facilities of the same level.

A score is the sum of the signals at or above the outlier threshold (policy
``claims.outlier_z``), each capped (policy ``claims.score_cap``), so one extreme figure does
not hide the others.

``claims_review_list``: every flagged claim, its rules (in the catalog's order), the largest
amount at stake, ranked in the province and within its facility by the number of rules it
breaks, then the amount at stake.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.engine.claims.cache import Cache, keep
from baophu.engine.claims.catalog import RULE_CODES
from baophu.engine.claims.indicators import robust_z
from baophu.engine.claims.params import IMAGING_GROUPS, ClaimParams

MART_SIGNALS = "claims_signals"
MART_SCORES = "claims_scores"
MART_REVIEW = "claims_review_list"
GROWTH_MONTHS = 12
MIN_GROWTH_VISITS = 100
SIGNAL_COLUMNS = (
    "entity",
    "facility_code",
    "department_code",
    "doctor_code",
    "level",
    "signal",
    "value",
    "peer_median",
    "z",
)


def _signal(
    t: Table,
    entity: str,
    signal: str,
    value: str = "value",
    department: ibis.Value | None = None,
    doctor: ibis.Value | None = None,
) -> Table:
    return t.select(
        entity=ibis.literal(entity),
        facility_code=t.facility_code,
        department_code=department if department is not None else ibis.null("string"),
        doctor_code=doctor if doctor is not None else ibis.null("string"),
        level=t.level,
        signal=ibis.literal(signal),
        value=t[value].cast("float64"),
        peer_median=t.peer_median.cast("float64"),
        z=t.z.cast("float64"),
    )


def _growth_signals(v: Table, reference_index: int, cache: Cache = keep) -> list[Table]:
    start = reference_index - GROWTH_MONTHS + 1
    t = v.filter(v.month_index.between(start - GROWTH_MONTHS, reference_index))
    now = t.month_index >= start
    cost = t.total_insured
    a = t.group_by(["facility_code", "level"]).aggregate(
        n1=ibis.ifelse(now, 1, 0).sum().cast("float64"),
        n0=ibis.ifelse(now, 0, 1).sum().cast("float64"),
        in1=ibis.ifelse(now & t.inpatient, 1, 0).sum().cast("float64"),
        in0=ibis.ifelse(~now & t.inpatient, 1, 0).sum().cast("float64"),
        c1=ibis.ifelse(now, cost, 0.0).sum(),
        c0=ibis.ifelse(now, 0.0, cost).sum(),
        q1=ibis.ifelse(now, cost * cost, 0.0).sum(),
        q0=ibis.ifelse(now, 0.0, cost * cost).sum(),
    )
    a = cache(a.filter((a.n1 >= MIN_GROWTH_VISITS) & (a.n0 >= MIN_GROWTH_VISITS)))
    m1, m0 = a.c1 / a.n1, a.c0 / a.n0
    var1 = ibis.greatest(a.q1 / a.n1 - m1 * m1, 0.0)
    var0 = ibis.greatest(a.q0 / a.n0 - m0 * m0, 0.0)
    p1, p0 = a.in1 / a.n1, a.in0 / a.n0
    pooled = (a.in1 + a.in0) / (a.n1 + a.n0)
    chance = {
        "cost_growth": (m1 - m0) / (var1 / a.n1 + var0 / a.n0 + 1e-9).sqrt(),
        "inpatient_growth": (p1 - p0)
        / (pooled * (1 - pooled) * (1 / a.n1 + 1 / a.n0) + 1e-12).sqrt(),
    }
    growth = {
        "cost_growth": ibis.ifelse(m0 > 0, m1 / m0 - 1, ibis.null("float64")),
        "inpatient_growth": ibis.ifelse(p0 > 0, p1 / p0 - 1, ibis.null("float64")),
    }
    out = []
    for signal in ("cost_growth", "inpatient_growth"):
        g = a.select("facility_code", "level", value=growth[signal], chance=chance[signal])
        r = robust_z(g, "value", ["level"])
        # an outlier among peers whose change is also beyond chance (the smaller of the two)
        r = r.mutate(z=ibis.least(r.z, r.chance))
        out.append(_signal(r, "facility", signal))
    return out


def _flag_signals(v: Table, flags: Table, cache: Cache = keep) -> list[Table]:
    """Flagged claims of each rule per facility against the count the province's rate per
    visit would give (rates computed first: two numbers per rule)."""
    visits = cache(v.group_by(["facility_code", "level"]).aggregate(visits=v.count()))
    total = int(v.count().to_pyarrow().as_py())
    per_rule = flags.group_by("rule").aggregate(n=flags.count()).to_pyarrow().to_pylist()
    counts = {str(r["rule"]): int(r["n"]) for r in per_rule}
    out = []
    for rule in RULE_CODES:
        f = flags.filter(flags.rule == rule)
        n = f.group_by(n_code=f.facility_code).aggregate(n=f.count())
        rate = counts.get(rule, 0) / max(total, 1)
        j = visits.left_join(n, visits.facility_code == n.n_code)
        expected = j.visits.cast("float64") * rate
        observed = j.n.fill_null(0).cast("float64")
        s = j.select(
            "facility_code",
            "level",
            value=observed,
            peer_median=expected,
            z=ibis.ifelse(expected > 0, (observed - expected) / expected.sqrt(), 0.0),
        )
        out.append(_signal(s.filter(s.value > 0), "facility", f"flags_{rule}"))
    return out


def _practice_signals(
    v: Table, drugs: Table, services: Table, reference_index: int, cache: Cache = keep
) -> list[Table]:
    """Drug lines and images per outpatient visit, by department and by doctor.  The lines
    are read once: their sums per claim and doctor are materialised (``cache``) and both
    entities' four signals read them."""
    recent = v.filter((~v.inpatient) & (v.month_index > reference_index - GROWTH_MONTHS)).select(
        c_facility="facility_code", c_claim="claim_code", c_level="level"
    )
    d = drugs.select(
        "facility_code",
        "claim_code",
        "department_code",
        "doctor_code",
        drug=ibis.literal(1),
        image=ibis.literal(0),
    )
    s = services.select(
        "facility_code",
        "claim_code",
        "department_code",
        "doctor_code",
        drug=ibis.literal(0),
        image=ibis.ifelse(services.group_code.strip().isin(IMAGING_GROUPS), 1, 0),
    )
    lines = d.union(s)
    lines = lines.inner_join(
        recent,
        (lines.facility_code == recent.c_facility) & (lines.claim_code == recent.c_claim),
    )
    lines = lines.filter(lines.doctor_code.notnull() & lines.department_code.notnull())
    # one row per claim and doctor, then per claim and department: counting rows counts
    # visits (no distinct count over the lines)
    per_doctor = lines.group_by(
        ["facility_code", "department_code", "doctor_code", "claim_code",
         lines.c_level.name("level")]
    ).aggregate(drug_lines=lines.drug.sum(), images=lines.image.sum())  # fmt: skip
    per_doctor = cache(per_doctor)
    per_department = per_doctor.group_by(
        ["facility_code", "department_code", "claim_code", "level"]
    ).aggregate(drug_lines=per_doctor.drug_lines.sum(), images=per_doctor.images.sum())
    out = []
    for entity, keys, rows in (
        ("department", ["facility_code", "department_code"], per_department),
        ("doctor", ["facility_code", "department_code", "doctor_code"], per_doctor),
    ):
        a = rows.group_by([*keys, "level"]).aggregate(
            visits=rows.count(),
            drug_lines=rows.drug_lines.sum(),
            images=rows.images.sum(),
        )
        a = a.filter(a.visits >= 50)
        a = a.mutate(
            drugs_pv=a.drug_lines.cast("float64") / a.visits,
            images_pv=a.images.cast("float64") / a.visits,
        )
        for signal, col in (
            ("drug_lines_per_visit", "drugs_pv"),
            ("imaging_per_visit", "images_pv"),
        ):
            z = robust_z(a, col, ["level", "department_code"])
            out.append(
                _signal(
                    z,
                    entity,
                    signal,
                    value=col,
                    department=z.department_code,
                    doctor=z.doctor_code if entity == "doctor" else None,
                )
            )
    return out


def signals(
    v: Table,
    flags: Table,
    drugs: Table,
    services: Table,
    reference_index: int,
    cache: Cache = keep,
) -> Table:
    """Every signal, one table; ``cache`` (``Store.temporary_tables``) materialises the
    intermediates that several signals read (facility sums, lines per claim and doctor)."""
    parts = [
        *_growth_signals(v, reference_index, cache),
        *_flag_signals(v, flags, cache),
        *_practice_signals(v, drugs, services, reference_index, cache),
    ]
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part)
    return out


def scores(sig: Table, p: ClaimParams) -> Table:
    """One row per facility, department and doctor with a signal at or above the
    threshold: the score and its driving signals (strongest first, ``;``-joined)."""
    strong = sig.filter(sig.z >= p.outlier_z).mutate(points=ibis.least(sig.z, p.score_cap))
    keys = ["entity", "facility_code", "department_code", "doctor_code", "level"]
    # a facility also carries the strongest signal of its departments and doctors
    inner = strong.filter(strong.entity != "facility")
    lifted = inner.group_by(["facility_code", "level"]).aggregate(points=inner.points.max())
    lifted = lifted.select(
        entity=ibis.literal("facility"),
        facility_code=lifted.facility_code,
        department_code=ibis.null("string"),
        doctor_code=ibis.null("string"),
        level=lifted.level,
        signal=ibis.literal("doctor_outlier"),
        points=lifted.points,
    )
    parts = strong.select(*keys, "signal", "points").union(lifted)
    names = [ibis.ifelse(parts.signal == s, s, ibis.null("string")) for s in _signal_names()]
    score = parts.group_by(keys).aggregate(
        score=parts.points.sum(),
        signal_count=parts.count(),
        **{f"_s{i}": n.max() for i, n in enumerate(names)},
    )
    joined = ibis.literal("")
    for i in range(len(names)):
        col = score[f"_s{i}"]
        joined = joined + ibis.ifelse(col.notnull(), col + ";", "")
    order = [ibis.desc(score.score), score.facility_code, score.department_code, score.doctor_code]
    w = ibis.window(group_by=score.entity, order_by=order)
    return score.select(
        *keys,
        score=score.score.round(2),
        signal_count=score.signal_count.cast("int64"),
        signals=joined.re_replace(";$", ""),
        rank=(ibis.row_number().over(w) + 1).cast("int64"),
    )


def _signal_names() -> list[str]:
    return [
        "cost_growth",
        "inpatient_growth",
        *[f"flags_{r}" for r in RULE_CODES],
        "drug_lines_per_visit",
        "imaging_per_visit",
        "doctor_outlier",
    ]


def review_list(flags: Table, v: Table, claims: Table) -> Table:
    """Every flagged claim once, ranked in the province and in its facility; the patient's
    name comes from ``claims`` (the visits do not carry it)."""
    by = flags.group_by(["facility_code", "claim_code"]).aggregate(
        rule_count=flags.rule.nunique(),
        amount_at_stake=flags.amount_at_stake.max(),
        paired_claim_code=flags.paired_claim_code.max(),
        **{f"_r{i}": ibis.ifelse(flags.rule == r, 1, 0).max() for i, r in enumerate(RULE_CODES)},
    )
    rules = ibis.literal("")
    for i, r in enumerate(RULE_CODES):
        rules = rules + ibis.ifelse(by[f"_r{i}"] == 1, r + ";", "")
    info = v.select(
        i_facility="facility_code",
        i_claim="claim_code",
        person_id="person_id",
        card_number="card_number",
        department_code="department_code",
        care_type="care_type",
        diagnosis_main="diagnosis_main",
        admitted_at="admitted_at",
        discharged_at="discharged_at",
        month_index="month_index",
        fund_paid="fund_paid",
    )
    j = by.inner_join(info, (by.facility_code == info.i_facility) & (by.claim_code == info.i_claim))
    names = claims.select(n_facility="facility_code", n_claim="claim_code", full_name="full_name")
    j = j.inner_join(names, (j.facility_code == names.n_facility) & (j.claim_code == names.n_claim))
    order = [ibis.desc(j.rule_count), ibis.desc(j.amount_at_stake), j.facility_code, j.claim_code]
    return j.select(
        "facility_code",
        "claim_code",
        "paired_claim_code",
        "person_id",
        "card_number",
        "full_name",
        "department_code",
        "care_type",
        "diagnosis_main",
        "admitted_at",
        "discharged_at",
        "month_index",
        "fund_paid",
        "rule_count",
        "amount_at_stake",
        rules=rules.re_replace(";$", ""),
        rank_province=(ibis.row_number().over(ibis.window(order_by=order)) + 1).cast("int64"),
        rank_facility=(
            ibis.row_number().over(ibis.window(group_by=j.facility_code, order_by=order)) + 1
        ).cast("int64"),
    )
