"""The claim checks: one function per rule (``catalog.py`` explains each), every one returning
the same columns (``FLAG_COLUMNS``), one row per flagged claim — for a pair (two facilities the
same day, a split stay, a duplicate) the later claim, with the earlier as ``paired_claim_code``.

``amount_at_stake`` is what the fund would not owe if the finding holds:

* dead person's card, duplicate: the claim's T_BHTT;
* two facilities the same day, split admission: the smaller of the two claims' T_BHTT;
* long stay: T_BHTT × (days − the diagnosis' mean) ÷ days;
* bed-days on an outpatient visit or a stay under the legal hours: the bed lines' T_BHTT;
* outside the card's validity: T_BHTT × days outside ÷ days of treatment;
* price above the tender price: Σ T_BHTT × (price − tender price) ÷ price over the lines.

``observed`` / ``expected`` carry the figure each rule compared (days after death, hours,
days of stay against the mean, price against the tender price …).
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.engine.claims.params import OUTPATIENT_TYPES, STAY_TYPE, ClaimParams

MART_FLAGS = "claim_flags"
FLAG_COLUMNS = (
    "rule",
    "facility_code",
    "claim_code",
    "paired_facility_code",
    "paired_claim_code",
    "month_index",
    "person_key",
    "department_code",
    "observed",
    "expected",
    "amount_at_stake",
)


def _person(v: Table) -> ibis.Value:
    return ibis.coalesce(v.person_id, v.card_number)


def _flag(
    rule: str,
    v: Table,
    *,
    paired: ibis.Value | None = None,
    paired_facility: ibis.Value | None = None,
    observed: ibis.Value,
    expected: ibis.Value,
    amount: ibis.Value,
) -> Table:
    return v.select(
        rule=ibis.literal(rule),
        facility_code=v.facility_code,
        claim_code=v.claim_code,
        paired_facility_code=(
            paired_facility
            if paired_facility is not None
            else (v.facility_code if paired is not None else ibis.null("string"))
        ),
        paired_claim_code=paired if paired is not None else ibis.null("string"),
        month_index=v.month_index,
        person_key=_person(v),
        department_code=v.department_code,
        observed=observed.cast("float64"),
        expected=expected.cast("float64"),
        amount_at_stake=amount.cast("float64").round(0),
    )


def dead_card(v: Table, residents: Table) -> Table:
    deaths = residents.filter(residents.death_date.notnull())
    deaths = deaths.group_by(r_id=deaths.person_id).aggregate(death_date=deaths.death_date.min())
    j = v.inner_join(deaths, v.person_id == deaths.r_id)
    j = j.filter(j.admit_day > j.death_date)
    return _flag(
        "dead_card",
        j,
        observed=j.admit_day.delta(j.death_date, unit="day"),
        expected=ibis.literal(0),
        amount=j.fund_paid,
    )


def _pair_side(v: Table, prefix: str) -> Table:
    return v.select(
        **{
            f"{prefix}_key": _person(v),
            f"{prefix}_card": v.card_number,
            f"{prefix}_facility": v.facility_code,
            f"{prefix}_claim": v.claim_code,
            f"{prefix}_office": v.office_code,
            f"{prefix}_day": v.admit_day,
            f"{prefix}_at": v.admitted_at,
            f"{prefix}_out_day": v.discharge_day,
            f"{prefix}_out_at": v.discharged_at,
            f"{prefix}_dx": v.diagnosis_main,
            f"{prefix}_care": v.care_type,
            f"{prefix}_fund": v.fund_paid,
            f"{prefix}_total": v.total_insured,
            f"{prefix}_lines": v.drug_lines * 1000 + v.service_lines,
            f"{prefix}_insured": v.lines_insured,
        }
    )


def _later(b: Table) -> ibis.Value:
    """Orders a pair: the flagged claim is the later one (then the greater MA_LK)."""
    return (b.b_at > b.a_at) | ((b.b_at == b.a_at) & (b.b_claim > b.a_claim))


def _with_claim(v: Table, pairs: Table) -> Table:
    """The flagged (later) claims of ``pairs`` as rows of ``v``, with the pair's figures."""
    j = v.inner_join(pairs, (v.facility_code == pairs.b_facility) & (v.claim_code == pairs.b_claim))
    return j


def two_facilities_same_day(v: Table) -> Table:
    a = _pair_side(v, "a")
    b = _pair_side(v, "b")
    p = b.inner_join(a, (b.b_card == a.a_card) & (b.b_day == a.a_day))
    p = p.filter(
        (p.b_facility != p.a_facility)
        & p.a_office.notnull()
        & p.b_office.notnull()
        & (p.b_office != p.a_office)
        & _later(p)
    )
    j = _with_claim(v, p.select("b_facility", "b_claim", "a_facility", "a_claim", "a_fund"))
    return _flag(
        "two_facilities_same_day",
        j,
        paired=j.a_claim,
        paired_facility=j.a_facility,
        observed=ibis.literal(2),
        expected=ibis.literal(1),
        amount=ibis.least(j.fund_paid, j.a_fund),
    )


