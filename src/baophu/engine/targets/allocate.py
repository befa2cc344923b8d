"""Splitting a parent's target among its children: whole people, summing exactly to the parent.

Every method is one rule: child ``i`` gets ``x_i = max(f_i, b_i + λ·w_i)`` with ``λ`` chosen so
that the ``x_i`` sum to the parent's target ``T`` — ``w_i`` the child's weight, ``b_i`` its base
and ``f_i`` its floor:

=========== ================================= ============================ ================
method      meaning                           weight ``w``                 base ``b``
=========== ================================= ============================ ================
uncovered   the increase goes where people    uncovered people             achieved
            are not yet covered
uplift      every child raises its rate by    denominator (population,     achieved
            the same points                   labour force, …)
last_year   shares of last year's result      achieved on 31 Dec last year 0
weights     custom weights (a CSV)            the given weight             0
=========== ================================= ============================ ================

The floor ``f_i`` is what the child has already achieved (a child never gets a target below
it), or 0 with ``allow_below_achieved``.  ``λ`` is found exactly by water-filling: children
sorted by the ``λ`` at which they leave their floor, running sums give the total at each
breakpoint, and the last breakpoint not above ``T`` fixes ``λ``.  When the children have
already achieved more than ``T`` in total, each keeps its achievement and ``parent_short``
says so (the sum then exceeds the parent).  Children whose weights are all zero share
equally.

The real quotas are then rounded by **largest remainder**: every child gets the whole part
of its quota, and the people left over go one each to the children with the largest
fractional parts; ties go to the larger quota, then to the smaller unit code (so 10 over
1 : 1 : 1 gives 4, 3, 3 with the 4 to the first code).
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.expr.types import Table

METHODS: tuple[str, ...] = ("uncovered", "uplift", "last_year", "weights")
METHOD_VI: dict[str, str] = {
    "uncovered": "Theo số người chưa tham gia",
    "uplift": "Tăng đều tỷ lệ",
    "last_year": "Theo kết quả năm trước",
    "weights": "Theo trọng số tự chọn",
}
EPSILON = 1e-9
FRACTION_DIGITS = 9


def allocate(children: Table, parents: Table) -> Table:
    """Allocate each parent's ``target`` among its children.

    ``children``: ``parent_code``, ``unit_code``, ``weight`` (≥ 0), ``base``, ``floor``
    (integers).  ``parents``: ``parent_code``, ``target`` (integer).  Returns the children
    columns plus ``parent_target``, ``quota`` (the real share), ``allocated`` (integer),
    ``at_floor`` (the floor bound the child) and ``parent_short`` (the floors alone exceed
    the parent's target).  Children of parents without a target are left out.
    """
    p = parents.select(_pc=parents.parent_code, _t=parents.target.cast("int64"))
    c = children.join(p, children.parent_code == p._pc)
    c = c.select(
        children,
        _t=p._t,
        _w=children.weight.cast("float64").fill_null(0.0),
        _b=children.base.cast("float64").fill_null(0.0),
        _f=children.floor.cast("float64").fill_null(0.0),
    ).view()
    # all-zero weights share equally
    wsum = c._w.sum().over(ibis.window(group_by="parent_code"))
    c = c.mutate(_w=ibis.ifelse(wsum > 0, c._w, 1.0)).view()
    pos = c._w > 0
    c = c.mutate(
        _pos=pos,
        _lam=ibis.ifelse(pos, (c._f - c._b) / c._w, ibis.null("float64")),
        _fixed=ibis.ifelse(pos, 0.0, ibis.greatest(c._f, c._b)),
    ).view()
    per_parent = ibis.window(group_by="parent_code")
    c = c.mutate(
        _cfix=c._fixed.sum().over(per_parent),
        _fpos=ibis.ifelse(c._pos, c._f, 0.0).sum().over(per_parent),
    ).view()
    running = ibis.cumulative_window(group_by="parent_code", order_by=["_lam", "unit_code"])
    sp = c.filter(c._pos).view()
    sp = sp.mutate(
        _cw=sp._w.sum().over(running),
        _cb=sp._b.sum().over(running),
        _cf=sp._f.sum().over(running),
        _order=ibis.row_number().over(running),
    ).view()
    sp = sp.mutate(_total=sp._lam * sp._cw + sp._cb + (sp._fpos - sp._cf) + sp._cfix).view()
    sp = sp.mutate(_lam_k=(sp._t - sp._cb - (sp._fpos - sp._cf) - sp._cfix) / sp._cw).view()
    ok = sp.filter(sp._total <= sp._t + EPSILON)
    # the last breakpoint whose total does not exceed the target fixes λ
    pick = ok.group_by(_lp=ok.parent_code).aggregate(_lam_star=ok._lam_k.argmax(ok._order))
    c = c.left_join(pick, c.parent_code == pick._lp).view()
    feasible = c._lam_star.notnull() | (c._fpos == 0)
    quota = ibis.cases(
        (~c._pos, c._fixed),
        (c._lam_star.isnull(), c._f),
        else_=ibis.greatest(c._f, c._b + c._lam_star * c._w),
    )
    c = c.mutate(_q=quota, _feasible=feasible).view()
    c = c.mutate(_fl=(c._q + EPSILON).floor().cast("int64")).view()
    c = c.mutate(
        _frac=(c._q - c._fl.cast("float64")).round(FRACTION_DIGITS),
        _rest=c._t - c._fl.sum().over(per_parent),
    ).view()
    order_up = ibis.window(
        group_by="parent_code", order_by=[ibis.desc("_frac"), ibis.desc("_q"), "unit_code"]
    )
    c = c.mutate(_up=ibis.row_number().over(order_up))
    # Σ floor(quota) ≤ target (the quotas sum to the target), so the rest is never negative
    plus = ibis.ifelse(c._feasible & (c._rest > 0) & (c._up < c._rest), 1, 0)
    allocated = c._fl + plus
    return c.select(
        *children.columns,
        parent_target=c._t,
        quota=c._q.round(6),
        allocated=allocated.cast("int64"),
        at_floor=(c._pos & c._lam_star.notnull() & (c._b + c._lam_star * c._w <= c._f))
        | ~c._feasible,
        parent_short=~c._feasible,
    )


def allocate_capped(children: Table, parents: Table, cap: str = "cap") -> Table:
    """``allocate`` with each child's target at most its ``cap`` (a column of ``children``;
    null: no cap) — a hamlet is never asked for more than 100 % of its people.

    A child whose share would pass its cap is held at the cap and the rest of the parent's
    target is shared again among the others, until no child passes its cap (each round holds
    at least one more child, so it ends).  Children of zero weight beside children of
    positive weight keep ``max(floor, base)`` as in ``allocate``.  When the children cannot
    take the whole target within their caps, each gets its cap, the difference stays
    unallocated and ``parent_short`` says so.  Returns ``allocate``'s columns."""
    import pyarrow as pa

    rows = children.to_pyarrow().to_pylist()
    targets = {r["parent_code"]: int(r["target"]) for r in parents.to_pyarrow().to_pylist()}
    rows = [r for r in rows if r["parent_code"] in targets]
    if not rows:
        return allocate(children, parents)
    positive = {r["parent_code"] for r in rows if (r["weight"] or 0) > 0}
    held: dict[str, int] = {
        str(r["unit_code"]): int(max(r["floor"] or 0, r["base"] or 0))
        for r in rows
        if r["parent_code"] in positive and not (r["weight"] or 0) > 0
    }
    out: list[dict[str, Any]] = []
    for _ in range(len(rows) + 1):
        free = [r for r in rows if r["unit_code"] not in held]
        rest = dict(targets)
        for r in rows:
            if r["unit_code"] in held:
                rest[r["parent_code"]] -= held[r["unit_code"]]
        out = []
        if free:
            free_t = pa.Table.from_pylist(free, schema=children.schema().to_pyarrow())
            parents_t = pa.table(
                {
                    "parent_code": list(rest),
                    "target": pa.array([max(v, 0) for v in rest.values()], pa.int64()),
                }
            )
            out = allocate(ibis.memtable(free_t), ibis.memtable(parents_t)).to_pyarrow().to_pylist()
        over = [r for r in out if r[cap] is not None and r["allocated"] > max(int(r[cap]), 0)]
        if not over:
            break
        for r in over:
            held[str(r["unit_code"])] = max(int(r[cap]), 0)
    for r in rows:
        if r["unit_code"] in held:
            value = held[str(r["unit_code"])]
            out.append(
                {
                    **r,
                    "parent_target": targets[r["parent_code"]],
                    "quota": float(value),
                    "allocated": value,
                    "at_floor": False,
                    "parent_short": False,
                }
            )
    totals: dict[str, int] = {}
    for r in out:
        totals[r["parent_code"]] = totals.get(r["parent_code"], 0) + int(r["allocated"])
    for r in out:
        if totals[r["parent_code"]] != targets[r["parent_code"]]:
            r["parent_short"] = True
    order = {r["unit_code"]: i for i, r in enumerate(rows)}
    out.sort(key=lambda r: order.get(r["unit_code"], 0))
    return ibis.memtable(pa.Table.from_pylist(out))
