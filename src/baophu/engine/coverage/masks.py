"""Many reference dates in one pass: a person's status on each date as the bits of one integer.

For an ordered list of reference dates ``d_0 < … < d_{n-1}`` (n ≤ 30), a spell that is in
force on the dates ``d_lo … d_hi`` becomes the integer ``2^(hi+1) − 2^lo``: bit ``k`` is set
when the spell is in force on ``d_k``.  A person covered by several spells is covered on the
union of their bits, so "distinct persons covered on each date" becomes "sum over persons of
bit k of the OR of their spells' masks" (``IntegerColumn.bit_or``; the backends adapter
teaches it to PySpark) — one scan of the spells for all dates at once.  Bitwise NOT is
avoided (its PySpark SQL loses parentheses); ``and_not`` uses XOR with the all-ones mask
instead.  ``mask_events`` and ``cumulate`` turn counts per mask into counts per date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import reduce
from itertools import pairwise

import ibis
import pyarrow as pa
from ibis.expr.types import IntegerValue, Table

from baophu.engine.dates import MAX_SERIES_DATES, month_end

MAX_DATES = MAX_SERIES_DATES


def check_dates(dates: Sequence[date]) -> list[date]:
    ordered = sorted(set(dates))
    if not ordered:
        raise ValueError("at least one reference date is needed")
    if len(ordered) > MAX_DATES:
        raise ValueError(f"at most {MAX_DATES} reference dates at once, got {len(ordered)}")
    return ordered


def int_sum(value: ibis.Value) -> IntegerValue:
    """``sum`` as a 64-bit integer on every backend (DuckDB sums BIGINT into HUGEINT, and
    Ibis drops a cast to the type it believes the sum already has)."""
    return value.sum().cast("decimal(38, 0)").cast("int64")


def all_ones(n: int) -> int:
    return (1 << n) - 1


def _count(conditions: Sequence[ibis.Value]) -> IntegerValue:
    terms = [ibis.ifelse(c, 1, 0) for c in conditions]
    return reduce(lambda a, b: a + b, terms).cast("int64")


def _clamp(x: IntegerValue, lo: int, hi: int) -> IntegerValue:
    return ibis.least(ibis.greatest(x, lo), hi).cast("int64")


def range_mask(lo: IntegerValue, hi: IntegerValue) -> IntegerValue:
    """Bits ``lo … hi`` set (0 when ``lo > hi``)."""
    one = ibis.literal(1, "int64")
    return ibis.ifelse(lo <= hi, (one << (hi + 1)) - (one << lo), ibis.literal(0, "int64"))


class Calendar:
    """An ordered list of reference dates and how to place a date among them.

    ``before(x)`` is the number of reference dates strictly before ``x``; ``upto(x)`` the
    number on or before ``x``.  A spell from ``s`` to ``e`` (inclusive) is in force on the
    dates ``before(s) … upto(e) − 1``.  Two date lists get compact arithmetic instead of
    one comparison per date: consecutive months whose dates are month-ends except perhaps
    the last (a monthly series ending on any day), and consecutive days.
    """

    def __init__(self, dates: Sequence[date]) -> None:
        self.dates = check_dates(dates)
        self.n = len(self.dates)
        self.kind = self._kind()

    def _kind(self) -> str:
        d = self.dates
        months = [x.year * 12 + x.month - 1 for x in d]
        if all(b - a == 1 for a, b in pairwise(months)) and all(x == month_end(x) for x in d[:-1]):
            return "monthly"
        if all((b - a).days == 1 for a, b in pairwise(d)):
            return "daily"
        return "generic"

    @property
    def last(self) -> date:
        return self.dates[-1]

    def before(self, x: ibis.Value) -> IntegerValue:
        """Reference dates strictly before ``x`` (``n`` when ``x`` is null)."""
        n = self.n
        if self.kind == "monthly":
            m0 = self.dates[0].year * 12 + self.dates[0].month - 1
            mx = x.year() * 12 + x.month() - 1 - m0
            late = ibis.ifelse((mx == n - 1) & (x.day() > self.last.day), 1, 0)
            out = _clamp(mx, 0, n) + late
        elif self.kind == "daily":
            out = _clamp(x.delta(ibis.literal(self.dates[0], "date"), unit="day"), 0, n)
        else:
            out = _count([x > ibis.literal(d, "date") for d in self.dates])
        # GREATEST/LEAST skip nulls on both backends: test for null explicitly
        return ibis.ifelse(x.isnull(), n, out).cast("int64")

    def upto(self, x: ibis.Value) -> IntegerValue:
        """Reference dates on or before ``x`` (``n`` when ``x`` is null: an open end)."""
        n = self.n
        if self.kind == "monthly":
            m0 = self.dates[0].year * 12 + self.dates[0].month - 1
            mx = x.year() * 12 + x.month() - 1 - m0
            month_end_day = (x + ibis.interval(days=1)).day() == 1
            own = ibis.ifelse(mx == n - 1, x.day() >= self.last.day, month_end_day)
            out = _clamp(mx, 0, n) + ibis.ifelse((mx >= 0) & (mx < n) & own, 1, 0)
        elif self.kind == "daily":
            dx = x.delta(ibis.literal(self.dates[0], "date"), unit="day")
            out = _clamp(dx + 1, 0, n)
        else:
            out = _count([x >= ibis.literal(d, "date") for d in self.dates])
        return ibis.ifelse(x.isnull(), n, out).cast("int64")

    def month_index_bound(self, month_index: IntegerValue) -> IntegerValue:
        """Reference dates whose month (year × 12 + month − 1) is ≤ ``month_index``."""
        months = [d.year * 12 + d.month - 1 for d in self.dates]
        if self.kind == "monthly":
            out = _clamp(month_index - months[0] + 1, 0, self.n)
        else:
            out = _count([month_index >= m for m in months])
        return ibis.ifelse(month_index.isnull(), 0, out).cast("int64")


def span_bounds(
    cal: Calendar,
    start: ibis.Value | None,
    ends_inclusive: Sequence[ibis.Value] = (),
    ends_exclusive: Sequence[ibis.Value] = (),
) -> tuple[IntegerValue, IntegerValue]:
    """``(lo, hi)``: the first and last date index on which ``start ≤ d`` and every end
    holds (``end ≥ d`` for inclusive ends, ``end > d`` for exclusive ones; null = open)."""
    lo: IntegerValue = ibis.literal(0, "int64") if start is None else cal.before(start)
    bounds = [cal.upto(e) for e in ends_inclusive] + [cal.before(e) for e in ends_exclusive]
    if not bounds:
        return lo, ibis.literal(cal.n - 1, "int64")
    hi = bounds[0]
    for b in bounds[1:]:
        hi = ibis.least(hi, b)
    return lo, (hi - 1).cast("int64")


def span_mask(
    cal: Calendar,
    start: ibis.Value | None,
    ends_inclusive: Sequence[ibis.Value] = (),
    ends_exclusive: Sequence[ibis.Value] = (),
) -> IntegerValue:
    """The mask of dates on which ``start ≤ d`` and every end condition holds."""
    lo, hi = span_bounds(cal, start, ends_inclusive, ends_exclusive)
    return range_mask(lo, hi)


def bit(mask: IntegerValue, k: int) -> IntegerValue:
    return (mask >> k) & 1


def and_not(a: IntegerValue, b: IntegerValue, n: int) -> IntegerValue:
    """``a & ~b`` for masks of ``n`` bits (without bitwise NOT)."""
    return a & (b ^ ibis.literal(all_ones(n), "int64"))


def dates_table(dates: Sequence[date]) -> Table:
    """``date_index`` (bit position) and ``reference_date`` of each date."""
    return ibis.memtable(
        pa.table(
            {
                "date_index": pa.array(range(len(dates)), pa.int64()),
                "reference_date": pa.array(list(dates), pa.date32()),
            }
        )
    )


def mask_events(counts: Table, n: int, mask: str = "mask", count: str = "value") -> Table:
    """Rows ``(…, mask, value)`` → the changes of the count along the dates:
    ``(…, date_index, delta)``, ``+value`` where a run of set bits starts and ``−value`` on
    the date after it ends.  Summing the deltas up to each date gives the count on that date
    (see ``cumulate``); a mask with one run makes at most two rows instead of one per date.
    """
    ones = ibis.literal(all_ones(n), "int64")
    m = counts[mask]
    starts = m & ((m << 1) ^ ones)
    stops = ((m & ((m >> 1) ^ ones)) << 1) & ones
    t = counts.mutate(_up=starts, _down=stops)
    idx = ibis.memtable(pa.table({"_k": pa.array(range(n), pa.int64())}))
    crossed = t.cross_join(idx)
    up = (crossed._up >> crossed._k) & 1
    down = (crossed._down >> crossed._k) & 1
    hit = crossed.filter((up == 1) | (down == 1))
    others = [c for c in counts.columns if c not in (mask, count)]
    delta = hit[count] * (((hit._up >> hit._k) & 1) - ((hit._down >> hit._k) & 1))
    return hit.select(*others, date_index=hit._k, delta=delta.cast("int64"))


def cumulate(deltas: Table, keys: Sequence[str], n: int, values: Sequence[str]) -> Table:
    """Running sums of ``values`` over ``date_index`` for every key and every date: each key
    with a change gets all ``n`` dates (0 before its first change; dates without a change
    carry the previous total).

    One read of the deltas and one aggregation: each change is added to its own date and
    every later one (the deltas crossed with the ``n`` dates).  A grid of the keys' distinct
    values joined back to the deltas, summed over a window, read the deltas twice; Spark
    computed them twice and shuffled three times."""
    idx = ibis.memtable(pa.table({"_on": pa.array(range(n), pa.int64())}))
    d = deltas.rename(_changed="date_index")
    crossed = d.cross_join(idx)
    since = crossed._on >= crossed._changed
    summed = crossed.group_by([*keys, "_on"]).aggregate(
        **{v: int_sum(ibis.ifelse(since, crossed[v].fill_null(0), 0)) for v in values}
    )
    return summed.select(*keys, date_index=summed._on, **{v: summed[v] for v in values})
