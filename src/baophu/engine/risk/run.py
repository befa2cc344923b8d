"""The risk step: every check, one ``risk_cases`` mart (one row per case), each case owned
by the grassroots office of the person's hamlet, else of the collection agent concerned."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
from ibis.expr.types import Table

from baophu.backends import Store
from baophu.engine.identity import (
    MART_ANCESTORS,
    RemainderLinker,
    accepted_links,
    ensure_ancestors,
    link_enrolments,
)
from baophu.engine.linkage import MART_LINKS
from baophu.engine.risk.agents import (
    enrolments_without_receipt,
    late_remittances,
    receipt_matches,
    receipts_without_enrolment,
    remittance_shortfalls,
)
from baophu.engine.risk.eligibility import benefit_ineligible, student_ineligible
from baophu.engine.risk.kinds import KINDS
from baophu.engine.risk.params import RiskParams, risk_params
from baophu.engine.risk.persons import (
    bhxh_double_paid,
    budget_ineligible,
    deceased_enrolled,
    duplicate_records,
    overlap_candidates,
    overlapping_bhyt,
    spells,
)

MART_CASES = "risk_cases"


def risk_cases(
    enrolments: Table,
    residents: Table,
    units: Table,
    collectors: Table,
    agents: Table,
    receipts: Table,
    remittances: Table,
    ancestors: Table,
    classifications: Table,
    day: dt.date,
    p: RiskParams,
    temp: Any = None,
    rosters: Table | None = None,
    roster_links: Table | None = None,
    benefits: Table | None = None,
    remainder_linker: RemainderLinker | None = None,
) -> Table:
    """Every case of every check (``kinds.CASE_COLUMNS``) with its owner office.  ``temp``
    (a ``Store.temporary_tables`` handle) materialises the shared intermediate tables;
    ``rosters`` (with the linkage step's ``roster_links``, when given) and ``benefits`` add
    the student and benefit-list checks; ``remainder_linker`` (the identity step's accepted
    remainder links, ``identity.accepted_links``) adds the rows linked from a mistyped or
    missing ID, so two records of one person under different IDs are one person."""
    keep = temp if temp is not None else (lambda t: t)
    linked = link_enrolments(enrolments, residents, units, remainder_linker)
    s = keep(spells(linked, residents, p))
    overlapping = keep(overlap_candidates(s))
    matches = keep(receipt_matches(receipts, enrolments))
    parts = [
        duplicate_records(overlapping, day),
        overlapping_bhyt(overlapping, day),
        bhxh_double_paid(s, day),
        deceased_enrolled(s, day),
        budget_ineligible(s, classifications, day, p),
        late_remittances(remittances, day, p),
        remittance_shortfalls(receipts, remittances, day, p),
        receipts_without_enrolment(receipts, matches, day, p),
        enrolments_without_receipt(enrolments, receipts, collectors, matches, day, p),
    ]
    if rosters is not None:
        parts.append(student_ineligible(s, rosters, residents, roster_links, day, p))
    if benefits is not None:
        parts.append(benefit_ineligible(s, benefits, units, day, p))
    cases = ibis.union(*parts, distinct=False)
    office = ancestors.filter(ancestors.ancestor_level == "office").select(
        o_unit=ancestors.unit_code, o_office=ancestors.ancestor_code
    )
    agent_office = agents.select(a_code=agents.agent_code, a_office=agents.office_code)
    coll = collectors.group_by(k_code=collectors.collector_code).aggregate(
        k_agent=collectors.agent_code.min()
    )
    t = cases.left_join(office, cases.hamlet_code == office.o_unit)
    t = t.left_join(coll, t.collector_code == coll.k_code)
    t = t.mutate(agent_code=ibis.coalesce(t.agent_code, t.k_agent))
    t = t.left_join(agent_office, t.agent_code == agent_office.a_code)
    t = t.mutate(office_code=ibis.coalesce(t.o_office, t.a_office))
    return t.select(*cases.columns).order_by(["kind", "case_id"])


def run_risk(store: Store, reference_date: dt.date) -> dict[str, Any]:
    """Write ``risk_cases``; return the cases and the amounts at stake by kind."""
    p = risk_params(reference_date)
    ensure_ancestors(store, reference_date)
    with store.temporary_tables() as temp:
        cases = risk_cases(
            store.table("enrolments"),
            store.table("residents"),
            store.table("units"),
            store.table("collectors"),
            store.table("agents"),
            store.table("agent_receipts"),
            store.table("agent_remittances"),
            store.read_mart(MART_ANCESTORS),
            store.table("household_classifications"),
            reference_date,
            p,
            temp,
            rosters=store.table("school_rosters"),
            roster_links=roster_links(store),
            benefits=store.table("benefit_lists"),
            remainder_linker=accepted_links(store),
        )
        rows = store.write_mart(MART_CASES, cases, store.stamp(reference_date))
    return {"cases": rows, "by_kind": risk_summary(store)}


def roster_links(store: Store) -> Table | None:
    """``record_id`` → ``person_key`` of the roster rows the linkage step linked, when its
    ``person_links`` mart is current (else None: the rosters' IDs alone)."""
    if not store.mart_is_current(MART_LINKS):
        return None
    links = store.read_mart(MART_LINKS)
    links = links.filter((links.source == "school_rosters") & (links.decision == "linked"))
    return links.select("record_id", person_key=links.person_key.cast("int64"))


def risk_summary(store: Store) -> dict[str, dict[str, int]]:
    """Cases and amount at stake by kind (every kind, zero when none)."""
    out = {k: {"cases": 0, "amount": 0} for k in KINDS}
    if not store.has_mart(MART_CASES):
        return out
    t = store.read_mart(MART_CASES)
    g = t.group_by("kind").aggregate(cases=t.count(), amount=t.amount.sum()).to_pyarrow()
    for row in g.to_pylist():
        out[row["kind"]] = {"cases": int(row["cases"]), "amount": int(row["amount"] or 0)}
    return out
