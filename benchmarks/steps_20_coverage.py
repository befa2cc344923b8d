"""Benchmarks of issue 3: coverage for 24 month-ends at every level, and allocation.

Targets (scale 1.0 Đồng Nai, 2 cores): ``coverage_24`` (identity — the ``linked_spells``
mart —, per-person status on the 24 month-ends, every unit of every level, all coverage marts,
starting from the imported state) in under 30 s; at least 10× faster than a straightforward
pandas implementation of the same counts (``baophu_over_pandas`` ≤ 0.1) and within 5× of the
time DuckDB takes only to scan the columns the computation reads (``scan_ratio`` ≤ 5);
``allocate_hamlets`` (the province's BHYT target down to every hamlet) in under 5 s.  Both
run on the workspace ``steps_10_foundation`` built.

Issue 15's yardstick: a later run (``per_date_seconds``) costs at most half of the same
counts written by hand as DuckDB SQL from scratch (``sql_coverage``; ``per_date_over_sql`` ≤
0.5); ``sql_figures`` and ``engine_figures`` put the province's counts on the last date side
by side (population and labour force agree exactly; the insured differ by what plain SQL
cannot do, the remainder's probabilistic linkage and someone else's ID).

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


def sql_coverage(
    store: Any, dates: list[Any], per_date: bool = False
) -> tuple[float, dict[str, int]]:
    """The coverage counts written by hand as DuckDB SQL from scratch (issue 15's
    yardstick), with the engine's definitions of docs/indicators.md as far as plain SQL
    goes: link by personal ID, then by a legacy code that names one resident; population
    (born, moved in, not dead, not moved out on D) and its working-age part; for each scheme,
    distinct people with a spell held by the province in force on D — residents while they
    live here, in their hamlet; people of a well-formed ID not in the register at the
    province level — summed up to commune, office and province.  One statement for every
    date at once, or (``per_date``) the same statement once per date, the way an analyst
    would run it month after month (the range join of every spell with every date is what
    costs).  What it leaves out: the probabilistic linkage of the remainder (a few rows)."""
    import pyarrow as pa

    from baophu.rules import retirement_month_table

    con = store.raw
    started = time.perf_counter()
    con.register("_bench_dates", pa.table({"d": pa.array(list(dates), pa.date32())}))
    con.register(
        "_bench_retirement",
        pa.Table.from_pylist(retirement_month_table(first_year=1900, last_year=2015)),
    )
    sql = """
    WITH province AS (SELECT unit_code AS code FROM units WHERE level = 'province'),
    si AS (
        SELECT si_code, any_value(person_id) AS person_id FROM residents
        WHERE si_code IS NOT NULL GROUP BY si_code HAVING count(*) = 1
    ),
    spells AS (
        SELECT coalesce(r.person_id, si.person_id) AS resident,
               CASE WHEN regexp_full_match(e.person_id, '[0-9]{12}') THEN e.person_id END
                   AS other,
               e.scheme, e.start_date, e.end_date
        FROM enrolments e
        LEFT JOIN residents r ON r.person_id = e.person_id
        LEFT JOIN si ON si.si_code = e.si_code
        WHERE e.enrol_province_code = (SELECT code FROM province)
          AND e.scheme IN ('bhyt', 'bhxh_compulsory', 'bhxh_voluntary', 'bhtn')
    ),
    living AS (
        SELECT d.d, r.person_id, r.sex, r.birth_date, r.hamlet_code
        FROM residents r JOIN _bench_dates d
          ON r.birth_date <= d.d AND (r.moved_in_date IS NULL OR r.moved_in_date <= d.d)
         AND (r.death_date IS NULL OR r.death_date > d.d)
         AND (r.moved_out_date IS NULL OR r.moved_out_date > d.d)
    ),
    insured AS (
        SELECT DISTINCT d.d, s.scheme, s.resident, CASE WHEN s.resident IS NULL THEN s.other END
               AS other
        FROM spells s JOIN _bench_dates d
          ON s.start_date <= d.d AND (s.end_date IS NULL OR s.end_date >= d.d)
        WHERE s.resident IS NOT NULL OR s.other IS NOT NULL
    ),
    per_hamlet AS (
        SELECT i.d, i.scheme AS what, l.hamlet_code AS hamlet, count(*) AS n
        FROM insured i JOIN living l ON l.person_id = i.resident AND l.d = i.d
        GROUP BY ALL
        UNION ALL
        SELECT d, scheme, (SELECT code FROM province), count(*) FROM insured
        WHERE other IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT d, 'population', hamlet_code, count(*) FROM living GROUP BY ALL
        UNION ALL
        SELECT l.d, 'labour_force', l.hamlet_code, count(*)
        FROM living l
        JOIN _bench_retirement t
          ON t.sex = l.sex AND t.birth_ym = strftime(l.birth_date, '%Y-%m')
        WHERE l.birth_date + INTERVAL 15 YEAR <= l.d AND t.reaches_ym >= strftime(l.d, '%Y-%m')
        GROUP BY ALL
    ),
    placed AS (
        SELECT p.d, p.what, p.n, p.hamlet, c.unit_code AS commune, c.parent_code AS office
        FROM per_hamlet p
        LEFT JOIN units h ON h.unit_code = p.hamlet AND h.level = 'hamlet'
        LEFT JOIN units c ON c.unit_code = h.parent_code AND c.level = 'commune'
    )
    SELECT d, what, 'hamlet' AS level, hamlet AS unit, sum(n) AS n FROM placed
    WHERE commune IS NOT NULL GROUP BY ALL
    UNION ALL SELECT d, what, 'commune', commune, sum(n) FROM placed
    WHERE commune IS NOT NULL GROUP BY ALL
    UNION ALL SELECT d, what, 'office', office, sum(n) FROM placed
    WHERE office IS NOT NULL GROUP BY ALL
    UNION ALL SELECT d, what, 'province', (SELECT code FROM province), sum(n) FROM placed
    GROUP BY ALL
    """
    if per_date:
        rows = []
        for day in dates:
            con.unregister("_bench_dates")
            con.register("_bench_dates", pa.table({"d": pa.array([day], pa.date32())}))
            rows += con.execute(sql).fetchall()
    else:
        rows = con.execute(sql).fetchall()
    seconds = time.perf_counter() - started
    con.unregister("_bench_dates")
    con.unregister("_bench_retirement")
    last = max(dates)
    figures = {
        str(what): int(n) for d, what, level, _, n in rows if level == "province" and d == last
    }
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
        # the faster of the two ways to run it at scale 1.0 (165 s against 186 s at once)
        sql_seconds, sql_figures = sql_coverage(store, series_dates(day, 24), per_date=True)
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
        "sql_seconds": round(sql_seconds, 2),
        "per_date_over_sql": round(per_date / sql_seconds, 2),
        "sql_figures": sql_figures,
        "engine_figures": {
            "population": province["population"],
            "labour_force": province["labour_force_register"],
            "bhyt": province["bhyt_insured"],
            "bhxh_compulsory": province["compulsory_participants"],
            "bhxh_voluntary": province["voluntary_participants"],
            "bhtn": province["bhtn_participants"],
        },
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
    "coverage_24": {
        "seconds": 30.0,
        "scan_ratio": 5.0,
        "baophu_over_pandas": 0.1,
        "per_date_over_sql": 0.5,
    },
    "allocate_hamlets": {"seconds": 5.0},
}
