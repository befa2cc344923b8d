"""The linked spells: every enrolment linked to the register (``links.link_enrolments``) and
reduced to the small codes the counting steps read, stored once per imported state as the
``linked_spells`` mart (ordered by person).

``cls`` is the scheme × held here or elsewhere (``BHYT_HERE`` … ``BHTN_ELSE``); ``code`` is
the BHYT precedence of a card (payer rank × 100 + group rank).
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from baophu.contracts.tables import PARTICIPANT_GROUPS, PAYERS
from baophu.engine.identity.links import LINK_INPUTS, RemainderLinker, link_enrolments

SCHEME_INDEX = {"bhyt": 0, "bhxh_compulsory": 1, "bhxh_voluntary": 2, "bhtn": 3}
BHYT_HERE, BHYT_ELSE, COMP_HERE, COMP_ELSE, VOL_HERE, VOL_ELSE, BHTN_HERE, BHTN_ELSE = range(8)

# BHYT participant group precedence when a person holds several cards on D: who pays first
# (employer, social-insurance fund, state budget, budget-supported, household, self), then
# the order of the groups in the contract.
PAYER_RANK = {p: i for i, p in enumerate(PAYERS)}
GROUP_RANK = {g: i for i, g in enumerate(PARTICIPANT_GROUPS)}


def spell_codes(t: Table, province_code: str) -> dict[str, ibis.Value]:
    """``cls``, ``code`` and the employer of spells held here, from enrolment columns."""
    here = (t.enrol_province_code == province_code).fill_null(False)
    scheme_idx = ibis.cases(
        *[(t.scheme == s, i) for s, i in SCHEME_INDEX.items()], else_=ibis.null("int64")
    )
    payer_rank = ibis.cases(*[(t.payer == p, r) for p, r in PAYER_RANK.items()], else_=99)
    group_rank = ibis.cases(
        *[(t.participant_group == g, r) for g, r in GROUP_RANK.items()], else_=99
    )
    return {
        "cls": (scheme_idx * 2 + ibis.ifelse(here, 0, 1)).cast("int8"),
        "code": (payer_rank * 100 + group_rank).cast("int16"),
        "employer_code": ibis.ifelse(here, t.employer_code, ibis.null("string")),
    }


SPELL_CODE_COLUMNS = (
    "person_key",
    "link_status",
    "cls",
    "code",
    "employer_code",
    "start_date",
    "end_date",
    "person_death_date",
)


def linked_codes(
    enrolments: Table,
    residents: Table,
    units: Table,
    province_code: str,
    remainder_linker: RemainderLinker | None = None,
) -> Table:
    """The enrolments linked to the register and reduced to what coverage needs, as small
    codes (``SPELL_CODE_COLUMNS``): ``person_key``, ``link_status``, ``cls`` (scheme × held
    here or elsewhere), ``code`` (BHYT precedence: payer rank × 100 + group rank),
    ``employer_code`` (spells held here only), ``start_date``, ``end_date``,
    ``person_death_date``.  The codes are computed before linking, so the joins of
    ``identity.link_enrolments`` carry integers rather than text.  ``remainder_linker``: the
    accepted links of the remainder linkage (``remainder.accepted_links``)."""
    pre = enrolments.select(
        *LINK_INPUTS,
        "start_date",
        "end_date",
        **spell_codes(enrolments, province_code),
    )
    linked = link_enrolments(pre, residents, units, remainder_linker)
    return linked.select(*SPELL_CODE_COLUMNS)
