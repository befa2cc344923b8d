"""Risk control: duplicate records, cards and BHXH months paid twice, the dead still enrolled,
and the money collection agents take against what they transfer and the enrolments it should
create — one ``risk_cases`` mart, one row per case with its rule, evidence, amount and owner
(docs/risk.md).

Entry point: ``run_risk(store, reference_date)`` (the ``risk`` step)."""

from baophu.engine.risk.kinds import (
    ACTION_VI,
    CASE_COLUMNS,
    KIND_TITLE_VI,
    KINDS,
    PAYER_VI,
    RULE_VI,
    SCHEME_VI,
    case_label,
)
from baophu.engine.risk.params import RiskParams, risk_params
from baophu.engine.risk.run import MART_CASES, risk_cases, risk_summary, run_risk

MARTS = (MART_CASES,)

__all__ = [
    "ACTION_VI",
    "CASE_COLUMNS",
    "KINDS",
    "KIND_TITLE_VI",
    "MARTS",
    "MART_CASES",
    "PAYER_VI",
    "RULE_VI",
    "SCHEME_VI",
    "RiskParams",
    "case_label",
    "risk_cases",
    "risk_params",
    "risk_summary",
    "run_risk",
]
