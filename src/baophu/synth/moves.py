"""Who entered and left the register during the history window: deaths and moves.

The population of a past month-end is the people who lived here then.  Births, reaching
working age and reaching retirement age follow from the birth dates; the other entries and
exits are drawn here, over the simulated months (``Context.history_start`` to the
reference date):

* **deaths** — yearly probability ``q(age) = DEATH_BASE × e^(DEATH_SLOPE × age)``; the
  dead stay in the register extract with their death date;
* **moving in** — whole households (migrant households far more often) and children-in-law
  marrying in get ``resident_from``, the day their residence here was registered; members
  born after it were born here (no date);
* **moving out** — whole households (drawn in addition to the population, ``build_people``
  asks for ``out_share`` more people) and young adults leaving on their own get
  ``moved_out``, the day they left; the extract keeps them, as it keeps the dead, so that the
  month-ends before they left count them.

Nobody dies after moving out (the register would not know); nobody dies before moving in.
"""

from __future__ import annotations

import numpy as np

from baophu.synth.context import Context
from baophu.synth.dates import month_start

DEATH_BASE, DEATH_SLOPE = 0.00005, 0.09
IN_HOUSEHOLDS_PER_YEAR = 0.012  # of households, weighted to migrant households
MIGRANT_WEIGHT = 4.0  # a migrant household is this many times likelier to be a recent arrival
IN_LAWS_MARRIED_IN = 0.25  # of children-in-law: moved in (married) within the window
OUT_HOUSEHOLDS_PER_YEAR = 0.004  # people in whole households that left, per year
OUT_YOUNG_PER_YEAR = 0.012  # of young adults (18 to 35 when leaving) leaving alone
NAT = np.datetime64("NaT", "D")


def window_years(ctx: Context) -> float:
    """Length of the simulated window in years."""
    return len(ctx.history_months) / 12.0


def out_share(ctx: Context) -> float:
    """People of whole households that moved out, as a share of the present population."""
    return OUT_HOUSEHOLDS_PER_YEAR * window_years(ctx)


def _uniform_days(
    rng: np.random.Generator, lo: np.ndarray, hi: np.datetime64, n: int
) -> np.ndarray:
    """A day uniformly between ``lo`` (per row) and ``hi`` (inclusive)."""
    span = np.maximum((hi - lo).astype(np.int64), 0) + 1
    return lo + np.floor(rng.random(n) * span).astype("timedelta64[D]")


def pick_moved_out_households(
    ctx: Context, sizes: np.ndarray, migrant: np.ndarray, n_people: int
) -> np.ndarray:
    """Households (a bool per household) that left the province, about ``n_people`` people
    in all; migrant households twice as likely."""
    rng = ctx.rng("moves_out_households")
    weight = np.where(migrant, 2.0, 1.0)
    keys = np.log(rng.random(len(sizes))) / weight
    order = np.argsort(-keys, kind="stable")
    taken = np.cumsum(sizes[order]) <= n_people
    out = np.zeros(len(sizes), dtype=bool)
    out[order[taken]] = True
    return out


def draw_moves(
    ctx: Context,
    resident: np.ndarray,
    household: np.ndarray,
    relation: np.ndarray,
    is_head_or_spouse: np.ndarray,
    birth: np.ndarray,
    age_years: np.ndarray,
    hh_migrant: np.ndarray,
    hh_moved_out: np.ndarray,
    in_law: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(death, resident_from, moved_out)`` per person (``datetime64[D]``, NaT for none)."""
    rng = ctx.rng("moves")
    n = len(resident)
    first = month_start(np.array([ctx.history_start]))[0]
    as_of = ctx.as_of_d
    years = window_years(ctx)
    hh = np.maximum(household, 0)
    n_hh = len(hh_migrant)

    # whole households that moved out: on one day, after the youngest member was born
    youngest = np.full(n_hh, first, dtype="datetime64[D]")
    np.maximum.at(youngest, hh[resident], birth[resident] + np.timedelta64(1, "D"))
    hh_out_day = _uniform_days(rng, youngest, as_of, n_hh)
    moved_out = np.where(resident & hh_moved_out[hh], hh_out_day[hh], NAT)
    # young adults leaving alone (not heads or spouses), 18 to 35 on the day they leave
    alone = resident & ~hh_moved_out[hh] & ~is_head_or_spouse & (age_years >= 18)
    alone &= age_years <= 35 + years
    alone &= rng.random(n) < OUT_YOUNG_PER_YEAR * years
    eighteen = birth + np.timedelta64(int(18 * 365.25), "D")
    leave = _uniform_days(rng, np.maximum(eighteen, first), as_of, n)
    moved_out = np.where(alone & (leave <= as_of), leave, moved_out)

    # households that moved in (migrants far more often), and children-in-law who married in
    p_in = IN_HOUSEHOLDS_PER_YEAR * years * np.where(hh_migrant, MIGRANT_WEIGHT, 0.4)
    hh_in = ~hh_moved_out & (rng.random(n_hh) < np.minimum(p_in, 0.9))
    hh_in_day = _uniform_days(rng, np.full(n_hh, first), as_of, n_hh)
    arrived = resident & hh_in[hh] & np.isnat(moved_out)
    married = resident & in_law & np.isnat(moved_out) & (rng.random(n) < IN_LAWS_MARRIED_IN)
    married_day = _uniform_days(rng, np.maximum(eighteen, first), as_of, n)
    since = np.where(arrived, hh_in_day[hh], NAT)
    since = np.where(married & ~arrived & (married_day <= as_of), married_day, since)
    since = np.where(since > birth, since, NAT)  # born after the household arrived: born here

    # deaths within the window, after arriving and never after leaving
    q = DEATH_BASE * np.exp(DEATH_SLOPE * age_years)
    dies = resident & np.isnat(moved_out) & (rng.random(n) < np.minimum(0.9, years * q))
    lo = np.maximum(np.maximum(birth, first), np.where(np.isnat(since), first, since))
    death_day = _uniform_days(rng, lo, as_of, n)
    death = np.where(dies & (death_day <= as_of) & (death_day > birth), death_day, NAT)
    return death.astype("datetime64[D]"), since.astype("datetime64[D]"), moved_out
