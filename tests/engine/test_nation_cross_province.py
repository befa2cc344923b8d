"""People across provinces (``engine.nation.cross_province``) against the synthetic nation's
ground truth (``truth/cross_province.parquet``), every row: three linked provinces (Đồng Nai
75, Hồ Chí Minh 79, Tây Ninh 80), each imported (register, units, enrolments) and linked on
its own; the residents working in another province are found there exactly when the truth
pairs them, with the employer and schemes the truth gives, and the work provinces'
commuters no resident was left for are of unknown residence.  The national totals that count
a commuter once are tested on hand-made provinces (``test_nation_ranking``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from baophu.backends import Store
from baophu.engine.nation.cross_province import by_province, cross_province, pair_counts
from baophu.engine.pipeline import Inputs, run_pipeline
from baophu.ingest.importer import import_paths
from baophu.workspace import Workspace, init_workspace
from nation_three import three_provinces

# Three provinces generated, imported and linked (about 30 s): left out of make test-fast.
pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 10, 31)
CODES = ("75", "79", "80")


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Store]]]:
    root = tmp_path_factory.mktemp("cross")
    source = three_provinces()  # generated as of AS_OF, the generator's default
    with ExitStack() as stack:
        stores: dict[str, Store] = {}
        for code in CODES:
            inputs = source / "provinces" / code / "inputs"
            # the province's own files (register, units, enrolments, ledger …); its school
            # rosters, household lists and sample forms (about 200 workbooks) are left out:
            # the identity step reads none of them
            files = sorted(p for p in inputs.iterdir() if p.is_file())
            init_workspace(root / "ws" / code)
            store = stack.enter_context(Workspace.open(root / "ws" / code).store())
            assert import_paths(store, files, root / "rejects").committed
            run_pipeline(store, Inputs(), until="identity")
            stores[code] = store
        yield source, stores


def _expected(source: Path) -> dict[tuple[str | None, str, str], dict]:  # type: ignore[type-arg]
    """The mart's rows as the truth gives them: a resident active on the day in a work
    province is found there when paired (the commuter is active too), else not found; a
    work province's non-resident no resident was paired with, active, has no known home."""
    out = {}
    for t in pq.read_table(source / "truth" / "cross_province.parquet").to_pylist():
        if t["home_side"] and t["home_active"]:
            found = t["paired"] and t["work_active"]
            out[(t["home_province_code"], t["work_province_code"], t["person_id"])] = {
                "status": "found" if found else "not_found",
                "si_code": t["si_code"],
                "home_schemes": t["home_schemes"],
                "work_schemes": t["work_schemes"] if found else None,
                "employer_code": t["employer_code"] if found else None,
            }
        elif not t["paired"] and t["work_side"] and t["work_active"]:
            out[(None, t["work_province_code"], t["person_id"])] = {
                "status": "residence_unknown",
                "si_code": None,  # no register names them: the mart knows their ID only
                "home_schemes": None,
                "work_schemes": t["work_schemes"],
                "employer_code": t["employer_code"],
            }
    return out


def test_every_row_as_the_truth_says(nation: tuple[Path, dict[str, Store]]) -> None:
    source, stores = nation
    result = cross_province(stores, AS_OF)
    assert result is not None
    rows = result[0].to_pyarrow().to_pylist()
    got = {
        (r["home_province_code"], r["work_province_code"], r["person_id"]): {
            k: r[k] for k in ("status", "si_code", "home_schemes", "work_schemes", "employer_code")
        }
        for r in rows
    }
    assert len(got) == len(rows)  # each person once per (home, work) pair
    expected = _expected(source)
    assert {k: v["status"] for k, v in got.items()} == {k: v["status"] for k, v in expected.items()}
    assert got == expected
    statuses = {v["status"] for v in expected.values()}
    assert {"found", "not_found", "residence_unknown"} <= statuses


def test_counts_by_pair_and_province(nation: tuple[Path, dict[str, Store]]) -> None:
    source, stores = nation
    result = cross_province(stores, AS_OF)
    assert result is not None
    pairs = pair_counts(result[0]).to_pyarrow().to_pylist()
    expected = _expected(source)
    for p in pairs:
        key = (p["home_province_code"], p["work_province_code"])
        for status in ("found", "not_found", "residence_unknown", "registered_in_home"):
            assert p[status] == sum(
                1 for (h, w, _), v in expected.items() if (h, w) == key and v["status"] == status
            )
    import ibis

    per = {
        r["province_code"]: r for r in by_province(ibis.memtable(pairs)).to_pyarrow().to_pylist()
    }
    for code in CODES:
        assert per[code]["residents_found"] == sum(
            1 for (h, _, _), v in expected.items() if h == code and v["status"] == "found"
        )
        assert per[code]["nonresidents_placed"] == sum(
            1 for (_, w, _), v in expected.items() if w == code and v["status"] == "found"
        )
        assert per[code]["nonresidents_unknown"] == sum(
            1
            for (_, w, _), v in expected.items()
            if w == code and v["status"] == "residence_unknown"
        )
