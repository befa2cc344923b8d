"""One function per reason a person is on the potential lists, each returning rows of the
common shape ``ROW_COLUMNS`` with the reason explained in plain Vietnamese.

Definitions (D the reference date, Y0 the 1 January of D's year; "card" a BHYT spell in any
province; only living residents, except for the two "unidentified" list rows):

* ``not_covered`` — no card on D and none that ended this year (never had one, or the last
  one ended before Y0);
* ``lapsed_bhyt`` — no card on D, the last card (begun by D) ended in [Y0, D); with the date,
  who paid it, and for an employer-paid card the employer (the row goes to its case officer);
  priority 1 while the gap is within the continuity gap (90 days);
* ``lapsed_voluntary`` — no voluntary BHXH (nor compulsory) on D, the last voluntary spell
  ended in [Y0, D);
* ``due_bhyt`` — the latest end of the cards in force is in [D, D + N] (none open), no card
  starts by the day after it, and that card is self-paid (household, farming household,
  pupil, other);
* ``due_voluntary`` — the same for voluntary BHXH;
* ``household_member`` — no card on D, and another member of the household has one;
* ``pupil`` — on a school roster, identified as a resident (``person_links`` when the linkage
  mart exists, else the exact personal ID with agreeing birth dates), no card on D;
* ``pupil_unidentified`` — a roster row not identified as a resident whose ID holds no card
  on D; owned by the school's commune;
* ``subsidy_ending`` — a subsidised card (near-poor, child under six, ethnic minority of a
  disadvantaged commune) ends in [D − gap, D + 60 days], no other card covers the next day,
  and, if it has already ended, no card on D;
* ``new_state_group`` — on a benefit list on D (social pension; survivor aged 75 or more, or
  70–74 in a near-poor household), no card on D; an unidentified row is kept, owned by its
  commune (a survivor only when the list's birth date says 75 or more);
* ``voluntary_pool`` — of working age on D, neither compulsory nor voluntary BHXH on D.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
from ibis.expr.types import Table

from baophu.backends import Store
from baophu.contracts.vocabularies import (
    PRIORITY,
    REASON_VI,
    SELF_PAID_GROUPS,
    SUBSIDY_GROUPS,
)
from baophu.engine.identity import births_agree, normalise_person_id, person_key
from baophu.engine.potential.params import ListParams
from baophu.engine.potential.people import age_on, communes, household_class
from baophu.engine.potential.state import GROUP_CODE, PAYER_CODE
from baophu.engine.potential.text import (
    GROUP_VI,
    PAYER_VI,
    VOLUNTARY_GROUP_VI,
    as_text,
    label,
    num,
    plus_days,
    vnd_month,
    vnd_year,
)
from baophu.engine.text import dmy, my
from baophu.vn import formats

# column → Ibis type of the rows every reason returns
ROW_COLUMNS: dict[str, str] = {
    "person_key": "int64",
    "record_id": "string",
    "source": "string",
    "person_id": "string",
    "full_name": "string",
    "sex": "string",
    "birth_date": "date",
    "age": "int64",
    "household_id": "string",
    "address": "string",
    "phone": "string",
    "hamlet_code": "string",
    "hamlet_name": "string",
    "commune_code": "string",
    "commune_name": "string",
    "office_code": "string",
    "collector_code": "string",
    "collector_name": "string",
    "officer_code": "string",
    "owner_type": "string",
    "owner_code": "string",
    "reason": "string",
    "reason_label": "string",
    "reason_vi": "string",
    "priority": "int64",
    "event_date": "date",
    "days_left": "int64",
    "scheme": "string",
    "kind": "string",
    "last_payer": "string",
    "employer_code": "string",
    "amount": "int64",
    "amount_period": "string",
    "subsidy": "int64",
    "member_no": "int64",
}
PERSON_COLUMNS = (
    "person_key",
    "person_id",
    "full_name",
    "sex",
    "birth_date",
    "age",
    "household_id",
    "address",
    "phone",
    "hamlet_code",
    "hamlet_name",
    "commune_code",
    "commune_name",
    "office_code",
    "collector_code",
    "collector_name",
)
GROUP_NAMES = {v: k for k, v in GROUP_CODE.items()}
PAYER_NAMES = {v: k for k, v in PAYER_CODE.items()}


def rows(t: Table, reason: str, **values: Any) -> Table:
    """``t`` as rows of ``reason``: person columns from ``t`` unless given, every other column
    of ``ROW_COLUMNS`` from ``values`` or null."""
    cols: dict[str, Any] = {}
    for name, typ in ROW_COLUMNS.items():
        if name in values:
            v = values[name]
            cols[name] = (ibis.literal(v, typ) if not isinstance(v, ibis.Expr) else v).cast(typ)
        elif name in PERSON_COLUMNS and name in t.columns:
            cols[name] = t[name].cast(typ)
        else:
            cols[name] = ibis.null(typ)
    cols["reason"] = ibis.literal(reason)
    cols["reason_label"] = ibis.literal(REASON_VI[reason])
    if "priority" not in values:
        cols["priority"] = ibis.literal(PRIORITY[reason], "int64")
    if "owner_type" not in values:
        has = t.collector_code.notnull() if "collector_code" in t.columns else ibis.literal(False)
        cols["owner_type"] = ibis.ifelse(has, "collector", "commune")
        cols["owner_code"] = ibis.ifelse(has, t.collector_code, t.commune_code).cast("string")
    if "source" not in values:
        cols["source"] = ibis.literal("register")
    return t.select(**cols)


def reference_day(p: ListParams) -> ibis.Value:
    """The reference date D as a date literal."""
    return ibis.literal(p.reference_date, "date")


def year_start(p: ListParams) -> ibis.Value:
    """1 January of the reference year as a date literal."""
    return ibis.literal(dt.date(p.reference_date.year, 1, 1), "date")


def _days_from_d(day: ibis.Value, p: ListParams) -> ibis.Value:
    return day.delta(reference_day(p), unit="day").cast("int64")


def bhyt_offer(t: Table, p: ListParams) -> ibis.Value:
    """What taking a card would mean for this person, with the amount (uncovered people)."""
    hh_text = (
        "Tham gia BHYT hộ gia đình (thành viên thứ "
        + as_text(t.member_no)
        + "): "
        + vnd_year(t.bhyt_amount)
        + "."
    )
    st_share = p.percent(p.support_share["student"])
    np_share = p.percent(p.support_share["near_poor"])
    fa_share = p.percent(p.support_share["farming_average"])
    school = (
        "Tham gia BHYT học sinh, sinh viên qua nhà trường (NSNN hỗ trợ "
        + st_share
        + "): "
        + vnd_year(t.bhyt_amount)
        + "."
    )
    child = p.child_state_paid_age
    return ibis.cases(
        (t.on_roster & ((t.age >= child) | t.subsidy_hit), school),
        (t.subsidy_hit, hh_text),
        (
            t.age < child,
            ibis.literal(f"Trẻ em dưới {child} tuổi: NSNN đóng, cần lập danh sách cấp thẻ."),
        ),
        (
            t.classification == "poor",
            ibis.literal("Thuộc hộ nghèo: NSNN đóng, cần lập danh sách cấp thẻ."),
        ),
        (
            t.state_group,
            ibis.literal("Thuộc nhóm NSNN đóng theo Luật BHYT sửa đổi: cần lập danh sách cấp thẻ."),
        ),
        (
            t.classification == "near_poor",
            "Thuộc hộ cận nghèo (NSNN hỗ trợ " + np_share + "): " + vnd_year(t.bhyt_amount) + ".",
        ),
        (
            t.classification == "farming_average",
            "Thuộc hộ nông lâm ngư diêm nghiệp có mức sống trung bình (NSNN hỗ trợ "
            + fa_share
            + "): "
            + vnd_year(t.bhyt_amount)
            + ".",
        ),
        else_=hh_text,
    )


# ----------------------------------------------------------------------- person reasons
#
# Each reason of a resident is a test on the wide people table (``extras`` joined to the
# people table: roster, benefit list, employer's officer, commune decision) and the columns
# of its row.  ``potential.run`` evaluates every test once per person, writes each text once,
# and derives from that one table both the list (a row per reason) and the persons (a row
# per person, the reasons joined) — no aggregation over the texts.

Fields = dict[str, Any]


def not_covered(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    cond = ~t.bhyt_on & (t.bhyt_last_end.isnull() | (t.bhyt_last_end < year_start(p)))
    head = ibis.ifelse(
        t.bhyt_last_end.isnull(),
        "Chưa từng tham gia BHYT.",
        "Không có thẻ BHYT từ ngày " + dmy(plus_days(t.bhyt_last_end, 1)) + ".",
    )
    return cond, {
        "reason_vi": head + " " + t._offer,
        "event_date": t.bhyt_last_end,
        "scheme": "bhyt",
        "amount": t.bhyt_amount,
        "amount_period": "year",
        "member_no": t.member_no,
    }


def lapsed_bhyt(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    """An employer-paid lapse goes to the employer's case officer (``_off``, ``_emp``)."""
    cond = ~t.bhyt_on & t.bhyt_last_end.notnull() & (t.bhyt_last_end >= year_start(p))
    payer = label(t.bhyt_last_payer, {PAYER_CODE[k]: v for k, v in PAYER_VI.items()})
    group = label(t.bhyt_last_group, {GROUP_CODE[k]: v for k, v in GROUP_VI.items()})
    gap_end = plus_days(t.bhyt_last_end, p.gap_days)
    within = _days_from_d(t.bhyt_last_end, p) >= -p.gap_days
    employer = ibis.ifelse(t._emp.notnull(), ", đơn vị " + as_text(t._emp), "")
    text = (
        "Dừng tham gia BHYT từ ngày "
        + dmy(plus_days(t.bhyt_last_end, 1))
        + " (thẻ nhóm "
        + as_text(group)
        + ", người đóng cuối: "
        + as_text(payer)
        + employer
        + "). "
        + ibis.ifelse(
            within,
            "Tham gia lại trước ngày " + dmy(gap_end) + " để không gián đoạn 5 năm liên tục. ",
            "",
        )
        + t._offer
    )
    officer = t._off.notnull()
    has_coll = t.collector_code.notnull()
    return cond, {
        "reason_vi": text,
        "priority": ibis.ifelse(within, 1, PRIORITY["lapsed_bhyt"]),
        "event_date": t.bhyt_last_end,
        "days_left": _days_from_d(t.bhyt_last_end, p),
        "scheme": "bhyt",
        "kind": label(t.bhyt_last_group, {v: k for k, v in GROUP_CODE.items()}),
        "last_payer": label(t.bhyt_last_payer, {v: k for k, v in PAYER_CODE.items()}),
        "employer_code": t._emp,
        "officer_code": t._off,
        "collector_code": ibis.ifelse(officer, ibis.null("string"), t.collector_code),
        "collector_name": ibis.ifelse(officer, ibis.null("string"), t.collector_name),
        "owner_type": ibis.cases((officer, "officer"), (has_coll, "collector"), else_="commune"),
        "owner_code": ibis.cases(
            (officer, t._off), (has_coll, t.collector_code), else_=t.commune_code
        ),
        "amount": t.bhyt_amount,
        "amount_period": "year",
        "member_no": t.member_no,
    }


