"""Coverage end to end: ``run_coverage(store, reference_date)`` writes the coverage marts.

Steps (each mart stamped with the import state, the reference date and the rule version):

1. ``unit_ancestors`` and ``linked_spells`` (identity: every enrolment linked to the register,
   ``identity.link_enrolments``, reduced to small codes and ordered by person) — recomputed
   only when the imported state or the rule version changed, so later runs for other dates
   skip the linking; ``write_linked=True`` also stores the full links as the
   ``enrolments_linked`` mart;
2. the person types (one row per group of people with the same unit and the same status on
   each of the 24 month-ends, as bitmasks, see ``coverage.masks``) and the workplace masks —
   temporary tables of the backend (``Table.cache``) for the steps below;
3. ``coverage_series`` — every unit × month-end: counts and rates;
4. ``coverage_by_unit`` — every unit on the reference date, with the trend of the last six
   month-ends and the year-end projection;
5. ``bhyt_by_group`` and ``identity_unlinked``.

``coverage_at(store, dates)`` gives the same wide table for any other list of dates (at
most 30: a campaign's days, a year-end) without touching the marts of the monthly series.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from baophu.backends import Store, TemporaryTables
from baophu.contracts.progress import Progress
from baophu.engine.coverage.indicators import (
    CoverageTables,
    bhyt_by_group,
    coverage_counts,
    coverage_table,
    person_coverage,
    person_types,
    unlinked_by_reason,
    workplace_counts,
    workplace_masks,
)
from baophu.engine.coverage.masks import Calendar
from baophu.engine.dates import default_reference_date, series_dates
from baophu.engine.identity import (
    LINK_COLUMNS,
    MART_ANCESTORS,
    accepted_links,
    ensure_ancestors,
    ensure_linked_spells,
    link_enrolments,
)
from baophu.engine.units import UnitsError, province_of

MART_LINKED = "enrolments_linked"
MART_SERIES = "coverage_series"
MART_BY_UNIT = "coverage_by_unit"
MART_GROUPS = "bhyt_by_group"
MART_UNLINKED = "identity_unlinked"
MARTS = (MART_SERIES, MART_BY_UNIT, MART_GROUPS, MART_UNLINKED)
SERIES_MONTHS = 24
TREND_POINTS = 6
# The indicators projected to the end of the year (counts; rates follow from them).
PROJECTED = (
    "population",
    "labour_force",
    "bhyt_insured",
    "bhxh_participants",
    "compulsory_participants",
    "voluntary_participants",
    "bhtn_participants",
)
LINKED_COLUMNS = (
    "enrolment_id",
    "person_id",
    "scheme",
    "participant_group",
    "payer",
    "employer_code",
    "start_date",
    "end_date",
    "enrol_province_code",
    "hamlet_code",
    "collector_code",
    *LINK_COLUMNS,
)


class CoverageError(UnitsError):
    """Coverage cannot be computed (message in Vietnamese and English)."""


def linked_enrolments(store: Store) -> Table:
    """The enrolments with their links to the register (``LINKED_COLUMNS``)."""
    linked = link_enrolments(
        store.table("enrolments"),
        store.table("residents"),
        store.table("units"),
        accepted_links(store),
    )
    return linked.select(*LINKED_COLUMNS)


def imported_labour_force(store: Store) -> pa.Table | None:
    """The official labour force imported into the ``labour_force`` table (``year``,
    ``unit_code``, ``labour_force``), or None when none was imported."""
    snaps = store.snapshots().to_pylist()
    if not any(
        s["table_name"] == "labour_force" and s["status"] == "current" and s["rows_imported"]
        for s in snaps
    ):
        return None
    t = store.table("labour_force")
    return t.select("year", "unit_code", "labour_force").to_pyarrow()


def coverage_tables(store: Store) -> CoverageTables:
    """The tables coverage reads besides the spells."""
    return CoverageTables(
        units=store.table("units"),
        ancestors=store.read_mart(MART_ANCESTORS),
        residents=store.table("residents"),
        employers=store.table("employers"),
        ledger=store.table("contribution_ledger"),
        tax_returns=store.table("tax_returns"),
        business_registry=store.table("business_registry"),
    )


def coverage_expr(
    tables: CoverageTables,
    persons: Table,
    workplace: Table,
    dates: Sequence[dt.date],
    province_code: str,
    official_labour_force: pa.Table | None = None,
) -> Table:
    """The wide coverage table for ``dates`` from the person and workplace masks."""
    counts = coverage_counts(persons, tables.ancestors, dates)
    work = workplace_counts(workplace, tables, dates, province_code)
    official = None
    if official_labour_force is not None and official_labour_force.num_rows:
        official = ibis.memtable(official_labour_force)
    return coverage_table(counts, work, tables.units, dates, official)


def _stages(
    store: Store, cache: TemporaryTables, codes: Table, dates: Sequence[dt.date], code: str
) -> tuple[CoverageTables, Table, Table]:
    """The person types (``person_types``, a temporary table: the series and the BHYT groups
    both read it) and the workplace masks for ``dates``, from the linked spells ``codes``."""
    tables = coverage_tables(store)
    persons = cache(
        person_types(person_coverage(codes, tables.residents, tables.employers, dates, code))
    )
    work = workplace_masks(codes, tables.employers, tables.ancestors, dates, code)
    return tables, persons, work


def coverage_at(
    store: Store,
    dates: Sequence[dt.date],
    official_labour_force: pa.Table | None = None,
    levels: Sequence[str] | None = None,
) -> pa.Table:
    """Coverage of every unit on each of ``dates`` (at most 30), as an Arrow table; only the
    ``unit_ancestors`` mart is written (when stale)."""
    cal = Calendar(dates)
    if official_labour_force is None:
        official_labour_force = imported_labour_force(store)
    ensure_ancestors(store, cal.last)
    code, _ = province_of(store)
    with store.temporary_tables() as cache:
        codes = ensure_linked_spells(store, cal.last)
        tables, persons, work = _stages(store, cache, codes, cal.dates, code)
        expr = coverage_expr(tables, persons, work, cal.dates, code, official_labour_force)
        if levels is not None:
            expr = expr.filter(expr.level.isin(list(levels)))
        return expr.to_pyarrow()


def projection(series: Table, n_dates: int, points: int = TREND_POINTS) -> Table:
    """Per unit: the least-squares slope per day of each ``PROJECTED`` count over the last
    ``points`` of the ``n_dates`` dates of ``series`` (``_slope_<name>``)."""
    s = series.filter(series.date_index >= n_dates - points)
    x = s.reference_date.delta(ibis.date(2000, 1, 1), unit="day").cast("float64")
    s = s.mutate(_x=x)
    aggs: dict[str, Any] = {
        "_n": s.count().cast("float64"),
        "_sx": s._x.sum(),
        "_sxx": (s._x * s._x).sum(),
    }
    for name in PROJECTED:
        y = s[name].cast("float64")
        aggs[f"_sy_{name}"] = y.sum()
        aggs[f"_sxy_{name}"] = (s._x * y).sum()
    g = s.group_by("unit_code").aggregate(**aggs)
    den = g._n * g._sxx - g._sx * g._sx
    slopes = {
        f"_slope_{name}": ibis.ifelse(
            den > 0, (g._n * g[f"_sxy_{name}"] - g._sx * g[f"_sy_{name}"]) / den, 0.0
        )
        for name in PROJECTED
    }
    return g.select(_u=g.unit_code, **slopes)


def by_unit_expr(series: Table, reference_date: dt.date, n_dates: int) -> Table:
    """``coverage_by_unit``: the series row of the reference date with, for each projected
    count, its trend per month (least squares over the last six month-ends) and its value
    projected to 31 December (rounded, never below 0)."""
    horizon = (dt.date(reference_date.year, 12, 31) - reference_date).days
    trend = projection(series, n_dates)
    now = series.filter(series.date_index == n_dates - 1)
    j = now.left_join(trend, now.unit_code == trend._u)
    cols: dict[str, Any] = {}
    for name in PROJECTED:
        slope = j[f"_slope_{name}"].fill_null(0.0)
        projected = (j[name].cast("float64") + slope * horizon).round().cast("int64")
        cols[f"{name}_trend_per_month"] = (slope * 30.4375).round(2)
        cols[f"{name}_projected"] = ibis.greatest(projected, 0)
    keep = [c for c in now.columns if c != "date_index"]
    out = j.select(*keep, **cols)
    return out.mutate(
        bhyt_rate_projected=_ratio(out.bhyt_insured_projected, out.population_projected),
        bhxh_rate_projected=_ratio(out.bhxh_participants_projected, out.labour_force_projected),
        bhtn_rate_projected=_ratio(out.bhtn_participants_projected, out.labour_force_projected),
    )


def _ratio(num: Any, den: Any) -> Any:
    return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def run_coverage(
    store: Store,
    reference_date: dt.date | None = None,
    months: int = SERIES_MONTHS,
    official_labour_force: pa.Table | None = None,
    progress: Progress | None = None,
    write_linked: bool = False,
) -> dict[str, Any]:
    """Compute and write every coverage mart for ``reference_date`` (default: the end of the
    latest ledger month).

    Returns ``province`` (its ``coverage_by_unit`` row), ``rows`` per mart and
    ``timings_s`` (the province against its targets is ``targets.province_targets_summary``).

    ``write_linked`` also stores every enrolment's link as the ``enrolments_linked`` mart.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    steps = ("identity", "persons", "series", "by_unit", "groups", "unlinked")

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        if progress is not None:
            progress(name, len(timings), len(steps))

    day = reference_date or default_reference_date(store)
    if official_labour_force is None:
        official_labour_force = imported_labour_force(store)
    code, name = province_of(store)
    dates = series_dates(day, months)
    stamp_ = store.stamp(day)
    rows: dict[str, int] = {}
    ensure_ancestors(store, day)
    with store.temporary_tables() as cache:
        if write_linked:
            rows[MART_LINKED] = store.write_mart(MART_LINKED, linked_enrolments(store), stamp_)
        codes = ensure_linked_spells(store, day)
        step("identity")
        tables, persons, work = _stages(store, cache, codes, dates, code)
        step("persons")
        series = coverage_expr(tables, persons, work, dates, code, official_labour_force)
        rows[MART_SERIES] = store.write_mart(MART_SERIES, series, stamp_)
        step("series")
        series_mart = store.read_mart(MART_SERIES)
        by_unit = by_unit_expr(series_mart, day, len(dates))
        rows[MART_BY_UNIT] = store.write_mart(MART_BY_UNIT, by_unit, stamp_)
        step("by_unit")
        groups = bhyt_by_group(persons, tables.ancestors, len(dates))
        rows[MART_GROUPS] = store.write_mart(MART_GROUPS, groups, stamp_)
        step("groups")
        rows[MART_UNLINKED] = store.write_mart(
            MART_UNLINKED, unlinked_by_reason(codes, day), stamp_
        )
        step("unlinked")
    province = (
        store.read_mart(MART_BY_UNIT)
        .filter(lambda t: t.level == "province")
        .to_pyarrow()
        .to_pylist()
    )
    return {
        "reference_date": day.isoformat(),
        "province_code": code,
        "province_name": name,
        "dates": [d.isoformat() for d in dates],
        "rows": rows,
        "timings_s": timings,
        "province": province[0] if province else {},
    }
