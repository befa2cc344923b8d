"""Run context of one generation: province, scale, seed, reference date, random streams.

Every step draws from its own random stream, derived from the seed and the step's name, so
changing how many numbers one step draws never changes what another step draws.  Date
arithmetic lives in ``dates``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from baophu.synth.geography import ProvinceInfo, stable_rng

REFERENCE_POPULATION = 4_500_000  # Đồng Nai after the 2025 merger: the seeds' scale
HISTORY_MONTHS = 36  # month-ends of history before the reference month that follow the path


@dataclass(frozen=True)
class Context:
    """What one call of ``generate`` was asked for."""

    province: ProvinceInfo
    scale: float
    seed: int
    as_of: date
    # Multiplies the seeds' voluntary BHXH participants: 1 for a province alone (Đồng Nai's
    # own figure, scaled); the synthetic nation calibrates it so that the country reaches
    # the national BHXH rate of 2025 (``synth.nation.NATIONAL_VOLUNTARY_FACTOR``).
    voluntary_factor: float = 1.0

    def rng(self, step: str) -> np.random.Generator:
        """An independent random stream for ``step`` (stable across Python runs)."""
        return stable_rng(self.seed, step)

    @property
    def factor(self) -> float:
        """Multiplier applied to the seeds' Đồng Nai counts: scale × population ratio."""
        return self.scale * self.province.population / REFERENCE_POPULATION

    def scaled(self, count: float) -> int:
        """A seed count for Đồng Nai at full scale, scaled to this run and rounded."""
        return round(count * self.factor)

    @property
    def as_of_d(self) -> np.datetime64:
        return np.datetime64(self.as_of, "D")

    @property
    def as_of_month(self) -> np.datetime64:
        return np.datetime64(self.as_of, "M")

    @property
    def school_year_start(self) -> int:
        """Calendar year in which the current school year began (September)."""
        return self.as_of.year if self.as_of.month >= 9 else self.as_of.year - 1

    @property
    def first_month(self) -> np.datetime64:
        """The oldest month whose month-end follows the intended path (``HISTORY_MONTHS``
        before the reference month)."""
        return self.as_of_month - np.timedelta64(HISTORY_MONTHS, "M")

    @property
    def history_start(self) -> np.datetime64:
        """The first month simulated: January of the year before ``first_month`` (the tax
        returns of that year give the required workforce of ``first_month``)."""
        year = int(self.first_month.astype("datetime64[Y]").astype(np.int64)) + 1970
        return np.datetime64(f"{year - 1}-01", "M")

    @property
    def history_months(self) -> np.ndarray:
        """Every simulated month, ``history_start`` to the reference month (at most 60)."""
        return np.arange(self.history_start, self.as_of_month + 1)
