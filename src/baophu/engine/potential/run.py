"""Potential lists end to end: ``run_lists(store, reference_date)`` writes three marts.

* ``potential_list`` — **one row per person and reason** (a person with three reasons has
  three rows; ``row_key`` identifies the person across rows and runs: the 12-digit personal
  ID, or ``school_rosters:<record>`` / ``benefit_lists:<record>`` for a list row that could
  not be identified).  Columns: ``potential.reasons.ROW_COLUMNS`` plus ``row_key``,
  ``owner_name``, ``last_outcome``, ``last_outcome_date``, ``contacts`` and ``status``
  (``open`` or the last field outcome, see ``contracts.vocabularies.OUTCOMES``).
* ``potential_persons`` — one row per person and owner (``PERSON_COLUMNS``): the reasons
  joined in list order (``reasons`` codes, ``reasons_vi`` explanations one per line), the
  highest priority, the first amount, ``household_priority``, the owner and the history.
* ``potential_summary`` — per owner (collector, case officer, or commune for rows no
  collector owns), commune, hamlet and reason: ``rows``, ``persons``, ``priority_1``,
  ``amount_total``; ``reason = '*'`` rows count each person once.

Every run recomputes the lists from the imported state: people who have enrolled since the
last import drop out, and the history of contacts (the operational database's field
outcomes, passed in as ``outcomes``) is never touched — the list only shows the last one.

The steps keep their intermediate tables as temporary tables of the backend
(``Store.temporary_tables``): the linked spells, each person's state, the benefit-list and
roster rows, the residents with their household figures, and the wide people table where
every reason is tested and explained once (``wide_people``); the list and the persons are
both read from it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from baophu.backends import Store, TemporaryTables
from baophu.contracts.progress import Progress
from baophu.contracts.vocabularies import PRIORITY, REASONS
from baophu.engine.dates import default_reference_date
from baophu.engine.linkage import MART_LINKS
from baophu.engine.potential.params import ListParams
from baophu.engine.potential.people import people
from baophu.engine.potential.reasons import (
    PERSON_REASONS,
    ROW_COLUMNS,
    benefit_rows,
    extras,
    new_state_group_unidentified,
    pupil_unidentified,
    roster_rows,
    rows,
)
from baophu.engine.potential.state import (
    PAYER_CODE,
    continued_after,
    employer_of_last,
    person_state,
    spells,
)

MART_LIST = "potential_list"
MART_SUMMARY = "potential_summary"
MART_PERSONS = "potential_persons"
MARTS = (MART_LIST, MART_PERSONS, MART_SUMMARY)
OUTCOME_SCHEMA = pa.schema(
    [
        ("row_key", pa.string()),
        ("last_outcome", pa.string()),
        ("last_outcome_date", pa.date32()),
        ("contacts", pa.int64()),
    ]
)


class ListsError(Exception):
    """The lists cannot be computed or read (message in Vietnamese and English)."""


def roster_links(store: Store) -> Table | None:
    """``record_id`` → ``person_key`` of the roster rows the linkage step linked, when its
    ``person_links`` mart exists (else None: the lists fall back to the exact ID)."""
    if not store.has_mart(MART_LINKS):
        return None
    links = store.read_mart(MART_LINKS)
    links = links.filter((links.source == "school_rosters") & (links.decision == "linked"))
    return links.select("record_id", person_key=links.person_key.cast("int64"))


def _row_key(t: Table) -> ibis.Value:
    own = t.person_key.cast("string").lpad(12, "0")
    return ibis.ifelse(t.person_key.notnull(), own, t.source + ":" + t.record_id)


def wide_people(store: Store, p: ListParams, cache: TemporaryTables) -> tuple[Table, list[Table]]:
    """The people table with every person reason tested (``_c<i>``) and explained
    (``_t<i>``) once, kept as a temporary table; and the rows of the list rows that are not
    residents (unidentified roster and benefit-list rows)."""
    d = ibis.literal(p.reference_date, "date")
    sp = cache(spells(store))
    state = cache(person_state(sp, p))
    cand = state.filter(state.sub_end.notnull())
    cont = continued_after(sp, cand.select("person_key", _end=cand.sub_end))
    hit = cand.anti_join(cont, "person_key")
    hit = hit.filter((hit.sub_end >= d) | ~hit.bhyt_on.fill_null(False)).select("person_key")
    ben = cache(benefit_rows(store, p))
    group = ben.filter(ben.eligible & ben.linked_key.notnull()).select(person_key="linked_key")
    roster = cache(roster_rows(store, roster_links(store)))
    pupils = roster.filter(roster.linked_key.notnull()).select(person_key="linked_key")
    P = people(store, state, p, hit, group, pupils, cache)
    y0 = ibis.literal(dt.date(p.reference_date.year, 1, 1), "date")
    st = state.filter(
        state.bhyt_on.notnull()
        & ~state.bhyt_on
        & (state.bhyt_last_end >= y0)
        & (state.bhyt_last_payer == PAYER_CODE["employer"])
    )
    emp = employer_of_last(store, st.select("person_key", _end=st.bhyt_last_end), p)
    employers = store.table("employers").select(_ec="employer_code", officer_code="officer_code")
    officers = emp.join(employers, emp.employer_code == employers._ec).drop("_ec")
    officers = officers.filter(officers.officer_code.notnull())
    W0 = extras(P, roster, ben, officers, store.table("disadvantaged_communes"), p)
    tested: dict[str, Any] = {}
    for i, (_code, spec) in enumerate(PERSON_REASONS.items()):
        cond, fields = spec(W0, p)
        tested[f"_c{i}"] = cond.fill_null(False)
        tested[f"_t{i}"] = ibis.ifelse(
            cond.fill_null(False), fields["reason_vi"], ibis.null("string")
        )
    W = cache(W0.mutate(**tested))
    units = store.table("units")
    others = [
        new_state_group_unidentified(ben, state, units, p),
        pupil_unidentified(roster, state, units, p),
    ]
    return W, others


def _specs(W: Table, p: ListParams) -> list[tuple[int, str, Any]]:
    return [(i, code, spec(W, p)[1]) for i, (code, spec) in enumerate(PERSON_REASONS.items())]


def list_rows(W: Table, others: list[Table], p: ListParams) -> Table:
    """``potential_list`` before the owners' names and outcomes: a row per person reason
    (from the wide table), then the unidentified list rows, in list order."""
    parts = []
    for i, code, fields in _specs(W, p):
        f = dict(fields)
        f["reason_vi"] = W[f"_t{i}"]
        parts.append(rows(W.filter(W[f"_c{i}"]), code, **f))
    out = ibis.union(*parts, *others, distinct=False)
    return out.mutate(row_key=_row_key(out))


# a list row's columns before its reason (who, and who owns the row), then the reasons
PERSON_COLUMNS = (
    *list(ROW_COLUMNS)[: list(ROW_COLUMNS).index("reason")],
    "priority",
    "n_reasons",
    "reasons",
    "reasons_vi",
    "amount",
    "amount_period",
)


def _int(value: Any) -> ibis.Value:
    return value if isinstance(value, ibis.Expr) else ibis.literal(value, "int64")


def person_rows(W: Table, others: list[Table], p: ListParams) -> Table:
    """``potential_persons`` before the owners' names, outcomes and household priority: one
    row per resident and owner (a lapse an employer paid goes to the case officer, the other
    reasons to the collector), the reasons joined in list order; an unidentified list row
    is its own person."""
    specs = _specs(W, p)
    lapsed = next(i for i, code, _ in specs if code == "lapsed_bhyt")
    to_officer = W[f"_c{lapsed}"] & W._off.notnull()
    conds = [W[f"_c{i}"] & ~to_officer if i == lapsed else W[f"_c{i}"] for i, _, _ in specs]
    pairs = list(zip(conds, specs, strict=True))
    mask = conds[0].cast("int64")
    for c in conds[1:]:
        mask = mask + c.cast("int64")
    amounts = [ibis.ifelse(c, _int(f["amount"]), ibis.null("int64")) for c, (_, _, f) in pairs]
    periods = [
        ibis.ifelse(c & _int(f["amount"]).notnull(), f["amount_period"], ibis.null("string"))
        for c, (_, _, f) in pairs
    ]
    has_coll = W.collector_code.notnull()
    pc = W.mutate(
        _n=mask,
        record_id=ibis.null("string"),
        source=ibis.literal("register"),
        officer_code=ibis.null("string"),
        owner_type=ibis.ifelse(has_coll, "collector", "commune"),
        owner_code=ibis.ifelse(has_coll, W.collector_code, W.commune_code),
        priority=ibis.least(
            *[
                ibis.ifelse(c, _int(f.get("priority", PRIORITY[code])), 99)
                for c, (_, code, f) in pairs
            ]
        ).cast("int64"),
        n_reasons=mask,
        reasons=_joined(
            [ibis.ifelse(c, code, ibis.null("string")) for c, (_, code, _) in pairs], ","
        ),
        reasons_vi=_joined(
            [ibis.ifelse(c, W[f"_t{i}"], ibis.null("string")) for c, (i, _, _) in pairs], "\n"
        ),
        amount=ibis.coalesce(*amounts).cast("int64"),
        amount_period=ibis.coalesce(*periods),
    )
    types = {**ROW_COLUMNS, "n_reasons": "int64", "reasons": "string", "reasons_vi": "string"}
    pc = pc.filter(pc._n > 0)
    collector = pc.select(*[pc[c].cast(types[c]).name(c) for c in PERSON_COLUMNS])
    off_fields = dict(next(f for i, _, f in specs if i == lapsed))
    off_fields["reason_vi"] = W[f"_t{lapsed}"]
    officer = rows(W.filter(to_officer), "lapsed_bhyt", **off_fields)
    parts = [collector] + [_as_person(t).select(*PERSON_COLUMNS) for t in (officer, *others)]
    out = ibis.union(*parts, distinct=False)
    return out.mutate(row_key=_row_key(out))


def _as_person(t: Table) -> Table:
    """List rows of one reason each as person rows."""
    return t.mutate(
        n_reasons=ibis.literal(1, "int64"),
        reasons=t.reason,
        reasons_vi=t.reason_vi,
    )


def finish(store: Store, t: Table, outcomes: pa.Table | None) -> Table:
    """The owner's name (collector, case officer or commune) and the field history."""
    off = store.table("officers").select(_oc="officer_code", _on="full_name")
    t = t.left_join(off, t.officer_code == off._oc)
    t = t.mutate(
        owner_name=ibis.cases(
            (t.owner_type == "collector", t.collector_name),
            (t.owner_type == "officer", t._on),
            else_=t.commune_name,
        )
    ).drop("_oc", "_on")
    return with_outcomes(t, outcomes)


