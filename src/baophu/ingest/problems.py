"""What a validation check finds: ``Problem`` (the rows failing one check on one column) and
``KeyLookup`` (how a check asks the batch for the keys already stored), and ``fixed_digits`` (the
test of a code's shape) and ``parse_exact`` (dates and times read in the first format that
fits), shared by the generic checks (``validate``) and the checks of particular tables
(``claims_rules``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

KeyLookup = Callable[[str, str], pa.Array]


@dataclass
class Problem:
    """Rows (positions) failing one check on one column."""

    mask: pa.Array  # bool per row; True = problem
    column: str  # header as written in the file
    values: pa.Array  # the raw values shown in the message
    code: str
    severity: str = "reject"
    kwargs: dict[str, Any] = field(default_factory=dict)


def fixed_digits(text_: pa.Array, length: int) -> pa.Array:
    """Exactly ``length`` ASCII digits (null stays null) — a regular expression's job, done
    with two cheap kernels."""
    return pc.and_(pc.ascii_is_decimal(text_), pc.equal(pc.binary_length(text_), length))


def parse_exact(text_: pa.Array, formats: Sequence[tuple[str, str]], unit: str = "s") -> pa.Array:
    """Each text as a timestamp (of ``unit``) in the first of ``formats`` — ``(strptime format,
    regex of its shape)`` — whose shape it has and that prints it back unchanged; else null.

    ``strptime`` rolls 31/02 over into March: such a text matches no format.  Times are printed
    back at whole seconds (``%S`` prints fractions)."""
    result = pa.nulls(len(text_), pa.timestamp(unit))
    for fmt, pattern in formats:
        shaped = pc.match_substring_regex(text_, pattern)
        candidate = pc.if_else(shaped, text_, pa.scalar(None, pa.string()))
        parsed = pc.strptime(candidate, format=fmt, unit=unit, error_is_null=True)
        same = pc.equal(pc.strftime(parsed.cast(pa.timestamp("s")), format=fmt), candidate)
        result = pc.coalesce(result, pc.if_else(pc.fill_null(same, False), parsed, result))
    return result
