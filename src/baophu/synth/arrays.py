"""Column-wise records for the generator: a dataclass whose fields are equally long numpy
arrays, one value per record (the claims' visits and lines).

``ArrayRecords`` gives such a dataclass ``take`` (some records) and ``concat`` (parts joined),
field by field, so that adding a field needs no change to either.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Self, cast

import numpy as np


class ArrayRecords:
    """A base for a ``@dataclass`` of equally long numpy arrays."""

    def take(self, rows: np.ndarray) -> Self:
        """The records at ``rows`` (positions or a boolean mask), in that order."""
        return cast(Any, type(self))(
            **{f.name: getattr(self, f.name)[rows] for f in fields(cast(Any, self))}
        )

    @classmethod
    def concat(cls, parts: list[Self]) -> Self:
        """The records of ``parts``, one after another."""
        return cast(Any, cls)(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(cast(Any, cls))
            }
        )