def with_outcomes(out: Table, outcomes: pa.Table | None) -> Table:
    """The list with each person's last field outcome, its date and how many there were."""
    if outcomes is None or outcomes.num_rows == 0:
        return out.mutate(
            last_outcome=ibis.null("string"),
            last_outcome_date=ibis.null("date"),
            contacts=ibis.literal(0, "int64"),
            status=ibis.literal("open"),
        )
    o = ibis.memtable(outcomes.select(OUTCOME_SCHEMA.names).cast(OUTCOME_SCHEMA))
    o = o.select(_rk="row_key", _lo="last_outcome", _ld="last_outcome_date", _n="contacts")
    j = out.left_join(o, out.row_key == o._rk)
    return j.select(
        *out.columns,
        last_outcome=j._lo,
        last_outcome_date=j._ld,
        contacts=j._n.fill_null(0).cast("int64"),
        status=j._lo.fill_null("open"),
    )


def _joined(parts: list[ibis.Value], sep: str) -> ibis.Value:
    """Non-null ``parts`` joined with ``sep`` (in the order given)."""
    pieces = [ibis.ifelse(v.notnull(), v + sep, "") for v in parts]
    text = pieces[0]
    for piece in pieces[1:]:
        text = text + piece
    return ibis.ifelse(text.length() > 0, text.substr(0, text.length() - len(sep)), "")


