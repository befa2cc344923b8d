"""Months as the bits of one 64-bit integer per person: which months a person's spells touch.

The card simulations decide month by month who buys, renews or lets a card lapse, and need
to know, for millions of people at once, whether another spell already covers a month.
Bit ``k`` stands for month ``base + k``; a spell *touches* the months from its first to its
last day, and is *in force at a month-end* for the months whose last day it covers.  Months
outside the 64 are not tracked (treated as free).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baophu.synth.dates import NO_MONTH, month_index

WIDTH = 64
ONE = np.uint64(1)
ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)


def span(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Bits ``lo … hi`` (clipped to 0 … 63) set; 0 where ``lo > hi`` after clipping."""
    lo = np.clip(np.asarray(lo, dtype=np.int64), 0, WIDTH)
    hi = np.clip(np.asarray(hi, dtype=np.int64), -1, WIDTH - 1)
    empty = lo > hi
    lo_c = np.minimum(lo, WIDTH - 1).astype(np.uint64)
    hi_c = np.maximum(hi, 0).astype(np.uint64)
    # (2^(hi+1) − 1) − (2^lo − 1), computed without overflow at hi = 63
    upper = np.where(hi_c >= WIDTH - 1, ALL, (ONE << (hi_c + ONE)) - ONE)
    lower = (ONE << lo_c) - ONE
    return np.where(empty, np.uint64(0), upper & ~lower).astype(np.uint64)


def lowest_bit(mask: np.ndarray) -> np.ndarray:
    """Index of the lowest set bit of each mask (64 where the mask is 0)."""
    mask = np.asarray(mask, dtype=np.uint64)
    low = mask & (~mask + ONE)
    return np.where(mask == 0, WIDTH, np.bitwise_count(low - ONE)).astype(np.int64)


def highest_bit(mask: np.ndarray) -> np.ndarray:
    """Index of the highest set bit (-1 where the mask is 0)."""
    x = np.asarray(mask, dtype=np.uint64).copy()
    for shift in (1, 2, 4, 8, 16, 32):
        x |= x >> np.uint64(shift)
    return np.bitwise_count(x).astype(np.int64) - 1


