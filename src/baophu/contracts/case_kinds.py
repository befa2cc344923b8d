"""The kinds of case the engine finds and the synthetic province plants, one list each, so
that the engine (``engine.risk``, ``engine.claims``) and the synthetic generator and its
truth (``synth.risk_truth``, ``synth.claims_abuse``) name the same kinds in the same order.
Plain Python with no imports.

The kinds' Vietnamese titles, rules and actions stay with the engine that finds them
(``engine/risk/kinds.py``, ``engine/claims/catalog.py``).
"""

from __future__ import annotations

# The risk cases of ``risk_cases``, in the order the pages and the summary show them.
RISK_KINDS: tuple[str, ...] = (
    "duplicate_record",
    "overlapping_bhyt",
    "bhxh_double_paid",
    "deceased_enrolled",
    "budget_ineligible",
    "student_ineligible",
    "benefit_ineligible",
    "late_remittance",
    "remittance_shortfall",
    "receipt_without_enrolment",
    "enrolment_without_receipt",
)

# The claim-level checks (one rule each), in the order of the claims catalog.
CLAIM_RULES: tuple[str, ...] = (
    "dead_card",
    "two_facilities_same_day",
    "split_admission",
    "long_stay",
    "duplicate_claim",
    "bed_on_outpatient",
    "outside_card_validity",
    "price_above_tender",
)
