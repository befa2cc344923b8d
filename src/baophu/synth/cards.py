"""Household BHYT cards, month by month, so that BHYT coverage follows the intended path.

A household buys twelve-month cards for its members together, in the month it joins (a
member joining a household whose cards are running gets a card to the month they end, so
the household renews together); a year later the household decides again: it renews on
time (``P_ON_TIME``), late — the members go uncovered for one to four months, which breaks
the continuity the law rewards — (``P_LATE``), or stops (the rest); a member now and then
drops out alone.  A card ends
early when another card takes over (a job, a school year, a budget-paid group): the months
another spell already touches are never sold twice.

Every month the generator counts who is insured at the month-end without household cards
(``others``) and sells exactly as many new cards as the path needs on top of the cards still
running, the on-time renewals and the late returns: the joiners are whole households, drawn
by a lasting propensity of each household (some never buy), those who held a card before
being far likelier to come back.  When renewals alone would overshoot the path, some of
them lapse instead.  Farming households of average living standard buy the same cards,
partly paid by the budget, and less often.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.synth.monthbits import bit, bit_counts, bit_flows, run_around, span

CARD_MONTHS = 12
P_ON_TIME, P_LATE = 0.77, 0.13  # of households whose cards end; the rest stop
LATE_GAP = (1, 5)  # months without a card before a late renewal (1 to 4)
P_MEMBER_STOPS = 0.03  # a member dropping out while the household renews
P_MEMBER_JOINS = 0.9  # members of a joining household who get a card
RETURN_WEIGHT = 8.0  # a household that held cards before comes back that much likelier
PROPENSITY_SIGMA = 1.6  # lognormal spread of households' propensity to buy
MIN_TURNOVER = 4.0  # people leaving each month, at least, per person of net change
NONE = -(10**6)


@dataclass
class Cards:
    """Card rows: person, first and last month (indices of the month grid)."""

    person: np.ndarray
    start: np.ndarray
    end: np.ndarray


def simulate(
    rng: np.random.Generator,
    household: np.ndarray,
    n_households: int,
    allowed: np.ndarray,
    present: np.ndarray,
    occupied: np.ndarray,
    propensity: np.ndarray,
    others: np.ndarray,
    total: np.ndarray,
    months: range,
) -> Cards:
    """Sell cards month by month over ``months`` (grid indices) so that ``total[k]`` people
    hold a household card at each month-end (see the module docstring).

    ``household`` gives each person's household (-1: none, never buys); ``allowed`` who may
    buy; ``present`` and ``occupied`` are the month masks of living here and of the other
    BHYT spells; ``propensity`` each household's weight to join; ``others`` the month masks
    at whose end other cards count each person, and ``total`` the intended count of all —
    at least ``MIN_TURNOVER`` times the net change leave each month.
    """
    target = total - bit_counts(others)
    # only those free of other cards some month of the simulation can buy: the others
    # count through their own cards alone (and leave when those end)
    window = span(np.array([months[0] - 1]), np.array([months[-1]]))[0]
    relevant = allowed & (household >= 0) & ((present & ~occupied & window) != 0)
    chosen_idx = np.flatnonzero(relevant)
    rest_leaving = bit_flows(others[~relevant])[2]
    household, present, occupied, others = (
        a[chosen_idx] for a in (household, present, occupied, others)
    )
    n = len(household)
    hh = np.maximum(household, 0)
    free = present & ~occupied  # months a person could hold a household card
    card_start = np.full(n, NONE, dtype=np.int64)
    card_end = np.full(n, NONE, dtype=np.int64)
    rejoin = np.full(n, NONE, dtype=np.int64)
    ever = np.zeros(n_households, dtype=bool)
    batch_end = np.full(n_households, NONE, dtype=np.int64)  # latest card end per household
    rows_p: list[np.ndarray] = []
    rows_s: list[np.ndarray] = []
    rows_e: list[np.ndarray] = []

    def sell(
        person: np.ndarray, k: int, back: np.ndarray | None = None, align: bool = False
    ) -> None:
        """Cards from month ``k`` (``back`` months earlier) for twelve months, or, with
        ``align``, to the month the household's running cards end (joining its batch)."""
        first = np.full(len(person), k) if back is None else k - back
        last = first + CARD_MONTHS - 1
        if align and len(person):
            joins = batch_end[hh[person]]  # a card of the household runs to then
            last = np.where(joins >= k, np.minimum(joins, last), last)
        s, e = run_around(occupied[person], k, first, last)
        np.maximum.at(batch_end, hh[person], e)
        card_start[person], card_end[person] = s, e
        ever[hh[person]] = True
        rows_p.append(person)
        rows_s.append(s)
        rows_e.append(e)

    def joiners(
        k: int,
        want: int,
        busy: np.ndarray,
        free_k: np.ndarray,
        others_before: np.ndarray,
        fresh: bool = False,
    ) -> np.ndarray:
        """``want`` people joining at ``k`` in household batches: first those uncovered the
        month before, then those whose other card just ended, and only when the path needs
        them those whose household card just ended or who meant to come back later
        (``fresh``: only those uncovered the month before).  ``free_k``: free of other
        cards at ``k``; ``others_before``: counted through another card at ``k - 1``."""
        if want <= 0:
            return np.zeros(0, dtype=np.int64)
        free_now = free_k & ~busy & (card_end < k)
        if fresh:
            free_now &= ~others_before & (card_end < k - 1) & (rejoin < k)
        cand = np.flatnonzero(free_now)
        cand = cand[rng.random(len(cand)) < P_MEMBER_JOINS]
        homes, inv = np.unique(hh[cand], return_inverse=True)
        w = propensity[homes] * np.where(ever[homes], RETURN_WEIGHT, 1.0)
        key = np.log(rng.random(len(homes))) / np.maximum(w, 1e-12)
        tier = np.where((card_end[cand] == k - 1) | (rejoin[cand] >= k), 2, others_before[cand])
        # a household joins together: its members come in the order of its most ready one
        home_tier = np.full(len(homes), 3, dtype=np.int64)
        np.minimum.at(home_tier, inv, tier)
        order = np.lexsort((inv, -key[inv], home_tier[inv]))
        chosen = cand[order[:want]]
        rejoin[chosen] = NONE
        return chosen

    start = months[0]
    # cards running at the first month, bought in the eleven months before it
    first_buyers = joiners(
        start,
        int(target[start]),
        np.zeros(n, dtype=bool),
        bit(free, start),
        bit(others, start - 1),
    )
    anchor = rng.integers(0, CARD_MONTHS, n_households)
    sell(first_buyers, start, back=anchor[hh[first_buyers]])
    for k in months[1:]:
        here_k = bit(free, k)
        others_before = bit(others, k - 1)
        held_before = bit(present, k - 1) & (card_start <= k - 1) & (card_end >= k - 1)
        counted_before = others_before | held_before
        due = np.flatnonzero((card_end == k - 1) & here_k)
        # one decision per household
        homes, inv = np.unique(hh[due], return_inverse=True)
        u = rng.random(len(homes))[inv]
        stays = (u < P_ON_TIME) & (rng.random(len(due)) >= P_MEMBER_STOPS)
        late = (u >= P_ON_TIME) & (u < P_ON_TIME + P_LATE)
        gap = rng.integers(*LATE_GAP, len(homes))[inv]
        rejoin[due[late]] = k + gap[late]
        renew = due[stays]
        back = np.flatnonzero((rejoin == k) & here_k & (card_end < k))
        running_k = here_k & (card_start <= k) & (card_end >= k)
        want = int(target[k]) - int(running_k.sum()) - len(renew) - len(back)
        if want < 0:  # renewals alone overshoot: some of them lapse this time
            drop = min(-want, len(renew))
            renew = rng.permutation(renew)[drop:]
            want += drop
        if want < 0:
            drop = min(-want, len(back))
            rejoin[back[:drop]] = NONE
            back = back[drop:]
            want += drop
        busy = np.zeros(n, dtype=bool)
        busy[renew] = True
        busy[back] = True
        new = joiners(k, want, busy, here_k, others_before)
        # a register never stands still: at least MIN_TURNOVER × the net change leave
        staying = bit(others, k) | running_k | busy
        staying[new] = True
        leaving = int((counted_before & ~staying).sum()) + int(rest_leaving[k])
        wanted = int(np.ceil(MIN_TURNOVER * abs(int(total[k]) - int(total[k - 1])))) + 1
        if leaving < wanted and len(renew):
            # some renew late instead, replaced by people uncovered the month before
            busy[new] = True
            fresh = joiners(
                k, min(wanted - leaving, len(renew)), busy, here_k, others_before, fresh=True
            )
            extra = len(fresh)
            shuffled = rng.permutation(renew)
            rejoin[shuffled[:extra]] = k + rng.integers(*LATE_GAP, extra)
            renew = shuffled[extra:]
            new = np.concatenate([new, fresh])
        rejoin[back] = NONE
        sell(np.concatenate([renew, back]), k)
        sell(new, k, align=True)
    if not rows_p:
        empty = np.zeros(0, dtype=np.int64)
        return Cards(empty, empty, empty)
    person = chosen_idx[np.concatenate(rows_p)]
    return Cards(person, np.concatenate(rows_s), np.concatenate(rows_e))


def counted(
    present: np.ndarray, resident: np.ndarray, person: np.ndarray, bits: np.ndarray, n: int
) -> np.ndarray:
    """Per person, the months at whose end they count: ``bits`` of their spells (OR-ed),
    residents only while they live here."""
    mask = np.zeros(n, dtype=np.uint64)
    np.bitwise_or.at(mask, person, bits)
    return np.where(resident, mask & present, mask)