def split_admission(v: Table, p: ClaimParams) -> Table:
    stays = v.filter(v.care_type == STAY_TYPE)
    a = _pair_side(stays, "a")
    b = _pair_side(stays, "b")
    j = b.inner_join(a, (b.b_key == a.a_key) & (b.b_facility == a.a_facility) & (b.b_dx == a.a_dx))
    gap = j.b_day.delta(j.a_out_day, unit="day")
    j = j.filter((j.b_claim != j.a_claim) & (j.b_at >= j.a_out_at) & (gap <= p.readmission_days))
    j = j.mutate(gap_days=gap)
    r = _with_claim(v, j.select("b_facility", "b_claim", "a_claim", "a_fund", "gap_days"))
    return _flag(
        "split_admission",
        r,
        paired=r.a_claim,
        observed=r.gap_days,
        expected=ibis.literal(p.readmission_days),
        amount=ibis.least(r.fund_paid, r.a_fund),
    )


def long_stay(v: Table, p: ClaimParams) -> Table:
    stays = v.filter((v.care_type == STAY_TYPE) & (v.treatment_days > 0))
    mean = stays.group_by(m_dx=stays.diagnosis_main).aggregate(
        mean_days=stays.treatment_days.cast("float64").mean()
    )
    j = stays.inner_join(mean, stays.diagnosis_main == mean.m_dx)
    j = j.filter(j.treatment_days.cast("float64") > p.long_stay_factor * j.mean_days)
    days = j.treatment_days.cast("float64")
    return _flag(
        "long_stay",
        j,
        observed=days,
        expected=j.mean_days,
        amount=j.fund_paid * (days - j.mean_days) / days,
    )


def duplicate_claim(v: Table) -> Table:
    a = _pair_side(v, "a")
    b = _pair_side(v, "b")
    j = b.inner_join(
        a,
        (b.b_key == a.a_key)
        & (b.b_facility == a.a_facility)
        & (b.b_day == a.a_day)
        & (b.b_total == a.a_total)
        & (b.b_lines == a.a_lines)
        & (b.b_insured == a.a_insured),
    )
    j = j.filter(_later(j))
    r = _with_claim(v, j.select("b_facility", "b_claim", "a_claim"))
    return _flag(
        "duplicate_claim",
        r,
        paired=r.a_claim,
        observed=ibis.literal(2),
        expected=ibis.literal(1),
        amount=r.fund_paid,
    )


def bed_on_outpatient(v: Table, p: ClaimParams) -> Table:
    short = v.minutes < round(p.bed_min_hours * 60)
    j = v.filter((v.bed_lines > 0) & (v.care_type.isin(OUTPATIENT_TYPES) | short))
    return _flag(
        "bed_on_outpatient",
        j,
        observed=j.minutes / 60.0,
        expected=ibis.literal(p.bed_min_hours),
        amount=j.bed_fund_paid,
    )


def outside_card_validity(v: Table) -> Table:
    j = v.filter(
        v.card_valid_from.notnull()
        & v.card_valid_to.notnull()
        & ((v.admit_day < v.card_valid_from) | (v.discharge_day > v.card_valid_to))
    )
    total = j.discharge_day.delta(j.admit_day, unit="day") + 1
    before = ibis.greatest(j.card_valid_from.delta(j.admit_day, unit="day"), 0)
    after = ibis.greatest(j.discharge_day.delta(j.card_valid_to, unit="day"), 0)
    outside = ibis.least(before + after, total)
    return _flag(
        "outside_card_validity",
        j,
        observed=outside,
        expected=ibis.literal(0),
        amount=j.fund_paid * outside.cast("float64") / total.cast("float64"),
    )


def _priced_lines(drugs: Table, services: Table, v: Table) -> Table:
    day = v.select(c_facility=v.facility_code, c_claim=v.claim_code, c_day=v.admit_day)
    d = drugs.select(
        "facility_code",
        "claim_code",
        line=ibis.literal("d") + drugs.line_no.cast("string"),
        kind=ibis.literal("drug"),
        code=drugs.drug_code,
        price=drugs.unit_price.cast("float64"),
        fund=drugs.fund_paid.cast("float64"),
        ordered=drugs.ordered_at.date(),
    )
    s = services.select(
        "facility_code",
        "claim_code",
        line=ibis.literal("s") + services.line_no.cast("string"),
        kind=ibis.ifelse(services.service_code.notnull(), "service", "supply"),
        code=ibis.coalesce(services.service_code, services.supply_code),
        price=services.unit_price_insured.cast("float64"),
        fund=services.fund_paid.cast("float64"),
        ordered=services.ordered_at.date(),
    )
    lines = d.union(s)
    keep = ["facility_code", "claim_code", "line", "kind", "code", "price", "fund"]
    # a line's day is its order's; only lines without one need their claim's admission day
    # (the claims outside ``v`` drop out when the flags meet ``v``): no join of every line
    dated = lines.filter(lines.ordered.notnull())
    dated = dated.select(*keep, line_day=dated.ordered)
    undated = lines.filter(lines.ordered.isnull())
    undated = undated.inner_join(
        day, (undated.facility_code == day.c_facility) & (undated.claim_code == day.c_claim)
    )
    return dated.union(undated.select(*keep, line_day=undated.c_day))


