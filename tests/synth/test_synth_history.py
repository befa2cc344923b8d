"""The synthetic past: baophu's coverage series follows the intended path at every month-end
of the last 36 months, on two provinces and two seeds, and the movement underneath is a
register's (gross inflow and outflow several times the net change).

The intended path is what the generator aimed for (``truth/coverage_path.parquet``); the
figures compared with it are the engine's (``coverage_at``, DuckDB), computed from the
imported files alone.  The flows are recounted here with pandas from the truth files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from truth_province import PROVINCE as TRUTH_PROVINCE
from truth_province import truth_province

AS_OF = dt.date(2026, 10, 31)
SCALE = 0.005
INDICATORS = ("bhyt_rate", "bhxh_rate", "bhtn_rate", "compulsory_rate", "voluntary_rate")
# two provinces, two seeds (the four pairs took a minute more, for no other code path)
CASES = [("Đồng Nai", 1), ("Gia Lai", 2)]


def month_ends(last: dt.date, n: int) -> list[dt.date]:
    """The ``n`` month-ends up to ``last``, oldest first (by hand, not the engine's)."""
    out = [last]
    while len(out) < n:
        first = out[-1].replace(day=1)
        out.append(first - dt.timedelta(days=1))
    return sorted(out)


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def province(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A small province generated, imported into DuckDB and its coverage computed at the
    36 month-ends (in two windows: the engine takes at most 30 dates at once).  Đồng Nai's
    is the engine tests' truth province (``truth_province``)."""
    from baophu.engine.coverage import coverage_at
    from baophu.ingest.importer import import_paths
    from baophu.synth.generator import generate
    from baophu.workspace import Workspace, init_workspace

    name, seed = request.param
    base = tmp_path_factory.mktemp(f"history-{seed}")
    if (name, SCALE, seed) == TRUTH_PROVINCE:
        built = truth_province(base / "ws")
        ws, folder = built["workspace"], built["dir"]
    else:
        folder = base / "province"
        generate(name, SCALE, seed, folder, as_of=AS_OF, claims=False)
        init_workspace(base / "ws")
        ws = Workspace.open(base / "ws")
        with ws.store() as store:
            # the register, enrolments, ledger …: not the school rosters, household lists
            # and sample forms (hundreds of workbooks), which coverage never reads
            files = sorted(p for p in (folder / "inputs").iterdir() if p.is_file())
            result = import_paths(store, files, ws.rejects_dir)
            assert result.committed, result.error
    dates = month_ends(AS_OF, 36)
    with ws.store() as store:
        rows = [
            coverage_at(store, window, levels=["province"]).to_pandas()
            for window in (dates[:18], dates[18:])
        ]
    path = pq.read_table(folder / "truth" / "coverage_path.parquet").to_pandas()
    return {"dir": folder, "coverage": pd.concat(rows), "path": path, "dates": dates}


def test_the_engine_follows_the_intended_path_within_one_point(province: Any) -> None:
    coverage = province["coverage"].set_index("reference_date")
    assert sorted(coverage.index) == province["dates"]
    path = province["path"]
    for indicator in INDICATORS:
        intended = path[path.indicator == indicator].set_index("reference_date").intended_rate
        got = coverage[indicator]
        gap = (got - intended.reindex(got.index)).abs()
        assert gap.notna().all(), indicator
        assert gap.max() <= 0.01, (indicator, gap.idxmax(), got[gap.idxmax()])


_CACHE: dict[Path, tuple[pd.DataFrame, pd.DataFrame]] = {}


def _truth(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    if folder not in _CACHE:
        spells = pq.read_table(folder / "truth" / "enrolments.parquet").to_pandas()
        spells["start"] = pd.to_datetime(spells.start_date)
        spells["end"] = pd.to_datetime(spells.end_date)
        persons = pq.read_table(folder / "truth" / "persons.parquet").to_pandas()
        for column, source in (
            ("death", "death_date"),
            ("moved_out", "moved_out_date"),
            ("moved_in", "moved_in_date"),
            ("birth", "birth_date"),
        ):
            persons[column] = pd.to_datetime(persons[source])
        _CACHE[folder] = (spells, persons)
    return _CACHE[folder]


NUMERATORS = {
    "bhyt": ("bhyt",),
    "bhxh": ("bhxh_compulsory", "bhxh_voluntary"),
    "bhtn": ("bhtn",),
    "bhxh_compulsory": ("bhxh_compulsory",),
    "bhxh_voluntary": ("bhxh_voluntary",),
}


def test_gross_inflow_and_outflow_are_three_times_the_net_change(province: Any) -> None:
    folder: Path = province["dir"]
    spells, _ = _truth(folder)
    code = spells.enrol_province_code.mode()[0]  # the province's own code holds most rows
    days = [pd.Timestamp(d) for d in month_ends(AS_OF, 37)]
    path = province["path"]
    for scheme, schemes in NUMERATORS.items():
        held = spells[spells.enrol_province_code == code]
        sets = []
        for day in days:
            s = held[
                held.scheme.isin(schemes)
                & (held.start <= day)
                & (held.end.isna() | (held.end >= day))
            ]
            sets.append(set(s.true_person_id) - _not_here(folder, day))
        recorded = path[path.scheme == scheme].set_index("reference_date")
        for before, after, day in zip(sets, sets[1:], days[1:], strict=False):
            inflow, outflow = len(after - before), len(before - after)
            net = len(after) - len(before)
            # the truth file says the same
            row = recorded.loc[day.date()]
            assert (row.true_count, row.inflow, row.outflow) == (len(after), inflow, outflow)
            assert inflow >= 3 * abs(net), (scheme, day, inflow, net)
            assert outflow >= 3 * abs(net), (scheme, day, outflow, net)


def _not_here(folder: Path, day: pd.Timestamp) -> set[str]:
    _, persons = _truth(folder)
    gone = persons.resident & (
        (persons.death <= day)
        | (persons.moved_out <= day)
        | (persons.moved_in > day)
        | (persons.birth > day)
    )
    return set(persons.person_id[gone])
