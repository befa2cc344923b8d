"""Run context of one generation: province, scale, seed, reference date, random streams.

Every step draws from its own random stream, derived from the seed and the step's name, so
changing how many numbers one step draws never changes what another step draws.  Month
arithmetic helpers (numpy ``datetime64``) live here because every step needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from baophu.synth.geography import ProvinceInfo, stable_rng

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


def month_start(months: np.ndarray) -> np.ndarray:
    """First day of each month (datetime64[M] → datetime64[D])."""
    return months.astype("datetime64[M]").astype("datetime64[D]")


def month_end(months: np.ndarray) -> np.ndarray:
    """Last day of each month (datetime64[M] → datetime64[D])."""
    return (months.astype("datetime64[M]") + 1).astype("datetime64[D]") - np.timedelta64(1, "D")


def to_month(days: np.ndarray) -> np.ndarray:
    """The month of each day (datetime64[D] → datetime64[M])."""
    return days.astype("datetime64[M]")


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of each date (NaT gives 1970-01-01), through a lookup table.

    Converting millions of dates with ``astype`` is slow; the dates of a population span a
    few tens of thousands of days, so a table over that span and one ``take`` is fast.
    """
    as_int = np.asarray(days, dtype="datetime64[D]").astype(np.int64)
    nat = as_int == np.iinfo(np.int64).min
    if nat.any():
        as_int = np.where(nat, 0, as_int)
    if not len(as_int):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    lo, hi = int(as_int.min()), int(as_int.max())
    span = np.arange(lo, hi + 1).astype("datetime64[D]")
    years = span.astype("datetime64[Y]").astype(np.int64) + 1970
    months = span.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (span - span.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    index = as_int - lo
    return np.take(years, index), np.take(months, index), np.take(day, index)


def years_between(birth: np.ndarray, on: np.datetime64) -> np.ndarray:
    """Completed years of age on ``on`` for each birth date (vectorised)."""
    by, bm, bd = ymd(birth)
    oy, om, od = (int(v[0]) for v in ymd(np.array([on], dtype="datetime64[D]")))
    before = (bm > om) | ((bm == om) & (bd > od))
    return oy - by - before.astype(np.int64)


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each date."""
    return ymd(days)[0]
