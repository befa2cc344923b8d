"""Voluntary BHXH, month by month, so that the participants follow the intended path.

Each participant chooses how they pay (Decree 159/2025/NĐ-CP Art. 9 allows it): monthly,
every 3, 6 or 12 months, or several years at once.  Each payment is one enrolment row from
the first to the last month it pays for, so a participant paying ahead has a row ending
after the reference date.  When a paid period ends the participant pays the next one on
time, pays it a month or two late (a gap), or stops — the longer the period, the likelier
they stop after it (``STOP_PER_MONTH`` compounded).  Reaching the retirement age, dying,
moving out or starting a job (compulsory BHXH takes over, the paid period ends the month
before) also ends it.

Every month exactly as many people join as the path needs: residents of working age (from
``MIN_AGE``), not in compulsory BHXH that month — farmers, the near-poor and people who left
a job likelier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.synth.cards import NONE
from baophu.synth.monthbits import bit, run_around, span

METHODS = (1, 3, 6, 12, 36)  # months paid at once
METHOD_P = np.array([0.35, 0.25, 0.15, 0.2, 0.05])
STOP_PER_MONTH = 0.03
P_LATE = 0.05
LATE_GAP = (1, 3)
MIN_AGE = 20
MIN_TURNOVER = 4.0  # people leaving each month, at least, per person of net change


@dataclass
class Payments:
    """Payment rows: person, first and last month paid (grid indices)."""

    person: np.ndarray
    start: np.ndarray
    end: np.ndarray


def simulate(
    rng: np.random.Generator,
    weight: np.ndarray,
    first_month: np.ndarray,
    last_month: np.ndarray,
    present: np.ndarray,
    compulsory: np.ndarray,
    target: np.ndarray,
    months: range,
) -> Payments:
    """Payments over ``months`` so that ``target[k]`` people have a paid month ``k``.

    ``weight`` is each person's propensity to join (0: never), ``first_month`` and
    ``last_month`` the grid months of their working age; ``present`` and ``compulsory`` the
    month masks of living here and of compulsory BHXH.
    """
    # only those who could pay some month of the simulation take part in it
    window = span(np.array([months[0]]), np.array([months[-1]]))[0]
    chosen_idx = np.flatnonzero(
        (weight > 0)
        & (first_month <= months[-1])
        & (last_month >= months[0])
        & ((present & ~compulsory & window) != 0)
    )
    weight, first_month, last_month, present, compulsory = (
        a[chosen_idx] for a in (weight, first_month, last_month, present, compulsory)
    )
    n = len(weight)
    method = np.full(n, -1, dtype=np.int64)
    paid_to = np.full(n, NONE, dtype=np.int64)
    paid_from = np.full(n, NONE, dtype=np.int64)
    rejoin = np.full(n, NONE, dtype=np.int64)
    rows_p: list[np.ndarray] = []
    rows_s: list[np.ndarray] = []
    rows_e: list[np.ndarray] = []

    def able(k: int) -> np.ndarray:
        ok = (weight > 0) & (first_month <= k) & (last_month >= k)
        return ok & bit(present, k) & ~bit(compulsory, k)

    def pay(person: np.ndarray, k: int, back: np.ndarray | None = None) -> None:
        length = np.asarray(METHODS)[method[person]]
        first = np.full(len(person), k) if back is None else k - back
        last = np.minimum(first + length - 1, last_month[person])
        s, e = run_around(compulsory[person], k, first, last)
        paid_from[person], paid_to[person] = s, e
        rows_p.append(person)
        rows_s.append(s)
        rows_e.append(e)

    def joiners(k: int, want: int, ok: np.ndarray) -> np.ndarray:
        if want <= 0:
            return np.zeros(0, dtype=np.int64)
        cand = np.flatnonzero(ok & (paid_to < k) & (rejoin < k))
        if not len(cand):
            return cand
        keys = np.log(rng.random(len(cand))) / weight[cand]
        want = min(want, len(cand))
        chosen = cand[np.argpartition(-keys, want - 1)[:want]]
        method[chosen] = rng.choice(len(METHODS), size=len(chosen), p=METHOD_P)
        return chosen

    start = months[0]
    ok = able(start)
    first = joiners(start, int(target[start]), ok)
    length = np.asarray(METHODS)[method[first]]
    pay(first, start, back=np.floor(rng.random(len(first)) * length).astype(np.int64))
    stop_p = 1.0 - (1.0 - STOP_PER_MONTH) ** np.asarray(METHODS, dtype=np.float64)
    for k in months[1:]:
        before = ok & (paid_from <= k - 1) & (paid_to >= k - 1)
        ok = able(k)
        due = np.flatnonzero((paid_to == k - 1) & ok)
        u = rng.random(len(due))
        stop = stop_p[method[due]]
        renew = due[u >= stop + P_LATE]
        late = due[(u >= stop) & (u < stop + P_LATE)]
        staying = ok & (paid_from <= k) & (paid_to >= k)
        running = int(staying.sum())
        # a register never stands still: at least MIN_TURNOVER × the net change leave
        leaving = int(before.sum()) - int((before & staying).sum()) - len(renew)
        wanted = int(np.ceil(MIN_TURNOVER * abs(int(target[k]) - int(target[k - 1])))) + 1
        if leaving < wanted and len(renew):
            extra = min(wanted - leaving, len(renew))
            shuffled = rng.permutation(renew)
            late = np.concatenate([late, shuffled[:extra]])
            renew = shuffled[extra:]
        rejoin[late] = k + rng.integers(*LATE_GAP, len(late))
        back = np.flatnonzero((rejoin == k) & ok & (paid_to < k))
        want = int(target[k]) - running - len(renew) - len(back)
        if want < 0:
            drop = min(-want, len(renew))
            renew = rng.permutation(renew)[drop:]
            want += drop
        rejoin[back] = NONE
        busy = np.zeros(n, dtype=bool)
        busy[renew] = True
        busy[back] = True
        new = joiners(k, want, ok & ~busy)
        pay(np.concatenate([renew, back, new]), k)
    if not rows_p:
        empty = np.zeros(0, dtype=np.int64)
        return Payments(empty, empty, empty)
    person = chosen_idx[np.concatenate(rows_p)]
    return Payments(person, np.concatenate(rows_s), np.concatenate(rows_e))
