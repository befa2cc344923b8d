"""The identity step: ``run_identity(store, reference_date)`` writes ``unit_ancestors`` (every
unit with each of its ancestors), the remainder linkage's marts (``remainder``: what the exact
IDs leave, linked with Splink; rows to review; someone else's ID) and ``linked_spells`` (every
enrolment linked to the register, the accepted remainder links included,
``spells.linked_codes``, ordered by person), each only when the imported state or the rule
version changed: identity depends on the imported state alone, so one linking serves every
reference date, campaign view and recomputation after it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ibis.expr.types import Table

from baophu.backends import Store
from baophu.engine.dates import default_reference_date
from baophu.engine.identity.remainder import (
    MART_OTHER_IDS,
    MART_REMAINDER,
    MART_REVIEW,
    accepted_links,
    ensure_remainder_links,
)
from baophu.engine.identity.spells import linked_codes
from baophu.engine.units import ancestors, province_of

MART_ANCESTORS = "unit_ancestors"
MART_SPELLS = "linked_spells"
IDENTITY_MARTS = (MART_ANCESTORS, MART_REMAINDER, MART_REVIEW, MART_OTHER_IDS, MART_SPELLS)


def ensure_ancestors(store: Store, reference_date: dt.date) -> None:
    """Write ``unit_ancestors`` unless it is fresh."""
    if not store.mart_is_current(MART_ANCESTORS):
        store.write_mart(
            MART_ANCESTORS, ancestors(store.table("units")), store.stamp(reference_date)
        )


def ensure_linked_spells(
    store: Store, reference_date: dt.date | None = None, force: bool = False
) -> Table:
    """The ``linked_spells`` mart (every enrolment linked to the register and reduced to small
    codes, ``spells.SPELL_CODE_COLUMNS``, ordered by person), written when the imported
    state or the rule version changed.  Its stamp is kept in the mart registry only (an
    intermediate mart no report shows).  The accepted links of a current ``enrolment_links``
    mart are included (``remainder.accepted_links``); ``force`` rewrites it after that mart
    changed."""
    if force or not store.mart_is_current(MART_SPELLS):
        code, _ = province_of(store)
        linked = linked_codes(
            store.table("enrolments"),
            store.table("residents"),
            store.table("units"),
            code,
            accepted_links(store),
        )
        day = reference_date or default_reference_date(store)
        ordered = linked.order_by("person_key")
        store.write_mart(MART_SPELLS, ordered, store.stamp(day), stamp_rows=False)
    return store.read_mart(MART_SPELLS)


def run_identity(store: Store, reference_date: dt.date | None = None) -> dict[str, Any]:
    """The identity step of the pipeline: its marts, when stale; returns their rows."""
    day = reference_date or default_reference_date(store)
    ensure_ancestors(store, day)
    relinked = ensure_remainder_links(store, day)
    ensure_linked_spells(store, day, force=relinked)
    rows = {}
    for mart in IDENTITY_MARTS:
        entry = store.mart_entry(mart)
        rows[mart] = entry.rows if entry is not None else 0
    return {"reference_date": day.isoformat(), "rows": rows}
