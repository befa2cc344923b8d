"""Targets end to end: allocate down a hierarchy, measure progress, run a campaign.

* ``run_allocation`` — split a target down ``province → office → commune → hamlet``, or an
  agent's among its collectors, or an office's among its case officers; writes
  ``targets_allocated`` (rows of other years, indicators and hierarchies are kept).
* ``run_progress`` — every target of a year (official, hand-set, allocated) against what
  is achieved on the reference date; writes ``achievement_by_unit`` and ``targets_phased``
  (monthly and weekly targets).
* ``run_campaign`` — day-by-day progress of a campaign (e.g. the 20 days from 4 December
  2025) against the straight path to the target; writes ``campaign_progress``.
* ``province_targets_summary`` — the province against its targets and the five lowest
  communes, for ``make demo``.

Targets set by hand come in as an Arrow table with the ``targets`` contract's columns
(kept in the operational database, ``operational/manual_targets.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from baophu.backends import Store
from baophu.engine.coverage import (
    MART_BY_UNIT,
    MART_SERIES,
    CoverageError,
    coverage_at,
    linked_enrolments,
    run_coverage,
)
from baophu.engine.targets.allocate import METHODS, allocate_capped
from baophu.engine.targets.model import (
    INDICATORS,
    TARGET_COLUMNS,
    achievements_long,
    allocation_children,
    campaign_path,
    effective_targets,
    field_stats,
    indicator,
    phase,
    progress,
    targets_in_people,
    unit_stats,
)
from baophu.engine.units import LEVELS, province_of

MART_ALLOCATED = "targets_allocated"
MART_ACHIEVEMENT = "achievement_by_unit"
MART_PHASED = "targets_phased"
MART_CAMPAIGN = "campaign_progress"
HIERARCHIES = ("units", "agents", "officers")
CAMPAIGN_START = dt.date(2025, 12, 4)
CAMPAIGN_DAYS = 20
ALLOCATED_SCHEMA = pa.schema(
    [
        ("year", pa.int64()),
        ("indicator", pa.string()),
        ("hierarchy", pa.string()),
        ("method", pa.string()),
        ("level", pa.string()),
        ("parent_code", pa.string()),
        ("unit_code", pa.string()),
        ("unit_name", pa.string()),
        ("achieved", pa.int64()),
        ("denominator", pa.int64()),
        ("weight", pa.float64()),
        ("parent_target", pa.int64()),
        ("quota", pa.float64()),
        ("target_people", pa.int64()),
        ("target_rate", pa.float64()),
        ("at_floor", pa.bool_()),
        ("parent_short", pa.bool_()),
        ("manual", pa.bool_()),
        ("allow_below_achieved", pa.bool_()),
    ]
)
# the targets set by hand (``operational/manual_targets.py`` keeps them)
MANUAL_SCHEMA = pa.schema(
    [
        ("year", pa.int64()),
        ("unit_code", pa.string()),
        ("indicator", pa.string()),
        ("target_value", pa.float64()),
        ("denominator", pa.int64()),
        ("source", pa.string()),
    ]
)


class TargetsError(Exception):
    """A target cannot be allocated or tracked (message in Vietnamese and English)."""


def coverage_now(
    store: Store,
    reference_date: dt.date | None = None,
    official_labour_force: pa.Table | None = None,
) -> tuple[Table, dt.date]:
    """``coverage_by_unit`` for ``reference_date`` (default: the one last computed, or the
    end of the latest ledger month), recomputing the coverage marts when they are missing,
    stale or for another date."""
    entry = store.mart_entry(MART_BY_UNIT)
    if entry is not None and store.mart_is_current(MART_BY_UNIT):
        day = entry.reference_day
        if reference_date is None or reference_date == day:
            return store.read_mart(MART_BY_UNIT), day
    summary = run_coverage(store, reference_date, official_labour_force=official_labour_force)
    return store.read_mart(MART_BY_UNIT), dt.date.fromisoformat(summary["reference_date"])


def _coverage_on(store: Store, day: dt.date) -> Table | None:
    """The ``coverage_series`` rows of ``day`` when the series holds it."""
    if not store.has_mart(MART_SERIES):
        return None
    series = store.read_mart(MART_SERIES)
    rows = series.filter(series.reference_date == ibis.literal(day, "date"))
    if int(rows.count().to_pyarrow().as_py()) == 0:
        return None
    return rows


def manual_table(manual: pa.Table | None) -> Table | None:
    if manual is None or manual.num_rows == 0:
        return None
    cols = {f.name: manual.column(f.name).cast(f.type) for f in MANUAL_SCHEMA}
    return ibis.memtable(pa.table(cols, schema=MANUAL_SCHEMA))


def _targets_for(store: Store, manual: pa.Table | None) -> Table:
    official = store.table("targets").select(*TARGET_COLUMNS)
    return effective_targets(official, manual_table(manual))


def _allocated(store: Store) -> pa.Table:
    if not store.has_mart(MART_ALLOCATED):
        return ALLOCATED_SCHEMA.empty_table()
    t = store.read_mart(MART_ALLOCATED).to_pyarrow()
    return t.select(ALLOCATED_SCHEMA.names).cast(ALLOCATED_SCHEMA)


def _target_people(
    store: Store, targets: Table, coverage: Table, year: int, name: str, unit: str
) -> tuple[int, float | None] | None:
    """A unit's own target in people (official or manual), else its allocated one."""
    stats = achievements_long(coverage, [name]).select("unit_code", "indicator", "denominator")
    sel = targets.filter(
        (targets.year == year) & (targets.indicator == name) & (targets.unit_code == unit)
    )
    rows = targets_in_people(sel, stats).to_pyarrow().to_pylist()
    if rows:
        return int(rows[0]["target_people"]), rows[0]["target_rate"]
    allocated = _allocated(store).to_pylist()
    for r in allocated:
        if (r["year"], r["indicator"], r["unit_code"]) == (year, name, unit):
            return int(r["target_people"]), r["target_rate"]
    return None


