"""The lists the seeds name: inspection, public disclosure, tender exclusion, award exclusion.

Owns four marts, each a plain table an office can publish or act on:

* ``inspection_list`` — seed 003 §III.2, seed 004 §2.2 a(ii): employers flagged by the evasion
  score (``ListCriteria.inspection_min_score``) or late 3 months or more, ranked by score
  within each grassroots office; unregistered businesses included (``employer_code`` null);
* ``disclosure_list`` — seed 004 §2.2 a(iv): employers late for a long time
  (``long_arrears_months``, 3+) or for a large amount (``large_arrears_vnd``) — thresholds
  of the policy file, and the texts say them;
* ``tender_exclusion_list`` — seed 002 §III.6: evaders may not bid for projects funded by the
  state budget.  Evasion here is the legal finding of Law 41/2024 we can make from the ledger:
  an amount still unpaid ``late.days_to_evasion`` (60) days after its deadline.  Suspected
  under-declaration (the score) sends an employer to inspection, not to exclusion: a
  sanction needs a finding;
* ``award_exclusion_list`` — seed 002 §III.6: no awards for employers late with any amount.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.engine.compliance.balance import EMPLOYER_COLUMNS
from baophu.engine.compliance.evasion import with_ranks
from baophu.engine.compliance.params import ListCriteria
from baophu.engine.compliance.units import ownership_label


def inspection_list(scores: Table, criteria: ListCriteria | None = None) -> Table:
    """Entities to inspect, ranked within each grassroots office: those the signals flag
    first, by the contributions they are estimated to evade (``evasion.ranking_order``),
    then those only long in arrears."""
    crit = criteria or ListCriteria()
    late_long = scores.long_arrears_value.fill_null(0) >= crit.long_arrears_months
    s = scores.filter(scores.flagged | late_long)
    long_text = f"chậm đóng từ {crit.long_arrears_months} tháng trở lên"
    s = s.mutate(
        reason=ibis.cases(
            (s.flagged & late_long, f"Dấu hiệu trốn đóng và {long_text}"),
            (s.flagged, "Dấu hiệu trốn đóng, đóng không đủ số lao động hoặc tiền lương"),
            else_=long_text.capitalize(),
        )
    )
    s = with_ranks(s, "list_rank", "office_list_rank")
    return s.select(
        "office_code",
        "office_name",
        "office_list_rank",
        "list_rank",
        "rank",
        "entity_key",
        "employer_code",
        "tax_code",
        "name",
        "registered",
        "ownership",
        "commune_code",
        "commune_name",
        "officer_code",
        "officer_name",
        "total_score",
        "flagged",
        "reason",
        "explanation",
        "estimated_monthly_shortfall",
        "estimated_monthly_evaded",
        "evasion_kind",
        "tax_headcount",
        "si_headcount",
        "long_arrears_value",
    )


def disclosure_list(balance: Table, criteria: ListCriteria | None = None) -> Table:
    """Employers late for a long time or for a large amount (public disclosure)."""
    crit = criteria or ListCriteria()
    long_ = balance.months_late >= crit.long_arrears_months
    large = balance.late_amount >= crit.large_arrears_vnd
    b = balance.filter(long_ | large)
    long_ = b.months_late >= crit.long_arrears_months
    large = b.late_amount >= crit.large_arrears_vnd
    b = b.mutate(
        basis=ibis.cases(
            (long_ & large, "Chậm đóng kéo dài và số tiền lớn"),
            (long_, f"Chậm đóng kéo dài (từ {crit.long_arrears_months} tháng trở lên)"),
            else_="Chậm đóng số tiền lớn",
        ),
        ownership_name=ownership_label(b.ownership),
    )
    return b.select(
        *EMPLOYER_COLUMNS,
        "ownership_name",
        "late_amount",
        "months_late",
        "late_since",
        "days_late",
        "evasion_amount",
        "interest_outstanding",
        "basis",
    ).order_by([ibis.desc("late_amount"), "employer_code"])


def tender_exclusion_list(balance: Table, basis: str) -> Table:
    """Employers evading under Law 41/2024 (unpaid ``late.days_to_evasion`` (60) days or
    more after the deadline); ``basis`` says so in the words of the law in force on the
    reference date (``rules.wording.evasion_basis``)."""
    b = balance.filter(balance.evasion_flag)
    b = b.mutate(
        basis=ibis.literal(basis),
        ownership_name=ownership_label(b.ownership),
    )
    return b.select(
        *EMPLOYER_COLUMNS,
        "ownership_name",
        "evasion_amount",
        "evasion_months",
        "late_amount",
        "months_late",
        "late_since",
        "basis",
    ).order_by([ibis.desc("evasion_amount"), "employer_code"])


def award_exclusion_list(balance: Table) -> Table:
    """Employers late with any amount at the reference date (not to be proposed for awards)."""
    b = balance.filter(balance.is_late)
    b = b.mutate(
        basis=ibis.literal("Chậm đóng BHXH, BHYT, BHTN tại ngày đối chiếu"),
        ownership_name=ownership_label(b.ownership),
    )
    return b.select(
        *EMPLOYER_COLUMNS,
        "ownership_name",
        "late_amount",
        "months_late",
        "late_since",
        "basis",
    ).order_by([ibis.desc("late_amount"), "employer_code"])
