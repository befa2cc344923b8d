"""The intended path: what each indicator should read at every simulated month-end.

* **BHYT coverage** follows the national year-end series (``../shared/DOMAIN.md``: 93.35 %
  at the end of 2023, 95.16 % at the end of 2025) and reaches, at the end of the reference
  year's predecessor + 1, a little under the province's target (``targets.py``: 96 % for
  2026 → 95.8 %): one quadratic through the three year-ends, smooth month to month (it
  gives 94.34 % for the end of 2024; 94.29 % was reported).  The province is taken at the
  national level, as Đồng Nai was.
* **Compulsory BHXH, BHTN and voluntary BHXH** stand at the seeds' figures on the reference
  date (the province's 2026 plan, scaled, as the generator always did).  Before it the jobs
  follow the employers' own paths (``careers.firm_paths``: an established employer grows
  ``employers.FIRM_GROWTH`` a year, a new one from its registration — about 5 % a year in
  all), hidden jobs likewise, so the compulsory rate stays near the seeds' 95 %; BHTN keeps
  its proportion to the declared jobs; voluntary participants grow ``GROWTH_VOLUNTARY`` a
  year (the national BHXH rate rose from 39.25 % of the labour force at the end of 2023 to
  45.1 % in 2025, voluntary participation fastest).

The BHYT count is ``round(rate × population)`` with the population the generator drew
(``People.present`` at the month-end).  ``truth.path_table`` writes the path with what the
truth files give at each month-end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.synth.dates import month_end

# (year, BHYT coverage at 31 December): DOMAIN.md's national series, and the province's
# 2026 target less TARGET_MARGIN.
BHYT_YEAR_END = ((2023, 0.9335), (2025, 0.9516))
BHYT_TARGET_YEAR, BHYT_TARGET = 2026, 0.96
TARGET_MARGIN = 0.002
BHYT_BOUNDS = (0.80, 0.99)
GROWTH_VOLUNTARY = 0.08


def _year_fraction(months: np.ndarray) -> np.ndarray:
    """Each month-end as years after 31 December 2023 (month-ends are twelfths)."""
    index = months.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    dec_2023 = (2023 - 1970) * 12 + 11
    return (index - dec_2023) / 12.0


def bhyt_rate(months: np.ndarray) -> np.ndarray:
    """The intended BHYT coverage at the end of each month (a quadratic in time through the
    three year-end figures, bounded)."""
    xs = np.array([y - 2023.0 for y, _ in BHYT_YEAR_END] + [BHYT_TARGET_YEAR - 2023.0])
    ys = np.array([r for _, r in BHYT_YEAR_END] + [BHYT_TARGET - TARGET_MARGIN])
    coef = np.polyfit(xs, ys, 2)
    return np.clip(np.polyval(coef, _year_fraction(months)), *BHYT_BOUNDS)


def grown(level: int, growth: float, months: np.ndarray, reference: np.datetime64) -> np.ndarray:
    """``level`` at ``reference`` and a steady yearly ``growth`` before it, rounded."""
    back = (np.asarray(reference, dtype="datetime64[M]") - months.astype("datetime64[M]")).astype(
        np.int64
    )
    return np.round(level * (1.0 + growth) ** (-back / 12.0)).astype(np.int64)


@dataclass(frozen=True)
class IntendedPath:
    """The simulated months and the intended count of each numerator at their month-ends."""

    months: np.ndarray  # datetime64[M], history_start … reference month
    population: np.ndarray  # residents living here at the month-end (as drawn)
    bhyt_rate: np.ndarray
    bhyt_insured: np.ndarray
    compulsory: np.ndarray  # declared compulsory participants held here
    hidden: np.ndarray  # undeclared jobs here
    bhtn: np.ndarray
    voluntary: np.ndarray

    @property
    def month_ends(self) -> np.ndarray:
        return month_end(self.months)

    def at(self, month: np.datetime64) -> int:
        """Index of ``month`` among the simulated months."""
        return int((np.asarray(month, dtype="datetime64[M]") - self.months[0]).astype(np.int64))


def intended_counts(
    months: np.ndarray,
    reference: np.datetime64,
    population: np.ndarray,
    jobs: tuple[np.ndarray, np.ndarray],
    bhtn_now: int,
    voluntary_now: int,
) -> IntendedPath:
    """The path for ``months``: BHYT from the population at each month-end, the declared
    and hidden jobs ``jobs`` as the employers' own paths give them (``careers.firm_paths``),
    BHTN in the same proportion to the declared jobs as on the reference month, voluntary
    BHXH growing steadily to ``voluntary_now``."""
    rate = bhyt_rate(months)
    declared, hidden = jobs
    share = bhtn_now / max(int(declared[-1]), 1)
    return IntendedPath(
        months=months,
        population=population,
        bhyt_rate=rate,
        bhyt_insured=np.round(rate * population).astype(np.int64),
        compulsory=declared.astype(np.int64),
        hidden=hidden.astype(np.int64),
        bhtn=np.round(declared * share).astype(np.int64),
        voluntary=grown(voluntary_now, GROWTH_VOLUNTARY, months, reference),
    )
