"""Run context of one generation: province, scale, seed, reference date, random streams.

Every step draws from its own random stream, derived from the seed and the step's name, so
changing how many numbers one step draws never changes what another step draws.  Month
arithmetic helpers (numpy ``datetime64``) live here because every step needs them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np

from baophu.synth.geography import ProvinceInfo

REFERENCE_POPULATION = 4_500_000  # Đồng Nai after the 2025 merger: the seeds' scale


@dataclass(frozen=True)
class Context:
    """What one call of ``generate`` was asked for."""

    province: ProvinceInfo
    scale: float
    seed: int
    as_of: date

    def rng(self, step: str) -> np.random.Generator:
        """An independent random stream for ``step`` (stable across Python runs)."""
        digest = hashlib.sha256(step.encode("utf-8")).digest()
        key = int.from_bytes(digest[:8], "little")
        return np.random.default_rng(np.random.SeedSequence([self.seed, key]))

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


def month_start(months: np.ndarray) -> np.ndarray:
    """First day of each month (datetime64[M] → datetime64[D])."""
    return months.astype("datetime64[M]").astype("datetime64[D]")


def month_end(months: np.ndarray) -> np.ndarray:
    """Last day of each month (datetime64[M] → datetime64[D])."""
    return (months.astype("datetime64[M]") + 1).astype("datetime64[D]") - np.timedelta64(1, "D")


def to_month(days: np.ndarray) -> np.ndarray:
    """The month of each day (datetime64[D] → datetime64[M])."""
    return days.astype("datetime64[M]")


def years_between(birth: np.ndarray, on: np.datetime64) -> np.ndarray:
    """Completed years of age on ``on`` for each birth date (vectorised)."""
    by = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    oy = int(on.astype("datetime64[Y]").astype(np.int64)) + 1970
    bm = birth.astype("datetime64[M]").astype(np.int64) % 12
    bd = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    om = int(on.astype("datetime64[M]").astype(np.int64)) % 12
    od = int((on - on.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64))
    before = (bm > om) | ((bm == om) & (bd > od))
    return oy - by - before.astype(np.int64)


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each date."""
    return days.astype("datetime64[Y]").astype(np.int64) + 1970
