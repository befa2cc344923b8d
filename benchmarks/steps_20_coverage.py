"""Benchmarks of issue 3: coverage for 24 month-ends at every level, and allocation.

Targets (scale 1.0 Đồng Nai, 2 cores): ``coverage_24`` (identity — the ``linked_spells``
mart —, per-person status on the 24 month-ends, every unit of every level, all coverage marts,
starting from the imported state) in under 30 s; at least 10× faster than a straightforward
pandas implementation of the same counts (``baophu_over_pandas`` ≤ 0.1) and within 5× of the
time DuckDB takes only to scan the columns the computation reads (``scan_ratio`` ≤ 5);
``allocate_hamlets`` (the province's BHYT target down to every hamlet) in under 5 s.  Both
run on the workspace ``steps_10_foundation`` built.

``coverage_24`` also reports the same run again once the imported state is linked
(``per_date_seconds``: what every later coverage run — another date, a campaign view, a
recomputation — costs) and its ratio to the scan (``per_date_scan_ratio``), and the identity
step alone (``identity_seconds``).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path
from typing import Any


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)


def _workspace(args: argparse.Namespace) -> Any:
    from baophu.workspace import Workspace

    return Workspace.open(Path(args.out) / "workspace")


def _drop_coverage_marts(store: Any) -> None:
    """Start from the imported state: coverage and identity marts computed again."""
    raw = getattr(store, "raw", None)
    if raw is not None and store.marts():
        raw.execute(
            "DELETE FROM _marts WHERE mart IN "
            "('enrolments_linked', 'linked_spells', 'unit_ancestors')"
        )


SCAN_COLUMNS = {
    "residents": ("person_id", "sex", "birth_date", "death_date", "hamlet_code", "si_code"),
    "enrolments": (
        "person_id",
        "si_code",
        "birth_date",
        "scheme",
        "participant_group",
        "payer",
        "employer_code",
        "start_date",
        "end_date",
        "enrol_province_code",
        "hamlet_code",
    ),
}
DATE_COLUMNS = {"birth_date", "death_date", "start_date", "end_date", "person_death_date"}
# what a coverage run reads once the imported state is linked (the linked_spells mart)
SCAN_COLUMNS_LINKED = {
    "residents": SCAN_COLUMNS["residents"],
    "mart_linked_spells": (
        "person_key",
        "link_status",
        "cls",
        "code",
        "employer_code",
        "start_date",
        "end_date",
        "person_death_date",
    ),
}
NUMBER_COLUMNS = {"person_key", "link_status", "cls", "code"}


def scan_seconds(store: Any, columns: dict[str, tuple[str, ...]] = SCAN_COLUMNS) -> float:
    """DuckDB reading every column the coverage reads, once, and nothing else."""
    total = 0.0
    for table, cols in columns.items():
        parts = [
            f"sum(year({c}))"
            if c in DATE_COLUMNS
            else f"sum({c})"
            if c in NUMBER_COLUMNS
            else f"sum(length({c}))"
            for c in cols
        ]
        sql = f"SELECT count(*), {', '.join(parts)} FROM {table}"
        started = time.perf_counter()
        store.raw.execute(sql).fetchall()
        total += time.perf_counter() - started
    return total


def pandas_coverage(store: Any, dates: list[Any]) -> tuple[float, dict[str, int]]:
    """What an analyst would write: load the tables, link by ID then legacy code, then for each
    month-end filter the spells in force and count distinct people per hamlet, commune,
    office and province; population and working-age population likewise."""
    import pandas as pd

    from baophu.rules import retirement_month_table

    started = time.perf_counter()
    con = store.raw
    residents = con.sql(
        "SELECT person_id, sex, birth_date, death_date, hamlet_code, si_code FROM residents"
    ).df()
    enrol = con.sql(
        "SELECT person_id, si_code, scheme, start_date, end_date, enrol_province_code "
        "FROM enrolments"
    ).df()
    units = con.sql("SELECT unit_code, level, parent_code FROM units").df()
    province = units.loc[units.level == "province", "unit_code"].iloc[0]
    parent = dict(zip(units.unit_code, units.parent_code, strict=True))
    hamlet_commune = {h: parent[h] for h in units.loc[units.level == "hamlet", "unit_code"]}
    commune_office = {c: parent[c] for c in units.loc[units.level == "commune", "unit_code"]}

    # link: personal ID, then the legacy code
    ids = set(residents.person_id)
    enrol["person_key"] = enrol.person_id.where(enrol.person_id.isin(ids))
    si = residents.dropna(subset=["si_code"]).drop_duplicates("si_code", keep=False)
    by_si = enrol.si_code.map(dict(zip(si.si_code, si.person_id, strict=True)))
    enrol["person_key"] = enrol.person_key.fillna(by_si)
    enrol = enrol.dropna(subset=["person_key"])
    enrol = enrol[enrol.enrol_province_code == province]
    info = residents.set_index("person_id")
    enrol["hamlet"] = enrol.person_key.map(info.hamlet_code)
    enrol["death"] = enrol.person_key.map(info.death_date)
    for col in ("start_date", "end_date", "death"):
        enrol[col] = pd.to_datetime(enrol[col])
    residents["birth_date"] = pd.to_datetime(residents.birth_date)
    residents["death_date"] = pd.to_datetime(residents.death_date)
    ret = pd.DataFrame(retirement_month_table(first_year=1900, last_year=2015))
    ret["ym"] = ret.birth_ym
    residents["ym"] = residents.birth_date.dt.strftime("%Y-%m")
    residents = residents.merge(ret[["sex", "ym", "reaches_ym"]], on=["sex", "ym"], how="left")

    rows = []
    for day in dates:
        d = pd.Timestamp(day)
        alive = residents[
            (residents.birth_date <= d) & (residents.death_date.isna() | (residents.death_date > d))
        ]
        age15 = alive.birth_date + pd.DateOffset(years=15)
        working = alive[(age15 <= d) & (alive.reaches_ym >= d.strftime("%Y-%m"))]
        counts = {
            "population": alive.groupby("hamlet_code").size(),
            "labour_force": working.groupby("hamlet_code").size(),
        }
        act = enrol[
            (enrol.start_date <= d)
            & (enrol.end_date.isna() | (enrol.end_date >= d))
            & (enrol.death.isna() | (enrol.death > d))
        ]
        for scheme in ("bhyt", "bhxh_compulsory", "bhxh_voluntary", "bhtn"):
            people = act[act.scheme == scheme].drop_duplicates("person_key")
            counts[scheme] = people.groupby(people.hamlet.fillna(province)).size()
        for name, per_hamlet in counts.items():
            frame = per_hamlet.rename("n").reset_index()
            frame.columns = ["hamlet", "n"]
            frame["commune"] = frame.hamlet.map(hamlet_commune)
            frame["office"] = frame.commune.map(commune_office)
            for level in ("hamlet", "commune", "office"):
                g = frame.groupby(level).n.sum()
                rows.append(pd.DataFrame({"unit": g.index, "n": g.values, "what": name, "d": day}))
            rows.append(
                pd.DataFrame({"unit": [province], "n": [frame.n.sum()], "what": name, "d": day})
            )
    result = pd.concat(rows)
    seconds = time.perf_counter() - started
    last = result[(result.unit == province) & (result.d == dates[-1])]
    figures = {str(w): int(n) for w, n in zip(last.what, last.n, strict=True)}
    return seconds, figures


def step_coverage_24(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.engine.coverage.run import default_reference_date, run_coverage
    from baophu.engine.dates import series_dates

    ws = _workspace(args)
    with ws.store() as store:
        _drop_coverage_marts(store)
        day = default_reference_date(store)
        started = time.perf_counter()
        summary = run_coverage(store, day)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = run_coverage(store, day)
        per_date = time.perf_counter() - started
        scan = min(scan_seconds(store) for _ in range(3))
        scan_linked = min(scan_seconds(store, SCAN_COLUMNS_LINKED) for _ in range(3))
        pandas_seconds, pandas_figures = pandas_coverage(store, series_dates(day, 24))
    province = summary["province"]
    matches = (
        pandas_figures.get("population") == province["population"]
        and pandas_figures.get("bhxh_voluntary") == province["voluntary_participants"]
    )
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "reference_date": summary["reference_date"],
        "timings": summary["timings_s"],
        "identity_seconds": summary["timings_s"]["identity"],
        "per_date_seconds": round(per_date, 2),
        "per_date_timings": again["timings_s"],
        "scan_seconds": round(scan, 3),
        "scan_ratio": round(seconds / scan, 2),
        "per_date_scan_ratio": round(per_date / scan, 2),
        "scan_seconds_linked": round(scan_linked, 3),
        "per_date_over_linked_scan": round(per_date / scan_linked, 2),
        "pandas_seconds": round(pandas_seconds, 2),
        "pandas_ratio": round(pandas_seconds / seconds, 2),
        "baophu_over_pandas": round(seconds / pandas_seconds, 4),
        "pandas_matches": matches,
        "population": province["population"],
        "bhyt_rate": round(province["bhyt_rate"], 4),
    }


def step_allocate_hamlets(args: argparse.Namespace) -> dict[str, Any]:
    from baophu.engine.coverage.run import MART_BY_UNIT, run_coverage
    from baophu.engine.targets.run import run_allocation

    ws = _workspace(args)
    with ws.store() as store:
        if not store.mart_is_current(MART_BY_UNIT):
            run_coverage(store)
        started = time.perf_counter()
        result = run_allocation(store, None, "bhyt_rate", "uncovered")
        seconds = time.perf_counter() - started
    hamlets = sum(1 for r in result["rows"] if r["level"] == "hamlet")
    return {
        "seconds": seconds,
        "peak_gib": peak_gib(),
        "hamlets": hamlets,
        "root_target": result["root_target"],
    }


STEPS = {"coverage_24": step_coverage_24, "allocate_hamlets": step_allocate_hamlets}
TARGETS = {
    "coverage_24": {"seconds": 30.0, "scan_ratio": 5.0, "baophu_over_pandas": 0.1},
    "allocate_hamlets": {"seconds": 5.0},
}
