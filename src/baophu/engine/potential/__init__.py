"""Potential lists: every person to approach, why, what they would pay and who owns them.

Entry point: ``run_lists(store, reference_date, due_days, outcomes)`` (the ``potential``
step: ``potential_list``, ``potential_persons``, ``potential_summary``)."""

from baophu.engine.potential.params import ListParams, due_days_on
from baophu.engine.potential.run import (
    MART_LIST,
    MART_PERSONS,
    MART_SUMMARY,
    MARTS,
    OUTCOME_SCHEMA,
    ListsError,
    list_reference_date,
    reason_counts,
    run_lists,
)

__all__ = [
    "MARTS",
    "MART_LIST",
    "MART_PERSONS",
    "MART_SUMMARY",
    "OUTCOME_SCHEMA",
    "ListParams",
    "ListsError",
    "due_days_on",
    "list_reference_date",
    "reason_counts",
    "run_lists",
]
