"""Employment histories: the jobs people left before the reference date.

The current jobs (``employers.build_spells``) each started after a drawn tenure.  Going back
from the reference month one month at a time, every month-end must hold the intended number
of declared jobs in the province (``path``), and of hidden jobs: the jobs in force at a
month-end that are not in force at the next one are the jobs **left** that month, and as
many are created as the path needs.  Each is either

* the job a worker held before **moving employer** (``PREVIOUS``): the worker's next job
  (current or itself earlier) starts the month after, or after one or two months between
  jobs — the ledger sees one employer's headcount fall and another's rise; or
* the last job of someone who **left employment** (``LAPSED``) for a while: a resident
  living here at the time and of working age, whose next job (if any) starts two months or
  more later — someone who retired that month (they reach the statutory age), moved out or
  died the month after, or stopped working (and may work again later).

Every firm keeps its own smooth path (``firm_paths``: steady growth, a new firm growing
from its registration), so its declared headcount grows from one tax year to the next as
its true one does.  A created job lasts ``1 + Exp(DURATION_MONTHS)`` months, never before
its employer registered, the worker's 18th birthday or the day they moved in.  When a firm
holds more jobs at a month-end than its path, its latest hires start a month later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.synth.context import Context
from baophu.synth.people import People
from baophu.synth.rates import retirement_month

P_MOVE = 0.3  # of the jobs left in a month: left for another employer
MOVE_GAP_P = np.array([0.45, 0.35, 0.2])  # months between two jobs: 0, 1, 2
DURATION_MONTHS = 28.0  # mean length of a job left (besides its first month)
RETIRED_DURATION_MONTHS = 120.0
RAMP_MONTHS = 12  # a new firm reaches its size over its first year
MIN_TURNOVER = 5.5  # people leaving jobs each month, at least, per person of net change
GAP_AFTER_LEAVING = 2  # months at least between leaving employment and the next job
EVENT_WEIGHT = 8.0  # someone who retires, moves out or dies the next month leaves a job likelier
PREVIOUS, LAPSED = 1, 2  # spell kinds (employers.SPELL_KINDS)


@dataclass
class Jobs:
    """Spells as growing arrays; ``start`` and ``end`` are month indices (0 = history_start),
    ``end`` is ``-1`` while open; ``pred`` marks spells whose worker had an earlier job."""

    person: np.ndarray
    firm: np.ndarray
    start: np.ndarray
    end: np.ndarray
    declared: np.ndarray
    kind: np.ndarray
    pred: np.ndarray
    n: int

    @classmethod
    def of(
        cls, person: np.ndarray, firm: np.ndarray, start: np.ndarray, declared: np.ndarray
    ) -> Jobs:
        cap = max(16, 3 * len(person))
        jobs = cls(
            person=np.zeros(cap, np.int64),
            firm=np.zeros(cap, np.int64),
            start=np.zeros(cap, np.int64),
            end=np.full(cap, -1, np.int64),
            declared=np.zeros(cap, bool),
            kind=np.zeros(cap, np.int64),
            pred=np.zeros(cap, bool),
            n=0,
        )
        jobs.append(person, firm, start, np.full(len(person), -1), declared, 0)
        return jobs

    def append(
        self,
        person: np.ndarray,
        firm: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        declared: np.ndarray | bool,
        kind: np.ndarray | int,
    ) -> None:
        k = len(person)
        while self.n + k > len(self.person):
            for name in ("person", "firm", "start", "end", "declared", "kind", "pred"):
                a = getattr(self, name)
                setattr(self, name, np.concatenate([a, np.zeros_like(a)]))
        sl = slice(self.n, self.n + k)
        self.person[sl], self.firm[sl], self.start[sl], self.end[sl] = person, firm, start, end
        self.declared[sl], self.kind[sl], self.pred[sl] = declared, kind, False
        self.n += k


def _month_index(days: np.ndarray, first: np.datetime64) -> np.ndarray:
    """Month index (0 = ``first``) of each day; NaT gives a very large index."""
    months = np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]")
    out = (months - first).astype(np.int64)
    return np.where(np.isnat(days), 10**6, out)


def firm_paths(
    size: np.ndarray, registered: np.ndarray, n_months: int, growth: float
) -> np.ndarray:
    """``(firms, months)``: each firm's jobs at each month-end — its count now, less a steady
    yearly ``growth`` before; a firm registered less than ``RAMP_MONTHS`` before a month
    grows linearly from its registration (nothing before it)."""
    months = np.arange(n_months)
    steady = (1.0 + growth) ** (-(n_months - 1 - months) / 12.0)
    reg = registered[:, None].astype(np.float64)
    ramp = np.clip((months[None, :] - reg + 1) / RAMP_MONTHS, 0.0, 1.0)
    now = np.clip((n_months - reg) / RAMP_MONTHS, 1e-9, 1.0)
    return np.round(size[:, None] * steady[None, :] * ramp / now).astype(np.int64)


class Careers:
    """The backward fill of one kind of job (declared or hidden), see the module docstring."""

    def __init__(self, ctx: Context, people: People, busy_from: np.ndarray) -> None:
        """``busy_from``: each person's first month in a job here or elsewhere (a large
        number for those not working now)."""
        self.rng = ctx.rng("careers")
        first = ctx.history_start
        self.n_months = len(ctx.history_months)
        born = people.birth.astype("datetime64[M]").astype(np.int64)  # months since 1970
        self.adult = born + 18 * 12 - int(np.asarray(first, dtype="datetime64[M]").astype(np.int64))
        retire = retirement_month(people.birth, people.female)
        self.retire = (retire - first).astype(np.int64)
        # living here at the end of month i: moved in by then, not dead or gone by then
        self.arrived = np.where(
            np.isnat(people.resident_from), -(10**6), _month_index(people.resident_from, first)
        )
        gone = np.minimum(_month_index(people.death, first), _month_index(people.moved_out, first))
        self.last_month = gone - 1
        age_now = people.age.astype(np.float64)
        self.pool = np.flatnonzero(
            people.resident
            & (self.adult < self.n_months)
            & (self.retire >= 0)
            & (self.last_month >= 0)
        )
        self.weight = np.interp(age_now, [18, 22, 30, 45, 55, 65], [0.6, 1.0, 1.0, 0.8, 0.5, 0.3])
        self.busy_from = busy_from.astype(np.int64).copy()
        # the months each pool member could have left a job: adult, moved in, not retired,
        # still here (one range per person, checked every month)
        p = self.pool
        self.pool_from = np.maximum(self.adult[p], self.arrived[p])
        self.pool_to = np.minimum(self.retire[p], self.last_month[p])
        # pool positions whose working life here ends in a month (retiring, then moving out
        # or dying the month after)
        ends = np.minimum(self.pool_to, self.n_months)
        order = np.argsort(ends, kind="stable")
        bounds = np.searchsorted(ends[order], np.arange(self.n_months + 1))
        self.events = {i: order[bounds[i] : bounds[i + 1]] for i in range(self.n_months)}

    def eligible(self, i: int) -> np.ndarray:
        """Pool members who could have left a job at the end of month ``i``: living here and
        of working age then, their next job (if any) starting ``GAP_AFTER_LEAVING`` or more
        months later."""
        p = self.pool
        ok = (self.pool_from <= i) & (self.pool_to >= i)
        cand = p[ok]
        return cand[self.busy_from[cand] > i + GAP_AFTER_LEAVING]

    def _able(self, slots: np.ndarray, i: int) -> np.ndarray:
        """Which pool positions ``slots`` could have left a job at the end of month ``i``."""
        ok = (self.pool_from[slots] <= i) & (self.pool_to[slots] >= i)
        return ok & (self.busy_from[self.pool[slots]] > i + GAP_AFTER_LEAVING)

    def leavers(self, i: int, k: int) -> np.ndarray:
        """``k`` people who left employment at the end of month ``i`` (fewer if the pool is
        short): those retiring that month or moving out or dying the next are likelier
        (``EVENT_WEIGHT``), the others by age — drawn by sampling the pool and accepting by
        weight, so a month costs what it draws, not the size of the pool."""
        if k <= 0 or not len(self.pool):
            return np.zeros(0, dtype=np.int64)
        rng = self.rng
        events = self.events.get(i, np.zeros(0, dtype=np.int64))
        events = events[self._able(events, i)]
        p_event = min(1.0, EVENT_WEIGHT * k / len(self.pool))
        chosen = [self.pool[events[rng.random(len(events)) < p_event]][:k]]
        taken = len(chosen[0])
        seen = set(chosen[0].tolist())
        for _ in range(8):
            if taken >= k:
                break
            slots = rng.integers(0, len(self.pool), 3 * (k - taken) + 32)
            slots = slots[self._able(slots, i)]
            person = self.pool[slots]
            person = person[rng.random(len(person)) < self.weight[person]]
            person = np.unique(person)[rng.permutation(len(np.unique(person)))]
            person = np.array([x for x in person.tolist() if x not in seen], dtype=np.int64)
            person = person[: k - taken]
            seen.update(person.tolist())
            chosen.append(person)
            taken += len(person)
        if taken < k:  # a small pool: look at all of it
            rest = self.eligible(i)
            rest = rest[~np.isin(rest, np.concatenate(chosen))]
            chosen.append(rng.permutation(rest)[: k - taken])
        return np.concatenate(chosen).astype(np.int64)

    def earliest_start(self, person: np.ndarray) -> np.ndarray:
        """The first month a person could have started a job here (adult, moved in)."""
        return np.maximum(self.adult[person], self.arrived[person])

    def durations(self, person: np.ndarray, i: int) -> np.ndarray:
        retired = self.retire[person] == i
        mean = np.where(retired, RETIRED_DURATION_MONTHS, DURATION_MONTHS)
        return 1 + np.floor(self.rng.exponential(1.0, len(person)) * mean).astype(np.int64)

    def fill(self, jobs: Jobs, target: np.ndarray, declared: bool, registered: np.ndarray) -> None:
        """Create the jobs left each month (declared or hidden) so that firm ``f`` holds
        ``target[f, i]`` of them at the end of month ``i``; ``registered`` is each firm's
        registration month index.  A firm holding too many at a month-end has its latest
        hires start a month later instead."""
        rng = self.rng
        n_firms, m = target.shape
        mine = np.flatnonzero(jobs.declared[: jobs.n] == declared)
        hist = np.zeros((n_firms, m), dtype=np.int64)
        np.add.at(hist, (jobs.firm[mine], np.clip(jobs.start[mine], 0, m - 1)), 1)
        totals = target.sum(axis=0)
        for i in range(m - 2, -1, -1):
            need = target[:, i] - hist[:, : i + 1].sum(axis=1)
            if (need < 0).any():
                self._start_later(jobs, hist, need, i, declared)
            need = np.maximum(need, 0)
            # a register never stands still: at least MIN_TURNOVER × the net change leave
            stay_on = P_MOVE * MOVE_GAP_P[0] if declared else 0.0
            wanted = MIN_TURNOVER * abs(int(totals[i + 1]) - int(totals[i])) + 1
            short = wanted - need.sum() * (1.0 - stay_on)
            if short > 0:
                need += self._churn(jobs, hist, i, declared, int(np.ceil(short / (1 - stay_on))))
            total = int(need.sum())
            if total == 0:
                continue
            slots = rng.permutation(np.repeat(np.arange(n_firms), need))
            person, kinds = self._movers(jobs, i, total) if declared else (slots[:0], slots[:0])
            leavers = self.leavers(i, total - len(person))
            person = np.concatenate([person, leavers])
            kinds = np.concatenate([kinds, np.full(len(leavers), LAPSED)])
            firm = slots[: len(person)]
            end = np.full(len(person), i)
            start = end - self.durations(person, i) + 1
            start = np.maximum(start, np.maximum(registered[firm], self.earliest_start(person)))
            start = np.minimum(start, end)
            jobs.append(person, firm, start, end, declared, kinds)
            np.minimum.at(self.busy_from, person, start)
            np.add.at(hist, (firm, np.clip(start, 0, m - 1)), 1)

    def _movers(self, jobs: Jobs, i: int, total: int) -> tuple[np.ndarray, np.ndarray]:
        """Workers whose next job starts one to three months after month ``i``: they left
        their previous job at its end (``P_MOVE`` of the jobs left)."""
        n_rows = jobs.n
        start = jobs.start[:n_rows]
        cand = np.flatnonzero((start > i) & (start <= i + 3))
        cand = cand[jobs.declared[cand] & ~jobs.pred[cand]]
        who = jobs.person[cand]
        cand = cand[(self.earliest_start(who) <= i) & (start[cand] <= self.busy_from[who])]
        gap_of = start - i - 1
        n_move = min(len(cand), round(P_MOVE * total))
        if not n_move:
            return cand[:0], cand[:0]
        keys = np.log(self.rng.random(len(cand))) / MOVE_GAP_P[gap_of[cand]]
        moved = cand[np.argpartition(-keys, n_move - 1)[:n_move]]
        jobs.pred[moved] = True
        self.busy_from[jobs.person[moved]] = i  # not a leaver the same month
        return jobs.person[moved], np.full(n_move, PREVIOUS)

    def _churn(self, jobs: Jobs, hist: np.ndarray, i: int, declared: bool, k: int) -> np.ndarray:
        """``k`` more jobs left at month ``i`` and as many hired at ``i + 1`` in the same
        firms: jobs in force at ``i`` start at ``i + 1`` instead.  Returns the added need
        per firm."""
        n_rows = jobs.n
        rows = np.flatnonzero(
            (jobs.start[:n_rows] <= i)
            & (jobs.declared[:n_rows] == declared)
            & ((jobs.end[:n_rows] < 0) | (jobs.end[:n_rows] > i))
        )
        late = self.rng.choice(rows, size=min(k, len(rows)), replace=False)
        firm = jobs.firm[late]
        np.add.at(hist, (firm, np.clip(jobs.start[late], 0, hist.shape[1] - 1)), -1)
        np.add.at(hist, (firm, np.full(len(late), i + 1)), 1)
        jobs.start[late] = i + 1
        return np.bincount(firm, minlength=hist.shape[0])

    def _start_later(
        self, jobs: Jobs, hist: np.ndarray, need: np.ndarray, i: int, declared: bool
    ) -> None:
        """Firms with ``need < 0`` hold too many jobs at month ``i``: their latest hires up
        to ``i`` start at ``i + 1`` instead (the later months keep their count)."""
        n_rows = jobs.n
        firm = jobs.firm[:n_rows]
        rows = np.flatnonzero(
            (need[firm] < 0) & (jobs.start[:n_rows] <= i) & (jobs.declared[:n_rows] == declared)
        )
        if not len(rows):
            return
        order = np.lexsort((self.rng.random(len(rows)), -jobs.start[rows], firm[rows]))
        rows = rows[order]
        f = firm[rows]
        first = np.searchsorted(f, f, side="left")
        rank = np.arange(len(rows)) - first
        late = rows[rank < -need[f]]
        np.add.at(hist, (firm[late], np.clip(jobs.start[late], 0, hist.shape[1] - 1)), -1)
        np.add.at(hist, (firm[late], np.full(len(late), i + 1)), 1)
        jobs.start[late] = i + 1
