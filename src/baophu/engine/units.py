"""Hierarchy helpers over the one ``units`` table: ancestors, roll-ups, parent → child edges.

Every hierarchy in baophu is a table of units with a parent (province → grassroots office →
commune → hamlet; collection agent → collector; office → case officer), so a roll-up is
written once: facts are computed at whatever unit they belong to (usually the hamlet), joined
to the chain of that unit's ancestors (the unit itself included), and summed per ancestor.
A fact attached to a commune (an employer, a non-resident placed by workplace) therefore
counts in its commune, office and province but in no hamlet.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
from ibis.expr.types import Table

from baophu.backends import Store

LEVELS: tuple[str, ...] = ("province", "office", "commune", "hamlet")
LEVEL_VI: dict[str, str] = {
    "province": "Tỉnh",
    "office": "BHXH cơ sở",
    "commune": "Xã, phường",
    "hamlet": "Thôn, ấp, khu phố",
}
LEVEL_ORDER: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
MAX_DEPTH = 6


class UnitsError(ValueError):
    """The units table cannot serve a computation (message in Vietnamese and English)."""


def province_of(store: Store) -> tuple[str, str]:
    """``(unit_code, unit_name)`` of the province (the ``units`` row of level province)."""
    units = store.table("units")
    rows = (
        units.filter(units.level == "province")
        .select("unit_code", "unit_name")
        .order_by("unit_code")
        .to_pyarrow()
        .to_pylist()
    )
    if len(rows) != 1:
        raise UnitsError(
            f"Cần đúng một đơn vị cấp tỉnh trong danh mục đơn vị (có {len(rows)}) / "
            f"the units table needs exactly one province (found {len(rows)})"
        )
    return str(rows[0]["unit_code"]), str(rows[0]["unit_name"])


def ancestors(units: Table, max_depth: int = MAX_DEPTH) -> Table:
    """One row per unit and each of its ancestors, the unit itself included.

    Columns: ``unit_code``, ``ancestor_code``, ``ancestor_level``, ``ancestor_name``,
    ``distance`` (0 for the unit itself, 1 for its parent, …).  Cycles and chains deeper
    than ``max_depth`` are cut at ``max_depth``.
    """
    parents = units.select(child_code=units.unit_code, parent_code=units.parent_code).filter(
        lambda t: t.parent_code.notnull()
    )
    step = units.select(
        unit_code=units.unit_code,
        ancestor_code=units.unit_code,
        distance=ibis.literal(0, "int64"),
    )
    chain = [step]
    for _ in range(max_depth):
        up = parents.view()
        joined = step.join(up, step.ancestor_code == up.child_code)
        step = joined.select(
            unit_code=joined.unit_code,
            ancestor_code=joined.parent_code,
            distance=joined.distance + 1,
        )
        chain.append(step)
    every = ibis.union(*chain, distinct=False)
    v = units.view()
    info = v.select(a_code=v.unit_code, ancestor_level=v.level, ancestor_name=v.unit_name)
    out = every.join(info, every.ancestor_code == info.a_code)
    return out.select("unit_code", "ancestor_code", "ancestor_level", "ancestor_name", "distance")


def roll_up(
    facts: Table,
    chain: Table,
    values: Sequence[str],
    by: Sequence[str] = (),
    unit_column: str = "unit_code",
    levels: Sequence[str] = LEVELS,
) -> Table:
    """Sum ``values`` of ``facts`` over every ancestor of each fact's unit.

    ``chain`` is ``ancestors(units)`` (or the ``unit_ancestors`` mart).  Returns ``level``,
    ``unit_code``, ``unit_name``, the ``by`` columns and the summed ``values``, one row per
    unit of ``levels`` with at least one fact under it.  Facts whose unit is not in the
    chain are dropped by the join, so callers attach unplaceable facts to the province.
    """
    anc = chain.filter(chain.ancestor_level.isin(list(levels))).view()
    joined = facts.join(anc, facts[unit_column] == anc.unit_code)
    keys = {
        "level": joined.ancestor_level,
        "unit_code": joined.ancestor_code,
        "unit_name": joined.ancestor_name,
    }
    keys.update({name: joined[name] for name in by})
    aggs = {name: joined[name].sum().cast("decimal(38, 0)").cast("int64") for name in values}
    return joined.group_by(**keys).aggregate(**aggs)
