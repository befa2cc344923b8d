"""BHYT spending control: what the fund pays out against its estimate, the appraisal
system's indicators against peers, the claim checks, peer-outlier scores and the review list
(issue 13; docs/claims.md explains every figure and rule).

Entry point: ``run_claims(store, reference_date, outcomes)`` (the ``claims`` step).  Modules:
``visits.py`` (one row per claim, ``claim_visits``, a temporary table of the step), ``spending.py``
(spending, estimate, projection), ``indicators.py`` (B02, B04, B21, B26, percentiles),
``checks.py`` (one function per rule), ``catalog.py`` (the rules' texts and sources),
``scores.py`` (signals, scores, review list), ``params.py`` (figures by date)."""

from __future__ import annotations

from baophu.engine.claims.catalog import (
    FLAG_TITLES_VI,
    INDICATOR_VI,
    RULE_CODES,
    SIGNALS_VI,
    Rule,
    rules,
)
from baophu.engine.claims.checks import FLAG_COLUMNS, MART_FLAGS
from baophu.engine.claims.indicators import INDICATORS, MART_COST_GROWTH, MART_INDICATORS
from baophu.engine.claims.params import ClaimParams
from baophu.engine.claims.run import MART_RULES, MARTS, OUTCOME_SCHEMA, run_claims
from baophu.engine.claims.scores import MART_REVIEW, MART_SCORES, MART_SIGNALS
from baophu.engine.claims.spending import (
    MART_ESTIMATE,
    MART_ESTIMATE_SUMMARY,
    MART_FACILITY_ESTIMATE,
    MART_SPENDING,
)
from baophu.engine.claims.visits import VISITS

__all__ = [
    "FLAG_COLUMNS",
    "FLAG_TITLES_VI",
    "INDICATORS",
    "INDICATOR_VI",
    "MARTS",
    "MART_COST_GROWTH",
    "MART_ESTIMATE",
    "MART_ESTIMATE_SUMMARY",
    "MART_FACILITY_ESTIMATE",
    "MART_FLAGS",
    "MART_INDICATORS",
    "MART_REVIEW",
    "MART_RULES",
    "MART_SCORES",
    "MART_SIGNALS",
    "MART_SPENDING",
    "OUTCOME_SCHEMA",
    "RULE_CODES",
    "SIGNALS_VI",
    "VISITS",
    "ClaimParams",
    "Rule",
    "rules",
    "run_claims",
]
