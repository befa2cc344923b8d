"""The participation the submitted forms declare, mapped to the register's enrolments:
``declared_enrolments``, one row per receipt (D03-TS household BHYT, D05-TS voluntary
BHXH, as ``agent_receipts``) and per registration (TK1-TS, ``registration_declarations``).

* ``source`` — ``receipt`` or ``registration``; ``submitter_code`` (the agent or unit),
  ``document_no`` (the receipt number; the dossier number and row of a registration);
* ``person_id``, ``si_code``, ``full_name``; ``scheme`` (receipts: the list's scheme;
  registrations: none);
* ``start_date`` = the first day paid for, ``end_date`` = the day before ``start_date`` +
  ``months`` months (receipts only);
* ``matched_enrolment_id`` — the enrolment of the register for the same person (personal ID,
  else social-insurance code) in the same scheme whose spell overlaps the period paid for (a
  registration: any enrolment of the person), the smallest id when several do; null when the
  register holds none — money taken without the participation it pays for, or a
  registration not yet in the register; ``matched_by`` says which identifier matched.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

MART_DECLARED_ENROLMENTS = "declared_enrolments"


def _months_later(start: ibis.Value, months: ibis.Value) -> ibis.Value:
    """The day before ``start`` + ``months`` months (``start`` a first of month or any day:
    the same day ``months`` later, less one day; the day capped at 28 to stay valid)."""
    index = start.year().cast("int64") * 12 + start.month().cast("int64") - 1 + months
    year = (index // 12).cast("int32")
    month = (index % 12 + 1).cast("int32")
    day = ibis.least(start.day().cast("int32"), 28)
    return ibis.date(year, month, day) - ibis.interval(days=1)


def declared_rows(receipts: Table, registrations: Table) -> Table:
    r = receipts.select(
        source=ibis.literal("receipt"),
        submitter_code=receipts.agent_code,
        document_no=receipts.receipt_no,
        person_id=receipts.person_id,
        si_code=receipts.si_code,
        full_name=receipts.full_name,
        scheme=receipts.scheme,
        start_date=receipts.period_start.cast("date"),
        end_date=_months_later(receipts.period_start.cast("date"), receipts.months.cast("int64")),
        amount=receipts.amount.cast("int64"),
    )
    g = registrations.select(
        source=ibis.literal("registration"),
        submitter_code=registrations.submitter_code,
        document_no=registrations.dossier_no.concat("/", registrations.row_no.cast("string")),
        person_id=registrations.person_id,
        si_code=registrations.si_code,
        full_name=registrations.full_name,
        scheme=ibis.null("string"),
        start_date=ibis.null("date"),
        end_date=ibis.null("date"),
        amount=registrations.amount.cast("int64"),
    )
    return ibis.union(r, g, distinct=False)


def _matches(declared: Table, enrolments: Table, by: str) -> Table:
    e = enrolments.select(
        e_id=enrolments.enrolment_id,
        e_key=enrolments[by],
        e_scheme=enrolments.scheme,
        e_start=enrolments.start_date.cast("date"),
        e_end=enrolments.end_date.cast("date"),
    ).filter(lambda t: t.e_key.notnull())
    d = declared.filter(declared[by].notnull())
    same_scheme = d.scheme.isnull() | (d.scheme == e.e_scheme)
    overlaps = d.start_date.isnull() | (
        (e.e_start <= d.end_date) & (e.e_end.isnull() | (e.e_end >= d.start_date))
    )
    j = d.inner_join(e, (d[by] == e.e_key) & same_scheme & overlaps)
    return j.group_by(["source", "submitter_code", "document_no"]).aggregate(
        **{f"id_{by}": j.e_id.min()}
    )


def declared_enrolments(receipts: Table, registrations: Table, enrolments: Table) -> Table:
    declared = declared_rows(receipts, registrations)
    keys = ["source", "submitter_code", "document_no"]
    out = declared
    for by in ("person_id", "si_code"):
        m = _matches(declared, enrolments, by).rename({f"m_{k}": k for k in keys})
        out = out.left_join(
            m,
            (out.source == m.m_source)
            & (out.submitter_code == m.m_submitter_code)
            & (out.document_no == m.m_document_no),
        ).drop("m_source", "m_submitter_code", "m_document_no")
    return out.select(
        *declared.columns,
        matched_enrolment_id=ibis.coalesce(out.id_person_id, out.id_si_code),
        matched_by=ibis.cases(
            (out.id_person_id.notnull(), "person_id"),
            (out.id_si_code.notnull(), "si_code"),
            else_=ibis.null("string"),
        ),
    ).order_by(keys)
