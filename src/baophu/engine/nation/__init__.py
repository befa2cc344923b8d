"""The nation over its provinces: a national workspace holds one workspace per province
(``provinces/<code>/``, each imported and computed on its own, on DuckDB or Spark) and reads
their marts through each province's store.

Entry point: ``run_nation(store, provinces, reference_date)`` writes to the national store
``nation_provinces`` (every province's counts, rates and arrears ratio, ranked, with the
nation as one more row: a person insured in another province counts once, as a resident of
their home province), ``nation_behind_targets`` (the provinces behind their monthly
targets, by how many people), ``nation_units`` (every unit of every province with its
figures, for drilling down from the nation to a hamlet: ``units``) and, when the provinces
hold their enrolments, the people across provinces (``cross_province``:
``nation_cross_province``, one row per person and (home, work) pair, and
``nation_cross_province_pairs``, their counts by pair).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from baophu.backends import Stamp, Store
from baophu.engine.nation.cross_province import (
    MART_PAIRS,
    MART_PEOPLE,
    STATUS_VI,
    STATUSES,
    by_province,
    cross_province,
    pair_counts,
)
from baophu.engine.nation.ranking import (
    NATION_CODE,
    RATE_VI,
    RATES,
    behind_targets,
    province_ranking,
    province_row,
)
from baophu.engine.nation.units import MART_UNITS, children, one_unit, unit_rows
from baophu.rules import get_rules

MART_PROVINCES = "nation_provinces"
MART_BEHIND = "nation_behind_targets"
MARTS = (MART_PROVINCES, MART_BEHIND, MART_UNITS, MART_PEOPLE, MART_PAIRS)
PROVINCE_MARTS = ("coverage_by_unit", "arrears_by_unit", "achievement_by_unit")


class NationError(ValueError):
    """The provinces cannot be put side by side (message in Vietnamese and English)."""


def run_nation(
    store: Store, provinces: Mapping[str, Store], reference_date: dt.date | None = None
) -> dict[str, Any]:
    """Rank the provinces of ``provinces`` (code → that province's store) and list those
    behind their targets; every province must have computed its marts for one reference
    date (``reference_date`` when given)."""
    if not provinces:
        raise NationError("Không có tỉnh nào / no province workspace")
    rows: list[pa.Table] = []
    behind: list[pa.Table] = []
    units: list[pa.Table] = []
    days: set[str] = set()
    states: list[str] = []
    for code, province in sorted(provinces.items()):
        missing = [m for m in PROVINCE_MARTS if not province.has_mart(m)]
        if missing:
            raise NationError(
                f"Tỉnh {code} chưa tính {', '.join(missing)} / province {code} has not "
                f"computed {', '.join(missing)}"
            )
        entry = province.mart_entry("coverage_by_unit")
        assert entry is not None
        days.add(entry.reference_date)
        states.append(f"{code}:{entry.state_id}")
        rows.append(
            province_row(
                province.read_mart("coverage_by_unit"), province.read_mart("arrears_by_unit")
            ).to_pyarrow()
        )
        behind.append(behind_targets(province.read_mart("achievement_by_unit")).to_pyarrow())
        units.append(
            unit_rows(
                code, province.read_mart("coverage_by_unit"), province.read_mart("arrears_by_unit")
            ).to_pyarrow()
        )
    wanted = {reference_date.isoformat()} if reference_date else days
    if len(days) != 1 or days != wanted:
        raise NationError(
            f"Các tỉnh tính cho những ngày khác nhau: {', '.join(sorted(days))} / provinces "
            f"computed for different reference dates"
        )
    day = days.pop()
    stamp = Stamp(
        state_id=hashlib.sha256("\n".join(states).encode()).hexdigest()[:16],
        reference_date=day,
        rule_version=get_rules().version,
    )
    ranked = province_ranking(ibis.memtable(pa.concat_tables(rows, promote_options="default")))
    n_rows = store.write_mart(MART_PROVINCES, ranked, stamp)
    late = pa.concat_tables(behind, promote_options="default")
    n_behind = store.write_mart(MART_BEHIND, ibis.memtable(late), stamp)
    every_unit = pa.concat_tables(units, promote_options="default")
    seen: dict[str, str] = {}
    for code, province_code in zip(
        every_unit.column("unit_code").to_pylist(),
        every_unit.column("province_code").to_pylist(),
        strict=True,
    ):
        if code in seen:
            raise NationError(
                f"Mã đơn vị {code} trùng giữa tỉnh {seen[code]} và tỉnh {province_code} / unit "
                f"code {code} appears in provinces {seen[code]} and {province_code}"
            )
        seen[code] = province_code
    n_units = store.write_mart(MART_UNITS, ibis.memtable(every_unit), stamp)
    marts = {MART_PROVINCES: n_rows, MART_BEHIND: n_behind, MART_UNITS: n_units}
    across = cross_province(provinces, dt.date.fromisoformat(day))
    if across is not None:
        people, _ = across
        marts[MART_PEOPLE] = store.write_mart(MART_PEOPLE, people, stamp)
        marts[MART_PAIRS] = store.write_mart(
            MART_PAIRS, pair_counts(store.read_mart(MART_PEOPLE)), stamp
        )
    return {"reference_date": day, "provinces": len(provinces), "marts": marts}


def read_ranking(store: Store) -> Table:
    """The provinces' ranking, the nation first and then by province code: a mart's rows
    come back in no fixed order, so every reader sorts through here."""
    t = store.read_mart(MART_PROVINCES)
    return t.order_by(ibis.desc(t.level == "nation"), t.unit_code)


def read_cross_pairs(store: Store) -> Table | None:
    """The people across provinces counted by (home, work) pair, ordered by the pair (the
    unknown home last); ``None`` when the national workspace has none."""
    if not store.has_mart(MART_PAIRS):
        return None
    t = store.read_mart(MART_PAIRS)
    return t.order_by(t.home_province_code.isnull(), t.home_province_code, t.work_province_code)


def read_cross_by_province(store: Store) -> Table | None:
    """The people across provinces counted per province (``cross_province.by_province``)."""
    if not store.has_mart(MART_PAIRS):
        return None
    return by_province(store.read_mart(MART_PAIRS))


def read_unit(store: Store, unit_code: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """A unit of ``nation_units`` (the nation itself for ``NATION_CODE``: its row is the
    ranking's) and the units directly under it, ordered by code; ``(None, [])`` when the
    national workspace has no such unit."""
    if not store.has_mart(MART_UNITS):
        return None, []
    units = store.read_mart(MART_UNITS)
    if unit_code == NATION_CODE:
        ranking = read_ranking(store).to_pyarrow().to_pylist()
        row = next((r for r in ranking if r["level"] == "nation"), None)
    else:
        found = one_unit(units, unit_code).to_pyarrow().to_pylist()
        row = found[0] if found else None
    if row is None:
        return None, []
    return row, children(units, unit_code).to_pyarrow().to_pylist()


def read_behind(store: Store) -> Table:
    """The provinces behind their targets, most people behind first."""
    t = store.read_mart(MART_BEHIND)
    return t.order_by(ibis.desc(t.behind_plan), t.unit_code, t.indicator)


__all__ = [
    "MARTS",
    "MART_BEHIND",
    "MART_PAIRS",
    "MART_PEOPLE",
    "MART_PROVINCES",
    "MART_UNITS",
    "NATION_CODE",
    "RATES",
    "RATE_VI",
    "STATUSES",
    "STATUS_VI",
    "NationError",
    "read_behind",
    "read_cross_by_province",
    "read_cross_pairs",
    "read_ranking",
    "read_unit",
    "run_nation",
]
