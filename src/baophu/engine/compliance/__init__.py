"""Employer compliance: arrears, late-payment interest, evasion scores and legal lists.

Entry point: ``run_compliance(store, reference_date)`` (the ``compliance`` step)."""

from baophu.engine.compliance.params import arrears_ratio_ceiling
from baophu.engine.compliance.run import (
    MARTS,
    STAGES,
    ComplianceError,
    compliance_summary,
    contribution_rate,
    run_compliance,
)

__all__ = [
    "MARTS",
    "STAGES",
    "ComplianceError",
    "arrears_ratio_ceiling",
    "compliance_summary",
    "contribution_rate",
    "run_compliance",
]
