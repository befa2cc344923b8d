"""Declarations employers submit, reconciled: the D02-LT labour report against the
contribution ledger and tax data (``declared_workforce_gaps``).

Entry point: ``run_declarations(store, reference_date)`` (the ``declarations`` step)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from baophu.backends import Store
from baophu.engine.declarations.gaps import MART_GAPS, contribution_wage, workforce_gaps

MARTS = (MART_GAPS,)


def run_declarations(store: Store, reference_date: dt.date) -> dict[str, Any]:
    """Write ``declared_workforce_gaps`` from the imported D02-LT reports (empty when none
    was imported)."""
    gaps = workforce_gaps(
        store.table("declared_workforce"),
        store.table("contribution_ledger"),
        store.table("employers"),
        store.table("tax_returns"),
    )
    rows = store.write_mart(MART_GAPS, gaps, store.stamp(reference_date))
    mart = store.read_mart(MART_GAPS)
    over = int(mart.filter(mart.headcount_gap > 0).count().to_pyarrow().as_py())
    return {"rows": rows, "employers_listing_more_than_paid": over}


__all__ = ["MARTS", "MART_GAPS", "contribution_wage", "run_declarations", "workforce_gaps"]