def due_bhyt(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    d = reference_day(p)
    e = t.bhyt_due_end
    paid = t.bhyt_due_group.isin([GROUP_CODE[g] for g in SELF_PAID_GROUPS])
    renewed = t.bhyt_next_start.notnull() & (t.bhyt_next_start <= plus_days(e, 1))
    cond = t.bhyt_on & e.notnull() & (e >= d) & (e <= plus_days(d, p.due_days)) & paid & ~renewed
    is_hh = t.bhyt_due_group == GROUP_CODE["household"]
    group = label(t.bhyt_due_group, {GROUP_CODE[k]: v for k, v in GROUP_VI.items()})
    how = ibis.ifelse(
        is_hh,
        "theo hộ gia đình (thành viên thứ " + as_text(t.hh_rank.fill_null(1)) + ")",
        "nhóm " + as_text(group),
    )
    left = _days_from_d(t.bhyt_due_end, p)
    text = (
        "Thẻ BHYT hết hạn ngày "
        + dmy(t.bhyt_due_end)
        + " (còn "
        + left.cast("string")
        + " ngày). Gia hạn "
        + how
        + ": "
        + vnd_year(t.due_amount)
        + "."
    )
    return cond, {
        "reason_vi": text,
        "event_date": t.bhyt_due_end,
        "days_left": left,
        "scheme": "bhyt",
        "kind": label(t.bhyt_due_group, {v: k for k, v in GROUP_CODE.items()}),
        "amount": t.due_amount,
        "amount_period": "year",
        "member_no": ibis.ifelse(is_hh, t.hh_rank.fill_null(1), ibis.null("int64")),
    }


def household_member(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    cond = ~t.bhyt_on & (t.hh_covered >= 1)
    text = (
        "Hộ có "
        + t.hh_covered.cast("string")
        + " người đang có thẻ BHYT, người này chưa có. "
        + t._offer
    )
    return cond, {
        "reason_vi": text,
        "scheme": "bhyt",
        "amount": t.bhyt_amount,
        "amount_period": "year",
        "member_no": t.member_no,
    }


def subsidy_ending(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    """The commune's decision (``_dec``) names a commune leaving the disadvantaged list."""
    past = t.sub_end < reference_day(p)
    verb = ibis.ifelse(past, " đã hết hạn ", " hết hạn ")
    kind_code = ibis.cases(
        *[(t.sub_group == GROUP_CODE[g], k) for g, k in SUBSIDY_GROUPS.items()],
        else_=ibis.null("string"),
    )
    cause = ibis.cases(
        (
            t.sub_group == GROUP_CODE["near_poor"],
            "Hộ cận nghèo hết hiệu lực: thẻ BHYT được NSNN hỗ trợ"
            + verb
            + "ngày "
            + dmy(t.sub_end),
        ),
        (
            t.sub_group == GROUP_CODE["child_under_6"],
            f"Trẻ đủ {p.child_state_paid_age} tuổi ngày "
            + dmy(plus_days(t.sub_end, 1))
            + ": thẻ BHYT trẻ em"
            + verb
            + "ngày "
            + dmy(t.sub_end),
        ),
        else_="Xã "
        + as_text(t.commune_name)
        + " ra khỏi danh sách xã vùng khó khăn từ ngày "
        + dmy(plus_days(t.sub_end, 1))
        + ibis.ifelse(t._dec.notnull(), " (" + as_text(t._dec) + ")", "")
        + ": thẻ BHYT do NSNN đóng"
        + verb
        + "ngày "
        + dmy(t.sub_end),
    )
    deadline = ibis.ifelse(past, " Hạn chót " + dmy(plus_days(t.sub_end, p.gap_days)) + ".", "")
    text = cause + ". Cần tự đóng để giữ 5 năm tham gia BHYT liên tục. " + t._offer + deadline
    return t.subsidy_hit, {
        "reason_vi": text,
        "event_date": t.sub_end,
        "days_left": _days_from_d(t.sub_end, p),
        "scheme": "bhyt",
        "kind": kind_code,
        "amount": t.bhyt_amount,
        "amount_period": "year",
        "member_no": t.member_no,
    }


def lapsed_voluntary(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    cond = ~t.vol_on & ~t.comp_on & t.vol_last_end.notnull() & (t.vol_last_end >= year_start(p))
    text = (
        "Dừng đóng BHXH tự nguyện từ tháng "
        + my(plus_days(t.vol_last_end, 1))
        + " (đã đóng đến ngày "
        + dmy(t.vol_last_end)
        + "). Đóng tiếp với thu nhập "
        + num(t.vol_last_income)
        + " đồng: "
        + vnd_month(t.vol_last_payable)
        + " (NSNN hỗ trợ "
        + num(t.vol_subsidy)
        + " đồng, nhóm "
        + as_text(label(t.voluntary_group, VOLUNTARY_GROUP_VI))
        + ")."
    )
    return cond, {
        "reason_vi": text,
        "event_date": t.vol_last_end,
        "days_left": _days_from_d(t.vol_last_end, p),
        "scheme": "bhxh_voluntary",
        "kind": t.voluntary_group,
        "last_payer": "self",
        "amount": t.vol_last_payable,
        "amount_period": "month",
        "subsidy": t.vol_subsidy,
    }


def due_voluntary(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    d = reference_day(p)
    e = t.vol_due_end
    renewed = t.vol_next_start.notnull() & (t.vol_next_start <= plus_days(e, 1))
    cond = t.vol_on & e.notnull() & (e >= d) & (e <= plus_days(d, p.due_days)) & ~renewed
    left = _days_from_d(t.vol_due_end, p)
    text = (
        "BHXH tự nguyện đã đóng đến ngày "
        + dmy(t.vol_due_end)
        + " (còn "
        + left.cast("string")
        + " ngày). Đóng tiếp với thu nhập "
        + num(t.vol_due_income)
        + " đồng: "
        + vnd_month(t.vol_due_payable)
        + " (NSNN hỗ trợ "
        + num(t.vol_subsidy)
        + " đồng)."
    )
    return cond, {
        "reason_vi": text,
        "event_date": t.vol_due_end,
        "days_left": left,
        "scheme": "bhxh_voluntary",
        "kind": t.voluntary_group,
        "amount": t.vol_due_payable,
        "amount_period": "month",
        "subsidy": t.vol_subsidy,
    }


def voluntary_pool(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    cond = t.working_age & ~t.comp_on & ~t.vol_on
    # one text per group (the same for everyone in it): written here, not per row
    income = formats.number(p.poverty_line)
    texts = {
        g: (
            "Trong độ tuổi lao động, chưa tham gia BHXH. Mức đóng BHXH tự nguyện thấp nhất "
            f"{formats.number(p.voluntary_min_payable[g])} đồng/tháng (thu nhập {income} "
            f"đồng, NSNN hỗ trợ {formats.number(p.voluntary_subsidy[g])} đồng, nhóm {name})."
        )
        for g, name in VOLUNTARY_GROUP_VI.items()
    }
    return cond, {
        "reason_vi": label(t.voluntary_group, texts),
        "scheme": "bhxh_voluntary",
        "kind": t.voluntary_group,
        "amount": t.vol_min_payable,
        "amount_period": "month",
        "subsidy": t.vol_subsidy,
    }


def pupil(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    """Identified pupils without a card (their first roster row: ``_rid``, ``_school``…)."""
    cond = ~t.bhyt_on & t._rid.notnull()
    young = t.age < p.child_state_paid_age
    share = p.percent(p.support_share["student"])
    amount = ibis.ifelse(young, 0, p.supported_yearly["student"]).cast("int64")
    text = (
        "Học sinh lớp "
        + as_text(t._class)
        + ", "
        + as_text(t._school)
        + " (năm học "
        + as_text(t._year)
        + ") chưa có thẻ BHYT. "
        + ibis.ifelse(
            young,
            f"Trẻ dưới {p.child_state_paid_age} tuổi: NSNN đóng, nhà trường lập danh sách cấp thẻ.",
            "Mức đóng BHYT học sinh, sinh viên (NSNN hỗ trợ "
            + share
            + "): "
            + vnd_year(amount)
            + ".",
        )
    )
    return cond, {
        "record_id": t._rid,
        "source": "school_rosters",
        "reason_vi": text,
        "scheme": "bhyt",
        "kind": "student",
        "amount": amount,
        "amount_period": "year",
    }


def new_state_group(t: Table, p: ListParams) -> tuple[ibis.Value, Fields]:
    """Identified eligible people without a card (their benefit-list row: ``_brid``…)."""
    cond = ~t.bhyt_on & t._brid.notnull()
    return cond, {
        "record_id": t._brid,
        "source": "benefit_lists",
        "reason_vi": _benefit_text(t._benefit, t._from, t.age, t._np),
        "event_date": t._from,
        "scheme": "bhyt",
        "kind": t._benefit,
        "amount": 0,
        "amount_period": "year",
    }


# the person reasons, in list order
PERSON_REASONS = {
    "due_bhyt": due_bhyt,
    "due_voluntary": due_voluntary,
    "subsidy_ending": subsidy_ending,
    "lapsed_bhyt": lapsed_bhyt,
    "lapsed_voluntary": lapsed_voluntary,
    "new_state_group": new_state_group,
    "pupil": pupil,
    "household_member": household_member,
    "not_covered": not_covered,
    "voluntary_pool": voluntary_pool,
}


def extras(
    P: Table,
    roster: Table,
    benefits: Table,
    officers: Table,
    disadvantaged: Table,
    p: ListParams,
) -> Table:
    """The people table with what some reasons read from other tables: the first roster row
    of an identified pupil (``_rid``, ``_school``, ``_class``, ``_year``), the first eligible
    benefit-list row (``_brid``, ``_benefit``, ``_from``, ``_np``), the employer and case
    officer of an employer-paid lapse (``_emp``, ``_off``), and the decision of a commune
    leaving the disadvantaged list on the day a subsidy ends (``_dec``); and ``_offer``, what
    taking a card would cost the person (``bhyt_offer``), for the reasons that quote it."""
    r = roster.filter(roster.linked_key.notnull())
    r = r.mutate(
        _n=ibis.row_number().over(ibis.window(group_by="linked_key", order_by="record_id"))
    )
    r = r.filter(r._n == 0).select(
        _rpk="linked_key",
        _rid="record_id",
        _school="school_name",
        _class="class_name",
        _year="school_year",
    )
    b = benefits.filter(benefits.eligible & benefits.linked_key.notnull())
    b = b.mutate(
        _n=ibis.row_number().over(ibis.window(group_by="linked_key", order_by="record_id"))
    )
    b = b.filter(b._n == 0).select(
        _bpk="linked_key",
        _brid="record_id",
        _benefit="benefit",
        _from="benefit_from",
        _np="near_poor",
    )
    o = officers.select(_opk="person_key", _emp="employer_code", _off="officer_code")
    dc = disadvantaged.filter(disadvantaged.valid_to.notnull()).select(
        _dc="commune_code", _dto="valid_to", _dec="decision"
    )
    t = P.left_join(r, P.person_key == r._rpk)
    t = t.left_join(b, t.person_key == b._bpk)
    t = t.left_join(o, t.person_key == o._opk)
    t = t.left_join(dc, [t.commune_code == dc._dc, t.sub_end == dc._dto])
    t = t.drop("_rpk", "_bpk", "_opk", "_dc", "_dto")
    # what a card would cost, written once per person (several reasons quote it)
    offer = ibis.ifelse(~t.bhyt_on | t.subsidy_hit, bhyt_offer(t, p), ibis.null("string"))
    return t.mutate(_offer=offer)


# ------------------------------------------------------------------------------- lists in


def roster_record_id(r: Table) -> ibis.Value:
    return r.school_year + "|" + r.school_code + "|" + r.class_name + "|" + r.row_no.cast("string")


def benefit_record_id(b: Table) -> ibis.Value:
    return (
        b.list_month.cast("string")
        + "|"
        + b.benefit
        + "|"
        + b.commune_code
        + "|"
        + b.row_no.cast("string")
    )


def exact_links(rows_: Table, residents: Table) -> Table:
    """``record_id`` → ``person_key`` by the normalised personal ID, birth dates agreeing."""
    key = person_key(normalise_person_id(rows_.person_id))
    x = rows_.select("record_id", _key=key, _birth=rows_.birth_date)
    r = residents.select(_rk=person_key(residents.person_id), _rb=residents.birth_date)
    j = x.join(r, x._key == r._rk)
    j = j.filter(births_agree(j._birth, j._rb))
    return j.select("record_id", person_key=j._rk)


def roster_rows(store: Store, links: Table | None) -> Table:
    """Every roster row with ``record_id``, its ID key and the linked ``person_key``."""
    r = store.table("school_rosters")
    r = r.mutate(record_id=roster_record_id(r))
    if links is None:
        links = exact_links(r, store.table("residents"))
    lk = links.select(_rid="record_id", _pk="person_key")
    j = r.left_join(lk, r.record_id == lk._rid)
    return j.select(
        *r.columns,
        _key=person_key(normalise_person_id(j.person_id)),
        linked_key=j._pk,
    )


def pupil_unidentified(roster: Table, state: Table, units: Table, p: ListParams) -> Table:
    """Roster rows not identified as residents whose ID (if any) holds no card on D."""
    r = roster.filter(roster.linked_key.isnull())
    st = state.select(_sk="person_key", _on="bhyt_on")
    r = r.left_join(st, r._key == st._sk)
    r = r.filter(~r._on.fill_null(False))
    cm = communes(units).select(_cc="commune_code", _cn="commune_name", _of="office_code")
    r = r.left_join(cm, r.commune_code == cm._cc)
    why = ibis.ifelse(
        r.person_id.isnull(),
        "không có số định danh",
        "số định danh " + as_text(r.person_id) + " không khớp dữ liệu dân cư",
    )
    text = (
        "Học sinh lớp "
        + as_text(r.class_name)
        + ", "
        + as_text(r.school_name)
        + " (năm học "
        + as_text(r.school_year)
        + "): "
        + why
        + ". Cần nhà trường đối chiếu, bổ sung số định danh và lập danh sách cấp thẻ BHYT."
    )
    return rows(
        r,
        "pupil_unidentified",
        record_id=r.record_id,
        source="school_rosters",
        person_id=r.person_id,
        full_name=r.full_name,
        sex=r.sex,
        birth_date=r.birth_date,
        age=age_on(r.birth_date, p),
        commune_code=r.commune_code,
        commune_name=r._cn,
        office_code=r._of,
        owner_type="commune",
        owner_code=r.commune_code,
        reason_vi=text,
        scheme="bhyt",
        kind="student",
    )


def benefit_rows(store: Store, p: ListParams) -> Table:
    """Benefit-list rows in force on D with ``record_id``, ID key, linked ``person_key`` and
    ``eligible`` (social pension; survivor 75+, or 70–74 in a near-poor household — age from
    the register when linked, else from the list)."""
    d = reference_day(p)
    b = store.table("benefit_lists")
    b = b.filter((b.benefit_from <= d) & (b.benefit_to.isnull() | (b.benefit_to >= d)))
    b = b.mutate(record_id=benefit_record_id(b))
    residents = store.table("residents")
    links = exact_links(b, residents).select(_rid="record_id", _pk="person_key")
    j = b.left_join(links, b.record_id == links._rid)
    res = residents.select(
        _rk=person_key(residents.person_id), _rb=residents.birth_date, _hid=residents.household_id
    )
    j = j.left_join(res, j._pk == res._rk)
    cls = household_class(store.table("household_classifications"), p).select(
        _ch="_hid", _cls="classification"
    )
    j = j.left_join(cls, j._hid == cls._ch)
    age = age_on(ibis.coalesce(j._rb, j.birth_date), p)
    near_poor = (j._cls == "near_poor").fill_null(False)
    eligible = new_group_eligible(j.benefit, age, near_poor, p)
    return j.select(
        *b.columns,
        _key=person_key(normalise_person_id(j.person_id)),
        linked_key=j._pk,
        list_age=age,
        near_poor=near_poor,
        eligible=eligible,
    )


def new_group_eligible(
    benefit: ibis.Value, age: ibis.Value, near_poor: ibis.Value, p: ListParams
) -> ibis.Value:
    """Whether a benefit recipient is in the amended BHYT law's budget-paid groups on the
    reference date (nobody before the law): social pension; survivor allowance from
    ``survivor_min_age`` (75), or from ``survivor_near_poor_min_age`` (70) when near-poor."""
    if p.survivor_min_age is None or p.survivor_near_poor_min_age is None:
        return ibis.literal(False)
    oldest, near_poor_from = p.survivor_min_age, p.survivor_near_poor_min_age
    survivor = (benefit == "survivor_allowance") & (
        (age >= oldest) | ((age >= near_poor_from) & (age < oldest) & near_poor)
    )
    if p.social_pension_state_paid:
        return (benefit == "social_pension") | survivor
    return survivor


def _benefit_text(
    benefit: ibis.Value, since: ibis.Value, age: ibis.Value, near_poor: ibis.Value
) -> ibis.Value:
    what = ibis.ifelse(
        benefit == "social_pension",
        "Đang hưởng trợ cấp hưu trí xã hội từ ngày " + dmy(since),
        "Đang hưởng trợ cấp tuất hằng tháng, "
        + age.cast("string")
        + " tuổi"
        + ibis.ifelse(near_poor, ", thuộc hộ cận nghèo", ""),
    )
    return (
        what
        + ": thuộc nhóm do NSNN đóng BHYT theo Luật BHYT sửa đổi nhưng chưa có thẻ. "
        + "Cần lập danh sách cấp thẻ (người tham gia không phải đóng tiền)."
    )


def new_state_group_unidentified(
    benefits: Table, state: Table, units: Table, p: ListParams
) -> Table:
    """Eligible benefit-list rows not identified as residents whose ID holds no card."""
    b = benefits.filter(benefits.eligible & benefits.linked_key.isnull())
    st = state.select(_sk="person_key", _on="bhyt_on")
    b = b.left_join(st, b._key == st._sk)
    b = b.filter(~b._on.fill_null(False))
    cm = communes(units).select(_cc="commune_code", _cn="commune_name", _of="office_code")
    b = b.left_join(cm, b.commune_code == cm._cc)
    text = _benefit_text(b.benefit, b.benefit_from, b.list_age, ibis.literal(False)) + ibis.ifelse(
        b.person_id.isnull(),
        " Danh sách không có số định danh: cần xác minh.",
        " Số định danh không khớp dữ liệu dân cư: cần xác minh.",
    )
    return rows(
        b,
        "new_state_group",
        record_id=b.record_id,
        source="benefit_lists",
        person_id=b.person_id,
        full_name=b.full_name,
        sex=b.sex,
        birth_date=b.birth_date,
        age=b.list_age,
        commune_code=b.commune_code,
        commune_name=b._cn,
        office_code=b._of,
        owner_type="commune",
        owner_code=b.commune_code,
        reason_vi=text,
        event_date=b.benefit_from,
        scheme="bhyt",
        kind=b.benefit,
        amount=0,
        amount_period="year",
    )