def summary_expr(lst: Table, persons: Table) -> Table:
    """``potential_summary`` from the list and persons marts (a person has at most one row
    per reason and owner, so the rows of a reason are its people)."""
    keys = ["owner_type", "owner_code", "owner_name", "office_code", "commune_code", "hamlet_code"]
    per_reason = lst.group_by([*keys, "reason"]).aggregate(
        rows=lst.count().cast("int64"),
        persons=lst.count().cast("int64"),
        priority_1=ibis.ifelse(lst.priority == 1, 1, 0).sum().cast("int64"),
        amount_total=lst.amount.fill_null(0).sum().cast("int64"),
    )
    total = persons.group_by(keys).aggregate(
        rows=persons.n_reasons.sum().cast("int64"),
        persons=persons.count().cast("int64"),
        priority_1=ibis.ifelse(persons.priority == 1, 1, 0).sum().cast("int64"),
        amount_total=persons.amount.fill_null(0).sum().cast("int64"),
    )
    total = total.mutate(reason=ibis.literal("*")).select(*per_reason.columns)
    return ibis.union(per_reason, total, distinct=False)


def run_lists(
    store: Store,
    reference_date: dt.date | None = None,
    due_days: int | None = None,
    subsidy_days: int | None = None,
    outcomes: pa.Table | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Compute and write ``potential_list`` and ``potential_summary`` for ``reference_date``
    (default: the end of the latest ledger month).  ``outcomes``: the last field outcome per
    ``row_key`` (``OUTCOME_SCHEMA``), from the operational database.

    Returns ``reference_date``, ``rows`` (per mart), ``by_reason`` (rows per reason),
    ``persons`` and ``timings_s``.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str, done: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        if progress is not None:
            progress(name, done, 4)

    day = reference_date or default_reference_date(store)
    p = ListParams.on(day, due_days, subsidy_days)
    if p.due_days < 0 or p.subsidy_days < 0:
        raise ListsError("Số ngày phải không âm / the numbers of days must not be negative")
    stamp_ = store.stamp(day)
    rows: dict[str, int] = {}
    with store.temporary_tables() as cache:
        W, others = wide_people(store, p, cache)
        step("people", 1)
        lst = finish(store, list_rows(W, others, p), outcomes)
        rows[MART_LIST] = store.write_mart(MART_LIST, lst, stamp_)
        step("list", 2)
        persons = finish(store, person_rows(W, others, p), outcomes)
        hh = ibis.coalesce(persons.household_id, persons.row_key)
        w = ibis.window(group_by=[persons.owner_code, hh])
        persons = persons.mutate(household_priority=persons.priority.min().over(w).cast("int64"))
        rows[MART_PERSONS] = store.write_mart(MART_PERSONS, persons, stamp_)
        step("persons", 3)
    rows[MART_SUMMARY] = store.write_mart(
        MART_SUMMARY,
        summary_expr(store.read_mart(MART_LIST), store.read_mart(MART_PERSONS)),
        stamp_,
    )
    step("summary", 4)
    counts = reason_counts(store)
    return {
        "reference_date": day.isoformat(),
        "due_days": p.due_days,
        "subsidy_days": p.subsidy_days,
        "rows": rows,
        "by_reason": counts["by_reason"],
        "persons": counts["persons"],
        "timings_s": timings,
    }


def reason_counts(store: Store, **filters: str | None) -> dict[str, Any]:
    """Persons per reason and in all (``reason = '*'``) from ``potential_summary``, optionally
    for one ``commune_code`` / ``hamlet_code`` / ``owner_code``."""
    t = store.read_mart(MART_SUMMARY)
    for column, value in filters.items():
        if value:
            t = t.filter(t[column] == value)
    g = t.group_by("reason").aggregate(
        persons=t.persons.sum().cast("int64"),
        rows=t.rows.sum().cast("int64"),
        priority_1=t.priority_1.sum().cast("int64"),
        amount_total=t.amount_total.sum().cast("int64"),
    )
    found = {r["reason"]: r for r in g.to_pyarrow().to_pylist()}
    by_reason = {r: int(found[r]["persons"]) for r in REASONS if r in found}
    total = found.get("*", {"persons": 0})
    return {"by_reason": by_reason, "persons": int(total["persons"]), "detail": found}


def list_reference_date(store: Store) -> dt.date | None:
    """The reference date the ``potential_list`` mart was computed for (None if never)."""
    entry = store.mart_entry(MART_LIST)
    return None if entry is None else entry.reference_day