@dataclass(frozen=True)
class AllocationRequest:
    """What to allocate: a year's target of an indicator, from ``root`` down a hierarchy."""

    year: int
    name: str
    method: str
    hierarchy: str
    root: str
    allow_below_achieved: bool
    weights: Table | None  # the weights method's weights (unit_code, weight)


def run_allocation(
    store: Store,
    year: int | None,
    name: str,
    method: str = "uncovered",
    hierarchy: str = "units",
    root: str | None = None,
    to_level: str = "hamlet",
    allow_below_achieved: bool = False,
    weights: pa.Table | None = None,
    manual: pa.Table | None = None,
    reference_date: dt.date | None = None,
    write: bool = True,
) -> dict[str, Any]:
    """Allocate the target of ``root`` (default: the province; an agent or an office for
    the other hierarchies) for ``year`` (default: the reference date's) and indicator
    ``name`` down to ``to_level``.  The allocation replaces earlier ones of the same year,
    indicator and hierarchy below ``root`` only; ``write=False`` computes it without writing
    (the web application's preview before confirming)."""
    ind = indicator(name)
    check_allocation(method, hierarchy, weights)
    coverage, day = coverage_now(store, reference_date)
    request = AllocationRequest(
        year=year or day.year,
        name=name,
        method=method,
        hierarchy=hierarchy,
        root=root or province_of(store)[0],
        allow_below_achieved=allow_below_achieved,
        weights=ibis.memtable(weights) if weights is not None and weights.num_rows else None,
    )
    targets = _targets_for(store, manual)
    if hierarchy == "units":
        rows, root_target = allocate_units(store, request, coverage, targets, to_level)
    else:
        rows, root_target = allocate_field(store, request, coverage, targets, day)
    for r in rows:
        den = r.get("denominator") or 0
        r.update(
            year=request.year,
            indicator=name,
            hierarchy=hierarchy,
            method=method,
            allow_below_achieved=allow_below_achieved,
            target_rate=(r["target_people"] / den) if (ind.is_rate and den) else None,
        )
    if write:
        write_allocation(store, request, rows, day)
    return {
        "year": request.year,
        "indicator": name,
        "method": method,
        "hierarchy": hierarchy,
        "root": request.root,
        "root_target": root_target,
        "reference_date": day.isoformat(),
        "rows": rows,
        "short_parents": sorted({r["parent_code"] for r in rows if r["parent_short"]}),
    }


