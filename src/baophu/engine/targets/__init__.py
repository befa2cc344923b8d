"""Targets: allocation down a hierarchy, progress against targets, campaigns.

Entry point: ``run_progress(store, reference_date, manual)`` (the ``targets`` step);
``run_allocation`` and ``run_campaign`` write their marts on request; ``MANUAL_SCHEMA`` is
the Arrow schema of the targets set by hand that ``run_progress`` reads."""

from baophu.engine.targets.allocate import METHODS
from baophu.engine.targets.model import INDICATORS, Indicator
from baophu.engine.targets.run import (
    HIERARCHIES,
    MANUAL_SCHEMA,
    MART_ACHIEVEMENT,
    MART_ALLOCATED,
    MART_CAMPAIGN,
    MART_PHASED,
    TargetsError,
    coverage_now,
    progress_rows,
    province_targets_summary,
    run_allocation,
    run_campaign,
    run_progress,
)

__all__ = [
    "HIERARCHIES",
    "INDICATORS",
    "MANUAL_SCHEMA",
    "MART_ACHIEVEMENT",
    "MART_ALLOCATED",
    "MART_CAMPAIGN",
    "MART_PHASED",
    "METHODS",
    "Indicator",
    "TargetsError",
    "coverage_now",
    "progress_rows",
    "province_targets_summary",
    "run_allocation",
    "run_campaign",
    "run_progress",
]
