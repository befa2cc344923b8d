"""The identity step's remainder linkage against a held-out synthetic province's ground truth.

A small Tây Ninh (seed 2, scale 0.005) is generated, imported, its lists linked, and its
potential lists computed before and after the identity step.  The generator records every
enrolment row's true person and what noise it planted (``truth/enrolments.parquet``), and
what every potential list should hold (``truth/potential.parquet``); the expected figures are
read from those files with pandas, the engine's output is only read back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

D = dt.date(2026, 10, 31)
_BUILT: dict[str, Any] = {}


def _keys(store: Any) -> dict[str, set[str]]:
    frame = store.read_mart("potential_list").select("reason", "row_key").to_pyarrow().to_pandas()
    return {str(r): set(g.row_key) for r, g in frame.groupby("reason")}


def _truth_lists(folder: Path) -> dict[str, set[str]]:
    t = pq.read_table(folder / "truth" / "potential.parquet").to_pandas()
    out: dict[str, set[str]] = {}
    for reason, g in t.groupby("reason"):
        if reason == "pupil_unidentified":
            rl = pq.read_table(folder / "truth" / "roster_links.parquet").to_pandas()
            g = g.assign(row_no=g.row_no.astype("int64"))
            k = g.merge(rl, on=["school_code", "class_name", "row_no"], suffixes=("", "_r"))
            cols = [k.school_year, k.school_code, k.class_name, k.row_no.astype(str)]
            out[str(reason)] = set(
                "school_rosters:" + pd.concat(cols, axis=1).agg("|".join, axis=1)
            )
        else:
            out[str(reason)] = set(g.person_id)
    return out


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if "p" in _BUILT:
        return _BUILT["p"]
    from baophu.engine.identity import (
        MART_REMAINDER,
        accepted_links,
        link_enrolments,
        run_identity,
    )
    from baophu.engine.linkage import run_linkage
    from baophu.engine.potential import run_lists
    from baophu.ingest.importer import import_paths
    from baophu.synth.generator import generate
    from baophu.workspace import Workspace, init_workspace

    base = tmp_path_factory.mktemp("identity-truth")
    # no sample forms: none of the steps run here reads them
    generate("Tây Ninh", 0.005, 2, base / "province", claims=False, forms=False)
    init_workspace(base / "ws")
    ws = Workspace.open(base / "ws")
    with ws.store() as store:
        result = import_paths(store, [base / "province" / "inputs"], ws.rejects_dir)
        assert result.committed, result.error
        run_linkage(store)
        run_lists(store, D)
        before = _keys(store)
        run_identity(store, D)
        run_lists(store, D)
        after = _keys(store)
        e = store.table("enrolments")
        pre = e.select("enrolment_id", "person_id", "si_code", "birth_date", "hamlet_code")
        linked = link_enrolments(
            pre, store.table("residents"), store.table("units"), accepted_links(store)
        )
        links = linked.select("enrolment_id", "person_key", "link_method").to_pyarrow()
        remainder = store.read_mart(MART_REMAINDER).to_pyarrow().to_pandas()
    _BUILT["p"] = {
        "dir": base / "province",
        "links": links.to_pandas(),
        "remainder": remainder,
        "before": before,
        "after": after,
    }
    return _BUILT["p"]


def _joined(province: dict[str, Any]) -> pd.DataFrame:
    truth = pq.read_table(province["dir"] / "truth" / "enrolments.parquet").to_pandas()
    j = truth.merge(province["links"], on="enrolment_id", how="left", validate="1:1")
    j["true_key"] = j.true_person_id.astype("int64")
    return j


def test_mistyped_rows_linked_to_their_person(province: dict[str, Any]) -> None:
    """Precision ≥ 0.999 and recall ≥ 0.98 on the rows whose ID was mistyped (links to the
    register; a non-resident's mistyped ID has nobody there to be linked to)."""
    j = _joined(province)
    rows = j[j.id_noise == "mistyped"]
    to_register = rows[rows.link_method.isin(["person_id", "si_code", "probabilistic"])]
    precision = (to_register.person_key == to_register.true_key).mean()
    residents = rows[rows.resident]
    recall = (residents.person_key == residents.true_key).mean()
    assert len(residents) >= 50
    assert precision >= 0.999, precision
    assert recall >= 0.98, recall
    assert (to_register.link_method == "probabilistic").sum() > 0


def test_someone_elses_id_flagged_and_never_counted_for_its_owner(
    province: dict[str, Any],
) -> None:
    """The rows planted with another resident's ID (``someone_elses_id``) are flagged in
    ``enrolment_links`` (``other_id``) and none is linked to the ID's owner, so the owner's
    coverage is the truth's."""
    j = _joined(province)
    planted = j[j.id_noise == "someone_elses_id"]
    assert len(planted) >= 1
    typed = pq.read_table(
        province["dir"] / "inputs" / "enrolments.parquet", columns=["enrolment_id", "person_id"]
    ).to_pandas()
    planted = planted.merge(typed, on="enrolment_id")
    owner = planted.person_id.astype("int64")
    assert (owner != planted.true_key).all()
    assert not (planted.person_key == owner).any()
    flagged = province["remainder"]
    flagged = set(flagged.loc[flagged.other_id.fillna(False).astype(bool), "enrolment_id"])
    assert planted.enrolment_id.isin(flagged).mean() >= 0.9


def test_every_remainder_link_is_right_and_explained(province: dict[str, Any]) -> None:
    truth = pq.read_table(province["dir"] / "truth" / "enrolments.parquet").to_pandas()
    r = province["remainder"].merge(truth, on="enrolment_id", validate="1:1")
    linked = r[r.decision == "linked"]
    assert len(linked) > 0
    assert (linked.person_key == linked.true_person_id.astype("int64")).mean() >= 0.999
    assert (linked.match_weight >= 10).all()
    assert linked.explanation.str.len().gt(0).all()
    assert linked.explanation.str.startswith("Họ tên").all()


def test_lists_equal_the_truth_for_nine_of_eleven_reasons(province: dict[str, Any]) -> None:
    truth = _truth_lists(province["dir"])
    equal_after = [r for r in truth if province["after"].get(r, set()) == truth[r]]
    equal_before = [r for r in truth if province["before"].get(r, set()) == truth[r]]
    assert len(truth) == 11
    assert len(equal_after) >= 9, sorted(set(truth) - set(equal_after))
    assert len(equal_after) > len(equal_before)
