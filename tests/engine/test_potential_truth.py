"""Every reason of the potential lists against the synthetic province's ground truth.

The generator plants every kind (lapses, due cards and contributions, lost subsidies of all
three kinds, the new budget-paid groups, pupils without a card …) and writes what it planted
to ``truth/potential.parquet``.  ``potential_expected`` recounts each list with pandas from
the truth files, independently of the engine: once with every row's true identity (which must
give exactly the planted truth) and once with only what the identity rules can see (which
must give exactly the engine's lists).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from potential_expected import D, expected, truth_lists

from baophu.contracts.vocabularies import PRIORITY, REASONS
from truth_province import truth_province


@pytest.fixture(scope="session")
def lists_province(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The truth province (``truth_province``: a tiny Đồng Nai with every
    input imported, rosters, household lists and benefit lists included, and the lists
    computed for 31/10/2026), its own copy."""
    built = truth_province(tmp_path_factory.mktemp("lists") / "ws")
    return {**built, "summary": built["lists_summary"]}


def _mart(ws: Any) -> Any:

    with ws.store() as store:
        return store.read_mart("potential_list").to_pyarrow().to_pandas()


def _keys(frame: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for reason, g in frame.groupby("reason"):
        out[str(reason)] = set(g.row_key)
    return out


@pytest.fixture(scope="module")
def mart(lists_province: dict[str, Any]) -> Any:
    return _mart(lists_province["workspace"])


def test_generator_plants_every_reason(lists_province: dict[str, Any]) -> None:
    summary = json.loads((lists_province["dir"] / "truth" / "summary.json").read_text())
    planted = summary["potential"]
    assert set(planted) == set(REASONS)
    assert all(n > 0 for n in planted.values()), planted
    kinds = truth_lists(lists_province["dir"])
    assert set(kinds) == set(REASONS)


def test_planted_truth_recounted_independently(lists_province: dict[str, Any]) -> None:
    """The generator's truth file equals the pandas recount with true identities."""
    folder = lists_province["dir"]
    assert truth_lists(folder) == {
        r: keys for r, keys in expected(folder, observable=False).items() if keys
    }


@pytest.fixture(scope="module")
def recount(lists_province: dict[str, Any]) -> dict[str, set[str]]:
    """The lists recounted from the truth files with what the identity rules can see, once
    for every reason's test (a recount takes about a second and a half)."""
    return expected(lists_province["dir"], observable=True)


@pytest.mark.parametrize("reason", REASONS)
def test_engine_list_equals_recount(mart: Any, recount: dict[str, set[str]], reason: str) -> None:
    want = recount[reason]
    got = _keys(mart).get(reason, set())
    assert want, f"nothing planted for {reason}"
    assert got == want, (
        f"{reason}: {len(got - want)} unexpected, e.g. {sorted(got - want)[:3]}; "
        f"{len(want - got)} missing, e.g. {sorted(want - got)[:3]}"
    )


def test_engine_close_to_planted_truth(lists_province: dict[str, Any], mart: Any) -> None:
    """What the engine finds differs from the planted truth only through lost IDs: within a
    few per cent for every reason read from the register."""
    truth = truth_lists(lists_province["dir"])
    got = _keys(mart)
    for reason in ("due_bhyt", "lapsed_bhyt", "not_covered", "household_member", "voluntary_pool"):
        t, g = len(truth[reason]), len(got[reason])
        assert abs(g - t) <= max(3, 0.05 * t), (reason, g, t)


def test_rows_are_explained_in_vietnamese(mart: Any) -> None:
    assert mart.reason_vi.notna().all()
    assert (mart.reason_vi.str.len() > 20).all()
    for reason, g in mart.groupby("reason"):
        row = g.iloc[0]
        assert row.reason_label, reason
        # amounts in the text are written 1.263.600, dates dd/mm/yyyy
        assert (
            "đồng" in row.reason_vi
            or reason in ("new_state_group", "pupil_unidentified")
            or "NSNN đóng" in row.reason_vi
        ), row.reason_vi
    due = mart[mart.reason == "due_bhyt"].iloc[0]
    assert f"{due.event_date:%d/%m/%Y}" in due.reason_vi
    assert f"còn {int(due.days_left)} ngày" in due.reason_vi


def test_priorities_and_owners(mart: Any) -> None:
    for reason, g in mart.groupby("reason"):
        if reason == "lapsed_bhyt":
            assert set(g.priority) <= {1, 2}
            recent = g[g.days_left >= -90]
            assert (recent.priority == 1).all()
        else:
            assert set(g.priority) == {PRIORITY[str(reason)]}
    person_rows = mart[mart.person_key.notna()]
    assert person_rows.hamlet_code.notna().all()
    assert (person_rows.owner_type != "commune").mean() > 0.95
    coll = mart[mart.owner_type == "collector"]
    assert (coll.owner_code == coll.collector_code).all()
    unid = mart[mart.reason == "pupil_unidentified"]
    assert (unid.owner_type == "commune").all() and unid.commune_code.notna().all()
    officer = mart[mart.owner_type == "officer"]
    assert len(officer) > 0
    assert (officer.reason == "lapsed_bhyt").all() and (officer.last_payer == "employer").all()


def test_lapse_and_due_details(mart: Any) -> None:
    lapsed = mart[mart.reason == "lapsed_bhyt"]
    assert (lapsed.event_date >= dt.date(2026, 1, 1)).all()
    assert (lapsed.event_date < D).all()
    assert lapsed.last_payer.notna().all()
    due = mart[mart.reason.isin(["due_bhyt", "due_voluntary"])]
    assert ((due.days_left >= 0) & (due.days_left <= 30)).all()
    vol = mart[mart.reason.isin(["voluntary_pool", "due_voluntary", "lapsed_voluntary"])]
    assert (vol.amount_period == "month").all() and (vol.subsidy > 0).all()
    pool = mart[mart.reason == "voluntary_pool"]
    # 22 % of the 1,500,000 poverty line less the group's subsidy (Decree 159/2025)
    assert set(pool.amount) <= {330_000 - 165_000, 330_000 - 132_000, 330_000 - 99_000, 264_000}
    assert (pool.amount + pool.subsidy == 330_000).all()


def test_rerun_after_new_enrolments_drops_them(
    lists_province: dict[str, Any], tmp_path: Path
) -> None:
    """A new enrolments extract with cards for some listed people: running again removes
    them (on a copy of the workspace, so other tests keep theirs)."""
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from baophu.engine.potential.run import run_lists
    from baophu.ingest.importer import import_paths
    from baophu.workspace import Workspace

    src = lists_province["workspace"]
    before = _mart(src)
    chosen = before[before.reason == "not_covered"].head(5)
    root = tmp_path / "ws"
    shutil.copytree(src.root, root)
    ws = Workspace.open(root)
    original = pq.read_table(lists_province["dir"] / "inputs" / "enrolments.parquet")
    n = len(chosen)
    values = {
        "enrolment_id": [f"QTNEW{i:05d}" for i in range(n)],
        "person_id": list(chosen.person_id),
        "full_name": list(chosen.full_name),
        "sex": list(chosen.sex),
        "birth_date": list(chosen.birth_date),
        "scheme": ["bhyt"] * n,
        "participant_group": ["household"] * n,
        "payer": ["household"] * n,
        "start_date": [dt.date(2026, 10, 1)] * n,
        "end_date": [dt.date(2027, 9, 30)] * n,
        "enrol_province_code": ["75"] * n,
        "hamlet_code": list(chosen.hamlet_code),
    }
    new = pa.table(
        {f.name: pa.array(values.get(f.name, [None] * n), f.type) for f in original.schema}
    )
    path = tmp_path / "enrolments.parquet"
    pq.write_table(pa.concat_tables([original, new]), path)
    with ws.store() as store:
        result = import_paths(store, [path], ws.rejects_dir)
        assert result.committed, result.error
        run_lists(store, D)
    after = _mart(ws)
    for reason in ("not_covered", "household_member", "voluntary_pool"):
        still = set(after[after.reason == reason].person_id)
        if reason == "voluntary_pool":
            continue  # a BHYT card does not take anyone out of the voluntary-BHXH pool
        assert not (set(chosen.person_id) & still), reason
    assert len(after) < len(before)
