"""Declarations employers and agents submit, reconciled: the D02-LT labour report against
the contribution ledger and tax data (``declared_workforce_gaps``), and the receipts and
registrations of the e-declaration forms against the register's enrolments
(``declared_enrolments``).

Entry point: ``run_declarations(store, reference_date)`` (the ``declarations`` step)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from baophu.backends import Store
from baophu.engine.declarations.enrolments import MART_DECLARED_ENROLMENTS, declared_enrolments
from baophu.engine.declarations.gaps import MART_GAPS, contribution_wage, workforce_gaps

MARTS = (MART_GAPS, MART_DECLARED_ENROLMENTS)


def run_declarations(store: Store, reference_date: dt.date) -> dict[str, Any]:
    """Write ``declared_workforce_gaps`` from the imported D02-LT reports and
    ``declared_enrolments`` from the receipts and registrations (empty when none were
    imported)."""
    gaps = workforce_gaps(
        store.table("declared_workforce"),
        store.table("contribution_ledger"),
        store.table("employers"),
        store.table("tax_returns"),
    )
    stamp = store.stamp(reference_date)
    rows = store.write_mart(MART_GAPS, gaps, stamp)
    mart = store.read_mart(MART_GAPS)
    over = int(mart.filter(mart.headcount_gap > 0).count().to_pyarrow().as_py())
    declared = declared_enrolments(
        store.table("agent_receipts"),
        store.table("registration_declarations"),
        store.table("enrolments"),
    )
    n_declared = store.write_mart(MART_DECLARED_ENROLMENTS, declared, stamp)
    d = store.read_mart(MART_DECLARED_ENROLMENTS)
    unmatched = int(d.filter(d.matched_enrolment_id.isnull()).count().to_pyarrow().as_py())
    return {
        "rows": rows,
        "employers_listing_more_than_paid": over,
        "declared_enrolments": n_declared,
        "declared_without_enrolment": unmatched,
    }


__all__ = [
    "MARTS",
    "MART_DECLARED_ENROLMENTS",
    "MART_GAPS",
    "contribution_wage",
    "declared_enrolments",
    "run_declarations",
    "workforce_gaps",
]
