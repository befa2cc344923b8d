"""What a validation check finds: ``Problem`` (the rows failing one check on one column) and
``KeyLookup`` (how a check asks the batch for the keys already stored), and ``fixed_digits`` (the
test of a code's shape), shared by the generic checks (``validate``) and the checks of
particular tables (``claims_rules``)."""

from __future__ import annotations

from collections.abc import Callable
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