def check_allocation(method: str, hierarchy: str, weights: pa.Table | None) -> None:
    """A known method and hierarchy; the weights method needs weights."""
    if method not in METHODS:
        raise TargetsError(
            f"Phương pháp phân bổ không hợp lệ: {method} / unknown method {method!r} "
            f"({', '.join(METHODS)})"
        )
    if hierarchy not in HIERARCHIES:
        raise TargetsError(
            f"Hệ thống không hợp lệ: {hierarchy} / unknown hierarchy {hierarchy!r} "
            f"({', '.join(HIERARCHIES)})"
        )
    if method == "weights" and (weights is None or weights.num_rows == 0):
        raise TargetsError(
            "Phương pháp weights cần tệp trọng số (unit_code, weight) / "
            "the weights method needs a weights file (unit_code, weight)"
        )


def root_target_of(
    store: Store, request: AllocationRequest, targets: Table, coverage: Table
) -> int:
    """The root's target in people (its own, else allocated to it); an error without one."""
    found = _target_people(store, targets, coverage, request.year, request.name, request.root)
    if found is None:
        _no_target(request)
    return found[0]


def _no_target(request: AllocationRequest) -> NoReturn:
    name, year, root = request.name, request.year, request.root
    if request.hierarchy == "units":
        raise TargetsError(
            f"Chưa có chỉ tiêu {name} năm {year} cho đơn vị {root}; nhập chỉ tiêu hoặc "
            f"dùng 'baophu targets set' / no {name} target for {year} at {root}; import "
            "targets or use 'baophu targets set'"
        )
    raise TargetsError(
        f"Chưa có chỉ tiêu {name} năm {year} cho {root} / no {name} target for {year} "
        f"at {root} (baophu targets set --unit {root} ...)"
    )


def allocate_units(
    store: Store, request: AllocationRequest, coverage: Table, targets: Table, to_level: str
) -> tuple[list[dict[str, Any]], int]:
    """Down the units, level by level from ``root`` to ``to_level``: each level shares its
    parents' targets (units with a target of their own keep it).  Returns the rows and the
    root's target."""
    name = request.name
    last_year = (
        _last_year_stats(store, request.year, name) if request.method == "last_year" else None
    )
    own = _own_targets(targets, coverage, request.year, name)
    stats = unit_stats(coverage, name).to_pyarrow()
    levels = _levels_below(stats, request.root, to_level)
    root_target = root_target_of(store, request, targets, coverage)
    parents = {request.root: root_target}
    rows: list[dict[str, Any]] = []
    for level in levels:
        level_stats = stats.filter(
            pa.compute.and_(
                pa.compute.equal(stats.column("level"), level),
                pa.compute.is_in(stats.column("parent_code"), pa.array(list(parents))),
            )
        )
        if level_stats.num_rows == 0:
            break
        allocated = _allocate_level(
            level_stats,
            parents,
            request.method,
            request.allow_below_achieved,
            last_year,
            request.weights,
            own,
            capped=indicator(name).is_rate,
        )
        for r in allocated:
            r.update(level=level)
        rows += allocated
        parents = {r["unit_code"]: r["target_people"] for r in allocated}
    return rows, root_target


def allocate_field(
    store: Store, request: AllocationRequest, coverage: Table, targets: Table, day: dt.date
) -> tuple[list[dict[str, Any]], int]:
    """An agent's target among its collectors, or an office's among its case officers.
    Returns the rows and the root's target."""
    hierarchy, root = request.hierarchy, request.root
    fs = field_stats(
        linked_enrolments(store),
        store.table("collectors"),
        store.table("officers"),
        store.table("employers"),
        coverage,
        day,
        request.name,
    )
    fs = fs.filter(fs.hierarchy == hierarchy).to_pyarrow()
    root_target = root_target_of(store, request, targets, coverage)
    stats = fs.drop_columns(["hierarchy"]).append_column(
        "level", pa.array([_child_level(hierarchy)] * fs.num_rows, pa.string())
    )
    level_stats = stats.filter(pa.compute.equal(stats.column("parent_code"), root))
    if level_stats.num_rows == 0:
        raise TargetsError(
            f"{root} không có đơn vị cấp dưới / {root} has no "
            f"{'collectors' if hierarchy == 'agents' else 'case officers'}"
        )
    rows = _allocate_level(
        level_stats,
        {root: root_target},
        request.method,
        request.allow_below_achieved,
        None,
        request.weights,
        None,
    )
    for r in rows:
        r.update(level=_child_level(hierarchy))
    return rows, root_target


