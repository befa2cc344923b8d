"""What a validation check finds: ``Problem`` (the rows failing one check on one column) and
``KeyLookup`` (how a check asks the batch for the keys already stored), shared by the generic
checks (``validate``) and the checks of particular tables (``claims_rules``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

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
