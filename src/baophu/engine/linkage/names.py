"""The names and birth dates the linkage compares: they live in ``engine.identity`` (the
identity step links enrolments with them too, and comes first in the pipeline); this module
keeps the names linkage has always imported."""

from baophu.engine.identity import (
    births_agree_expr,
    day_month_swapped,
    given_name,
    given_name_expr,
    name_folded,
    name_folded_expr,
    name_key,
    name_key_expr,
    surname,
    surname_expr,
)

__all__ = [
    "births_agree_expr",
    "day_month_swapped",
    "given_name",
    "given_name_expr",
    "name_folded",
    "name_folded_expr",
    "name_key",
    "name_key_expr",
    "surname",
    "surname_expr",
]
