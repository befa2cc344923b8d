"""Identity: who is who and where.  Enrolments and list rows linked to the population
register (personal ID, social-insurance code), person keys, the reasons a row stays
unlinked, and the identity step of the pipeline (``run_identity``: the ``unit_ancestors``
and ``linked_spells`` marts)."""

from baophu.engine.identity.links import (
    BY_SI_CODE,
    NON_RESIDENT,
    STATUS_METHOD,
    STATUS_REASON,
    UNLINKED_REASON_VI,
    active_on,
    births_agree,
    decode_status,
    link_enrolments,
    normalise_person_id,
    person_key,
    unlinked_summary,
)
from baophu.engine.identity.run import (
    MART_ANCESTORS,
    MART_SPELLS,
    ensure_ancestors,
    ensure_linked_spells,
    run_identity,
)
from baophu.engine.identity.spells import (
    BHTN_ELSE,
    BHTN_HERE,
    BHYT_ELSE,
    BHYT_HERE,
    COMP_ELSE,
    COMP_HERE,
    GROUP_RANK,
    PAYER_RANK,
    SCHEME_INDEX,
    SPELL_CODE_COLUMNS,
    VOL_ELSE,
    VOL_HERE,
    linked_codes,
)

__all__ = [
    "BHTN_ELSE",
    "BHTN_HERE",
    "BHYT_ELSE",
    "BHYT_HERE",
    "BY_SI_CODE",
    "COMP_ELSE",
    "COMP_HERE",
    "GROUP_RANK",
    "MART_ANCESTORS",
    "MART_SPELLS",
    "NON_RESIDENT",
    "PAYER_RANK",
    "SCHEME_INDEX",
    "SPELL_CODE_COLUMNS",
    "STATUS_METHOD",
    "STATUS_REASON",
    "UNLINKED_REASON_VI",
    "VOL_ELSE",
    "VOL_HERE",
    "active_on",
    "births_agree",
    "decode_status",
    "ensure_ancestors",
    "ensure_linked_spells",
    "link_enrolments",
    "linked_codes",
    "normalise_person_id",
    "person_key",
    "run_identity",
    "unlinked_summary",
]