def write_allocation(
    store: Store, request: AllocationRequest, rows: list[dict[str, Any]], day: dt.date
) -> None:
    """``targets_allocated`` with the new rows, replacing only the earlier allocation of the
    same year, indicator and hierarchy below the root."""
    new = pa.Table.from_pylist(rows, schema=ALLOCATED_SCHEMA)
    keep = _kept_allocations(
        _allocated(store), request.year, request.name, request.hierarchy, request.root, rows
    )
    merged = pa.concat_tables([pa.Table.from_pylist(keep, schema=ALLOCATED_SCHEMA), new])
    store.write_mart(MART_ALLOCATED, ibis.memtable(merged), store.stamp(day))


def _kept_allocations(
    old: pa.Table, year: int, name: str, hierarchy: str, root: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The earlier allocations a new one from ``root`` leaves in place: everything except the
    same year, indicator and hierarchy below ``root`` (an office re-allocating its communes
    keeps the other offices' allocations and its own target from the province)."""
    old_rows = old.to_pylist()
    new_codes = {r["unit_code"] for r in rows}

    def same(r: dict[str, Any]) -> bool:
        return (r["year"], r["indicator"], r["hierarchy"]) == (year, name, hierarchy)

    parents = {r["unit_code"]: r["parent_code"] for r in old_rows if same(r)}

    def below_root(code: str | None) -> bool:
        seen: set[str] = set()
        while code is not None and code not in seen:
            if code == root:
                return True
            seen.add(code)
            code = parents.get(code)
        return False

    return [
        r
        for r in old_rows
        if not (same(r) and (r["unit_code"] in new_codes or below_root(r["parent_code"])))
    ]


def _child_level(hierarchy: str) -> str:
    return {"agents": "collector", "officers": "officer"}.get(hierarchy, "unit")


def _levels_below(stats: pa.Table, root: str, to_level: str) -> list[str]:
    codes = stats.column("unit_code").to_pylist()
    if root not in codes:
        raise TargetsError(f"Không có đơn vị {root} / unknown unit {root}")
    root_level = stats.column("level").to_pylist()[codes.index(root)]
    if to_level not in LEVELS:
        raise TargetsError(
            f"Cấp không hợp lệ: {to_level} / unknown level {to_level} ({', '.join(LEVELS)})"
        )
    start, stop = LEVELS.index(root_level) + 1, LEVELS.index(to_level) + 1
    return list(LEVELS[start:stop])


def _own_targets(targets: Table, coverage: Table, year: int, name: str) -> dict[str, int]:
    """Hand-set (and official) targets of units, by unit code, in people."""
    stats = achievements_long(coverage, [name]).select("unit_code", "indicator", "denominator")
    sel = targets.filter((targets.year == year) & (targets.indicator == name))
    rows = targets_in_people(sel, stats).to_pyarrow().to_pylist()
    return {r["unit_code"]: int(r["target_people"]) for r in rows}


def _allocate_level(
    level_stats: pa.Table,
    parents: dict[str, int],
    method: str,
    allow_below: bool,
    last_year: Table | None,
    weights: Table | None,
    own: dict[str, int] | None,
    capped: bool = False,
) -> list[dict[str, Any]]:
    """One level: children with a target of their own keep it; the others share the rest
    (with ``capped``, a rate indicator's: none above 100 % of its denominator)."""
    stats = ibis.memtable(level_stats)
    children = allocation_children(stats, method, allow_below, last_year, weights).to_pyarrow()
    if own:
        fixed = [own.get(code) for code in children.column("unit_code").to_pylist()]
        mask = pa.array([f is not None for f in fixed])
        value = pa.array([f if f is not None else 0 for f in fixed], pa.int64())
        children = children.set_column(
            children.schema.get_field_index("weight"),
            "weight",
            pa.compute.if_else(mask, 0.0, children.column("weight")),
        )
        for col in ("base", "floor"):
            idx = children.schema.get_field_index(col)
            children = children.set_column(
                idx, col, pa.compute.if_else(mask, value, children.column(col).cast(pa.int64()))
            )
        manual_flags = mask
    else:
        manual_flags = pa.array([False] * children.num_rows)
    children = children.append_column("manual", manual_flags)
    # no child is asked for more than 100 % of its denominator (or than it has achieved)
    caps = [
        None if manual or den is None or not capped else max(int(den), int(floor or 0))
        for manual, den, floor in zip(
            manual_flags.to_pylist(),
            children.column("denominator").to_pylist(),
            children.column("floor").to_pylist(),
            strict=True,
        )
    ]
    children = children.append_column("cap", pa.array(caps, pa.int64()))
    parents_t = pa.table(
        {"parent_code": list(parents), "target": pa.array(list(parents.values()), pa.int64())}
    )
    out = (
        allocate_capped(ibis.memtable(children), ibis.memtable(parents_t)).to_pyarrow().to_pylist()
    )
    for r in out:
        r["target_people"] = r.pop("allocated")
        r.pop("cap", None)
    return out


def _last_year_stats(store: Store, year: int, name: str) -> Table:
    """What each unit had achieved on 31 December of the year before ``year``."""
    day = dt.date(year - 1, 12, 31)
    rows = _coverage_on(store, day)
    if rows is None:
        table = coverage_at(store, [day])
        rows = ibis.memtable(table)
    s = unit_stats(rows, name)
    return s.select("unit_code", "achieved")


# --------------------------------------------------------------------------- progress


def _classify(store: Store, targets: Table) -> Table:
    """Targets with ``hierarchy``: units, agents or officers (by where the code is)."""
    units = store.table("units").select(_c="unit_code", _h=ibis.literal("units"))
    agents = store.table("agents").select(_c="agent_code", _h=ibis.literal("agents"))
    officers = store.table("officers").select(_c="officer_code", _h=ibis.literal("officers"))
    where = ibis.union(units, agents, officers, distinct=False)
    j = targets.left_join(where, targets.unit_code == where._c)
    return j.select(targets, hierarchy=j._h.fill_null("units"))


def run_progress(
    store: Store,
    year: int | None = None,
    reference_date: dt.date | None = None,
    manual: pa.Table | None = None,
    lowest: int = 5,
) -> dict[str, Any]:
    """Progress of every target of ``year`` (default: the reference date's year) on the
    reference date; writes ``achievement_by_unit`` and ``targets_phased``."""
    coverage, day = coverage_now(store, reference_date)
    year = year or day.year
    targets = _classify(store, _targets_for(store, manual))
    targets = targets.filter(targets.year == year)
    names = sorted({r["indicator"] for r in targets.select("indicator").to_pyarrow().to_pylist()})
    allocated = _allocated(store)
    alloc_rows = [r for r in allocated.to_pylist() if r["year"] == year]
    names = sorted(set(names) | {r["indicator"] for r in alloc_rows})
    if not names:
        raise TargetsError(
            f"Chưa có chỉ tiêu nào cho năm {year} / no targets for {year} "
            "(import targets or use 'baophu targets set')"
        )
    achieved = achievements_long(coverage, names)
    own = targets_in_people(targets, achieved.select("unit_code", "indicator", "denominator"))
    own = own.select(
        "year",
        "unit_code",
        "indicator",
        "hierarchy",
        "target_people",
        "target_rate",
        origin=own.origin,
    ).to_pyarrow()
    own_keys = {(r["hierarchy"], r["unit_code"], r["indicator"]) for r in own.to_pylist()}
    extra = [
        {
            "year": r["year"],
            "unit_code": r["unit_code"],
            "indicator": r["indicator"],
            "hierarchy": r["hierarchy"],
            "target_people": r["target_people"],
            "target_rate": r["target_rate"],
            "origin": f"allocated:{r['method']}",
        }
        for r in alloc_rows
        if (r["hierarchy"], r["unit_code"], r["indicator"]) not in own_keys
    ]
    all_targets = pa.concat_tables([own, pa.Table.from_pylist(extra, schema=own.schema)])
    field_h = {h for h in all_targets.column("hierarchy").to_pylist() if h != "units"}
    achieved_all = achieved
    start = None
    start_cov = _coverage_on(store, dt.date(year - 1, 12, 31))
    if start_cov is not None:
        start = achievements_long(start_cov, names).select(
            "hierarchy", "unit_code", "indicator", start_value="achieved"
        )
    if field_h:
        linked = linked_enrolments(store)
        parts = [achieved_all]
        for name in names:
            fs = field_stats(
                linked,
                store.table("collectors"),
                store.table("officers"),
                store.table("employers"),
                coverage,
                day,
                name,
            )
            parts.append(
                fs.select(
                    "hierarchy",
                    "unit_code",
                    "unit_name",
                    level=ibis.ifelse(fs.hierarchy == "agents", "collector", "officer"),
                    indicator=ibis.literal(name),
                    achieved=fs.achieved,
                    denominator=fs.denominator,
                )
            )
        achieved_all = ibis.union(*parts, distinct=False)
    rows = progress(ibis.memtable(all_targets), achieved_all, start, day, lowest)
    stamp_ = store.stamp(day)
    n = store.write_mart(MART_ACHIEVEMENT, rows, stamp_)
    mart = store.read_mart(MART_ACHIEVEMENT)
    phased = ibis.union(phase(mart, year, "month"), phase(mart, year, "week"), distinct=False)
    n_phased = store.write_mart(MART_PHASED, phased, stamp_)
    return {
        "year": year,
        "reference_date": day.isoformat(),
        "rows": n,
        "phased_rows": n_phased,
        "indicators": names,
    }


def progress_rows(
    store: Store,
    indicator_name: str | None = None,
    level: str | None = None,
    hierarchy: str | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``achievement_by_unit`` (best first), filtered."""
    t = store.read_mart(MART_ACHIEVEMENT)
    if indicator_name:
        t = t.filter(t.indicator == indicator_name)
    if level:
        t = t.filter(t.level == level)
    if hierarchy:
        t = t.filter(t.hierarchy == hierarchy)
    return t.order_by(["indicator", "level", "rank"]).to_pyarrow().to_pylist()


# --------------------------------------------------------------------------- campaign


def run_campaign(
    store: Store,
    start: dt.date = CAMPAIGN_START,
    days: int = CAMPAIGN_DAYS,
    names: Sequence[str] = ("bhyt_rate", "bhxh_rate", "bhtn_rate"),
    year: int | None = None,
    manual: pa.Table | None = None,
    target_values: dict[str, float] | None = None,
    levels: Sequence[str] = ("province", "commune"),
) -> dict[str, Any]:
    """Day-by-day progress of a campaign from ``start`` for ``days`` days, for each unit of
    ``levels`` that has a target (the province's applies to the province; allocated or
    hand-set ones to communes); ``target_values`` gives province targets where none is
    recorded (a rate as a fraction, or people).  Writes ``campaign_progress``."""
    if not 1 <= days <= 29:
        raise TargetsError("Chiến dịch từ 1 đến 29 ngày / a campaign lasts 1 to 29 days")
    year = year or (start + dt.timedelta(days=days - 1)).year
    eve = start - dt.timedelta(days=1)
    dates = [eve] + [start + dt.timedelta(days=i) for i in range(days)]
    table = coverage_at(store, dates, levels=list(levels))
    cov = ibis.memtable(table)
    code, _ = province_of(store)
    targets = _targets_for(store, manual).filter(lambda t: t.year == year)
    eve_cov = cov.filter(cov.reference_date == ibis.literal(eve, "date"))
    stats = achievements_long(eve_cov, list(names)).select("unit_code", "indicator", "denominator")
    people = targets_in_people(targets.filter(targets.indicator.isin(list(names))), stats)
    goal = {
        (r["unit_code"], r["indicator"]): int(r["target_people"])
        for r in people.to_pyarrow().to_pylist()
    }
    for r in _allocated(store).to_pylist():
        if r["year"] == year and r["indicator"] in names:
            goal.setdefault((r["unit_code"], r["indicator"]), int(r["target_people"]))
    eve_rows = {
        (r["unit_code"], r["indicator"]): r
        for r in achievements_long(eve_cov, list(names)).to_pyarrow().to_pylist()
    }
    for name, value in (target_values or {}).items():
        if (code, name) not in goal:
            den = eve_rows.get((code, name), {}).get("denominator") or 0
            goal[(code, name)] = (
                int(-(-value * den // 1)) if INDICATORS[name].is_rate else int(value)
            )
    missing = [n for n in names if (code, n) not in goal]
    parts = []
    for (unit, name), target in sorted(goal.items()):
        if (unit, name) not in eve_rows:
            continue
        rows = cov.filter(
            (cov.unit_code == unit) & (cov.reference_date > ibis.literal(eve, "date"))
        )
        ind = INDICATORS[name]
        daily = rows.select(
            "level",
            "unit_code",
            "unit_name",
            day=rows.reference_date,
            indicator=ibis.literal(name),
            achieved=rows[ind.numerator].cast("int64"),
            denominator=rows[ind.denominator].cast("int64"),
        )
        start_value = int(eve_rows[(unit, name)]["achieved"])
        parts.append(
            campaign_path(daily, start_value, target, start, days).mutate(
                target_people=ibis.literal(target, "int64"),
                start_value=ibis.literal(start_value, "int64"),
            )
        )
    if not parts:
        raise TargetsError(
            f"Không có chỉ tiêu năm {year} cho chiến dịch / no {year} targets for the campaign "
            f"({', '.join(names)}); dùng --target / use --target INDICATOR=VALUE"
        )
    out = ibis.union(*parts, distinct=False)
    n = store.write_mart(MART_CAMPAIGN, out, store.stamp(dates[-1]))
    return {
        "start": start.isoformat(),
        "days": days,
        "year": year,
        "rows": n,
        "missing_targets": missing,
    }


# ------------------------------------------------------------------------------ demo


def province_targets_summary(
    store: Store,
    year: int | None = None,
    reference_date: dt.date | None = None,
    manual: pa.Table | None = None,
    lowest: int = 5,
) -> dict[str, Any]:
    """The province against its targets of ``year`` (gap in people, pace per week and per
    day to 31 December) and the ``lowest`` communes by BHYT rate — what ``make demo``
    prints."""
    coverage, day = coverage_now(store, reference_date)
    year = year or day.year
    code, name = province_of(store)
    targets = _targets_for(store, manual)
    targets = targets.filter((targets.year == year) & (targets.unit_code == code))
    order = list(INDICATORS)
    names = sorted(
        {r["indicator"] for r in targets.select("indicator").to_pyarrow().to_pylist()},
        key=order.index,
    )
    indicators: list[dict[str, Any]] = []
    if names:
        achieved = achievements_long(coverage.filter(coverage.level == "province"), names)
        people = targets_in_people(
            targets.mutate(hierarchy=ibis.literal("units")),
            achieved.select("unit_code", "indicator", "denominator"),
        )
        rows = progress(people, achieved, None, day, lowest).to_pyarrow().to_pylist()
        for r in sorted(rows, key=lambda r: names.index(r["indicator"])):
            indicators.append(
                {
                    "indicator": r["indicator"],
                    "name_vi": INDICATORS[r["indicator"]].vi,
                    "target_value": r["target_value"],
                    "target_people": r["target_people"],
                    "target_rate": r["target_rate"],
                    "achieved": r["achieved"],
                    "achieved_rate": _achieved_rate(r),
                    "gap": r["gap"],
                    "needed_per_week": r["needed_per_week"],
                    "needed_per_day": r["needed_per_day"],
                    "days_left": r["days_left"],
                    "target_date": str(r["target_date"]),
                }
            )
    communes = coverage.filter(coverage.level == "commune")
    low = (
        communes.order_by([communes.bhyt_rate, communes.unit_code])
        .limit(lowest)
        .select("unit_code", "unit_name", "population", "bhyt_insured", "bhyt_rate")
        .to_pyarrow()
        .to_pylist()
    )
    return {
        "province_code": code,
        "province_name": name,
        "reference_date": day.isoformat(),
        "year": year,
        "indicators": indicators,
        "lowest_communes": low,
    }


def _achieved_rate(row: dict[str, Any]) -> float | None:
    """The achieved rate on the target's own base (the official denominator when given)."""
    den = row.get("target_denominator") or row.get("current_denominator")
    return row["achieved"] / den if den else None


__all__ = [
    "HIERARCHIES",
    "CoverageError",
    "TargetsError",
    "progress_rows",
    "province_targets_summary",
    "run_allocation",
    "run_campaign",
    "run_progress",
]
