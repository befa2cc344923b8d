"""Coverage: BHYT, BHXH and BHTN coverage of every unit at month-ends and chosen dates.

Entry point: ``run_coverage(store, reference_date)`` (the ``coverage`` step); ``coverage_at``
gives the same table for other dates without touching the marts."""

from baophu.engine.coverage.indicators import retirement_table, with_retirement
from baophu.engine.coverage.run import (
    MART_BY_UNIT,
    MART_GROUPS,
    MART_LINKED,
    MART_SERIES,
    MART_UNLINKED,
    MARTS,
    CoverageError,
    coverage_at,
    linked_enrolments,
    run_coverage,
)

__all__ = [
    "MARTS",
    "MART_BY_UNIT",
    "MART_GROUPS",
    "MART_LINKED",
    "MART_SERIES",
    "MART_UNLINKED",
    "CoverageError",
    "coverage_at",
    "linked_enrolments",
    "retirement_table",
    "run_coverage",
    "with_retirement",
]