def run_around(
    occupied: np.ndarray, k: int, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The free months around month ``k`` (free itself) within ``first … last``."""
    below = highest_bit(occupied & span(np.zeros(len(first)), np.full(len(first), k - 1)))
    above_mask = occupied & span(np.full(len(first), k + 1), np.full(len(first), WIDTH - 1))
    above = np.where(above_mask == 0, WIDTH + 10**6, lowest_bit(above_mask))
    return np.maximum(first, below + 1), np.minimum(last, above - 1)


def bit(mask: np.ndarray, k: int) -> np.ndarray:
    """Whether bit ``k`` of each mask is set (False outside the 64 bits)."""
    if k < 0 or k >= WIDTH:
        return np.zeros(len(mask), dtype=bool)
    return (mask & np.uint64(1 << k)) != 0


def _bit_counts_each(masks: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Per bit, the masks (or weights) that have it set: bit by bit."""
    out = np.zeros(WIDTH, dtype=np.int64)
    chunk = 1 << 18
    for lo in range(0, len(masks), chunk):
        bits = np.unpackbits(
            masks[lo : lo + chunk].view(np.uint8).reshape(-1, 8), axis=1, bitorder="little"
        )
        if weights is None:
            out += bits.sum(axis=0, dtype=np.int64)
        else:
            out += np.rint(weights[lo : lo + chunk] @ bits).astype(np.int64)
    return out


def bit_counts(masks: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """For each of the 64 bits, how many masks have it set (or the sum of ``weights``).

    Most masks are one run of months (a person counted from one month to another): those
    are counted as runs, by the histograms of their first and last month; the others bit
    by bit."""
    masks = np.ascontiguousarray(masks, dtype=np.uint64)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    set_ = masks != 0
    masks = masks[set_]
    w = None if w is None else w[set_]
    low = masks & (~masks + ONE)
    above = masks + low  # the bit above a single run (0 when the run ends at bit 63)
    run = (above & (above - ONE)) == 0
    first = lowest_bit(low[run])
    after = np.where(above[run] == 0, WIDTH, lowest_bit(above[run]))
    wr = None if w is None else w[run]
    starts = np.bincount(first, weights=wr, minlength=WIDTH + 1)
    stops = np.bincount(after, weights=wr, minlength=WIDTH + 1)
    out = np.rint(np.cumsum(starts - stops)[:WIDTH]).astype(np.int64)
    rest = ~run
    if rest.any():
        out += _bit_counts_each(masks[rest], None if w is None else w[rest])
    return out


@dataclass(frozen=True)
class MonthGrid:
    """Bit ``k`` is month ``base + k``."""

    base: np.datetime64  # datetime64[M]

    @property
    def base_index(self) -> int:
        """The base month as months since January 1970."""
        return int(np.asarray(self.base, dtype="datetime64[M]").astype(np.int64))

    def index(self, days: np.ndarray) -> np.ndarray:
        """Month index of each day (NaT gives ``WIDTH + 1``, beyond every bit)."""
        months = month_index(days)
        assert isinstance(months, np.ndarray)
        return np.where(months == NO_MONTH, WIDTH + 1, months - self.base_index)

    def touched(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The months a spell touches, first day to last day (an open end: every later bit)."""
        return span(self.index(start), self.index(end))

    def in_force(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The months at whose last day a spell is in force (``start ≤ month-end ≤ end``)."""
        lo = self.index(start)
        months, is_last = month_index(end, last_day=True)
        hi = np.where(months == NO_MONTH, WIDTH + 1, months - self.base_index - ~is_last)
        return span(lo, hi)

    def present(
        self,
        birth: np.ndarray,
        since: np.ndarray,
        death: np.ndarray,
        moved_out: np.ndarray,
    ) -> np.ndarray:
        """Months at whose last day a resident lives here (born, moved in, not dead or gone)."""
        first = np.where(np.isnat(since), birth, np.maximum(birth, since))
        gone = np.where(np.isnat(moved_out), death, moved_out)
        gone = np.where(np.isnat(death), gone, np.minimum(gone, death))
        # in force on a month-end ≤ the day before leaving
        until = np.where(np.isnat(gone), gone, gone - np.timedelta64(1, "D"))
        return self.in_force(first, until)

    def free_run(
        self, occupied: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The first run of months in ``lo … hi`` that ``occupied`` leaves free: ``(first,
        last)``, with ``first > hi`` where no month is free.  Untracked months are free:
        before bit 0, and after bit 63 unless bit 63 is taken (a spell running on)."""
        return free_run(occupied, lo, hi)


def free_run(occupied: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """See ``MonthGrid.free_run``."""
    occupied = np.asarray(occupied, dtype=np.uint64)
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    tracked = lowest_bit(~occupied & span(lo, hi))
    # past the last bit a month is free unless the last bit is taken (an open spell)
    open_end = (occupied >> np.uint64(WIDTH - 1)) & ONE == ONE
    beyond = np.where(open_end, np.maximum(hi + 1, WIDTH), np.maximum(lo, WIDTH))
    first = np.where(
        lo < 0,
        lo,
        np.where((lo < WIDTH) & (tracked < WIDTH), tracked, np.where(hi >= WIDTH, beyond, hi + 1)),
    )
    blocked = lowest_bit(occupied & span(first + 1, hi))
    last = np.minimum(np.where(blocked < WIDTH, blocked - 1, hi), hi)
    return first, last


def bit_flows(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bit: how many masks have it set, how many have it set but not the bit before
    (entering), and how many have the bit before set but not this one (leaving)."""
    masks = np.asarray(masks, dtype=np.uint64)
    counts = bit_counts(masks)
    both = bit_counts(masks & (masks << ONE))  # set this month and the month before
    entering = counts - both
    leaving = np.concatenate([[0], counts[:-1]]) - both
    return counts, entering, leaving