_EPOCH = ibis.date(2000, 1, 1)


def _day_number(day: ibis.Value) -> ibis.Value:
    return day.delta(_EPOCH, unit="day")


def _tender_segments(tender: Table) -> Table:
    """Each item's reference price on stretches of days (``s_from`` to the day before
    ``s_until``, null: open): the tender rows of an item — of one facility, or the general
    ones (``s_facility`` "") — cut on every day a row starts or ends after, so that the same
    rows are in force through a stretch, and their highest price (``s_ref``).  A line then
    meets at most one stretch of its own facility and one general: no grouping per line."""
    t = tender.filter(tender.valid_from.notnull())
    t = t.select(
        k_kind=t.item_kind,
        k_code=t.item_code,
        k_facility=ibis.coalesce(t.facility_code, ""),
        k_from=_day_number(t.valid_from),
        k_to=_day_number(t.valid_to),
        k_price=t.unit_price.cast("float64"),
    )
    starts = t.select(s_kind=t.k_kind, s_code=t.k_code, s_facility=t.k_facility, s_from=t.k_from)
    ends = t.filter(t.k_to.notnull())
    ends = ends.select(
        s_kind=ends.k_kind, s_code=ends.k_code, s_facility=ends.k_facility, s_from=ends.k_to + 1
    )
    bounds = starts.union(ends, distinct=True)
    w = ibis.window(
        group_by=[bounds.s_kind, bounds.s_code, bounds.s_facility], order_by=bounds.s_from
    )
    seg = bounds.mutate(s_until=bounds.s_from.lead().over(w))
    j = seg.inner_join(
        t,
        (seg.s_kind == t.k_kind)
        & (seg.s_code == t.k_code)
        & (seg.s_facility == t.k_facility)
        & (t.k_from <= seg.s_from)
        & (t.k_to.isnull() | (t.k_to >= seg.s_from)),
    )
    return j.group_by(["s_kind", "s_code", "s_facility", "s_from", "s_until"]).aggregate(
        s_ref=j.k_price.max()
    )


def price_above_tender(drugs: Table, services: Table, tender: Table, v: Table) -> Table:
    """Lines priced above the reference: the highest tender price of the line's own facility
    in force on its day, else the highest general one."""
    lines = _priced_lines(drugs, services, v)
    lines = lines.mutate(day_n=_day_number(lines.line_day))
    seg = _tender_segments(tender)
    own = seg.filter(seg.s_facility != "")
    own = own.select(
        o_kind="s_kind", o_code="s_code", o_facility="s_facility", o_from="s_from",
        o_until="s_until", own="s_ref",
    )  # fmt: skip
    j = lines.left_join(
        own,
        (lines.kind == own.o_kind)
        & (lines.code == own.o_code)
        & (lines.facility_code == own.o_facility)
        & (lines.day_n >= own.o_from)
        & (own.o_until.isnull() | (lines.day_n < own.o_until)),
    )
    j = j.select("facility_code", "claim_code", "kind", "code", "price", "fund", "day_n", "own")
    general = seg.filter(seg.s_facility == "")
    j = j.left_join(
        general,
        (j.kind == general.s_kind)
        & (j.code == general.s_code)
        & (j.day_n >= general.s_from)
        & (general.s_until.isnull() | (j.day_n < general.s_until)),
    )
    ref = ibis.coalesce(j.own, j.s_ref)
    over = j.filter(j.price > ref + 0.5).mutate(ref=ref)
    by_claim = over.group_by(
        [over.facility_code.name("b_facility"), over.claim_code.name("b_claim")]
    ).aggregate(
        ratio=(over.price / over.ref).max(),
        excess=(over.fund * (over.price - over.ref) / over.price).sum(),
    )
    r = _with_claim(v, by_claim)
    return _flag(
        "price_above_tender",
        r,
        observed=r.ratio,
        expected=ibis.literal(1.0),
        amount=r.excess,
    )


def claim_flags(
    v: Table,
    residents: Table,
    drugs: Table,
    services: Table,
    tender: Table,
    p: ClaimParams,
) -> Table:
    """Every rule's flags, one table (``claim_flags``)."""
    parts = [
        dead_card(v, residents),
        two_facilities_same_day(v),
        split_admission(v, p),
        long_stay(v, p),
        duplicate_claim(v),
        bed_on_outpatient(v, p),
        outside_card_validity(v),
        price_above_tender(drugs, services, tender, v),
    ]
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part)
    return out
