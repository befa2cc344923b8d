"""Linkage against the synthetic province's ground truth (precision and recall), on DuckDB and
on PySpark.

The generator records the true person of every roster and household-list row
(``truth/roster_links``, ``truth/household_list_links``) and what noise it planted (missing
or mistyped ID, name without diacritics or with a typo, day and month swapped).  Expected
figures are computed here with pandas from those files and the contract keys alone; the
engine's output is only read back.

One planted ambiguity: a copy of a pupil whose roster row has no ID is added to the
register (same name, birth date, sex, hamlet; another ID) before import, so two residents fit
that row equally well — it must go to the review list, not be guessed.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROSTER_KEY = ["school_year", "school_code", "class_name", "row_no"]
LIST_KEY = ["list_year", "commune_code", "household_id", "classification", "member_no"]
INPUTS = (
    "units.csv",
    "households.parquet",
    "residents.parquet",
    "school_rosters",
    "household_lists",
)

_BUILT: dict[str, Any] = {}


def _record_ids(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    return frame[key].astype(str).replace({"None": "", "nan": ""}).agg("|".join, axis=1)


def _plant_twin(folder: Path) -> dict[str, Any]:
    """Add to residents.parquet a second person identical to a pupil whose roster row has no
    ID and no other noise; return that row's record_id and both person keys."""
    truth = pq.read_table(folder / "truth" / "roster_links.parquet").to_pandas()
    quiet = truth[
        truth.resident
        & (truth.id_noise == "missing")
        & (truth.name_noise == "none")
        & (truth.birth_noise == "none")
    ].sort_values(ROSTER_KEY)
    path = folder / "inputs" / "residents.parquet"
    residents = pq.read_table(path)
    frame = residents.to_pandas()
    taken = set(frame.person_id)
    for _, row in quiet.iterrows():
        original = frame[frame.person_id == row.person_id]
        if len(original) != 1:
            continue
        twin = original.copy()
        prefix = row.person_id[:6]
        serial = next(s for s in range(999_999, 0, -1) if f"{prefix}{s:06d}" not in taken)
        twin["person_id"] = f"{prefix}{serial:06d}"
        for column in ("si_code", "phone"):
            if column in twin:
                twin[column] = None
        twin["relation_to_head"] = original["relation_to_head"]
        out = pa.concat_tables(
            [residents, pa.Table.from_pandas(twin, schema=residents.schema, preserve_index=False)]
        )
        pq.write_table(out, path)
        return {
            "record_id": _record_ids(row.to_frame().T, ROSTER_KEY).iloc[0],
            "keys": {int(row.person_id), int(twin.person_id.iloc[0])},
        }
    raise AssertionError("no quiet pupil to copy")


def build(
    base: Path, backend: str, scale: float, sources: list[str] | None = None
) -> dict[str, Any]:
    """A synthetic Đồng Nai at ``scale`` with the twin planted, the lists imported into a
    ``backend`` workspace and ``sources`` (default: both lists) linked; built once per
    session, backend, scale and sources."""
    key = f"{backend}-{scale}-{sources}"
    if key in _BUILT:
        return _BUILT[key]
    from baophu.synth.generator import generate

    generate("Đồng Nai", scale, 1, base / "province", claims=False, forms=False)
    twin = _plant_twin(base / "province")
    _BUILT[key] = link_province(base / "ws", backend, base / "province", twin, sources)
    return _BUILT[key]


def link_province(
    root: Path,
    backend: str,
    province: Path,
    twin: dict[str, Any],
    sources: list[str] | None = None,
) -> dict[str, Any]:
    """The lists of a generated ``province`` (read only) imported into a new ``backend``
    workspace at ``root`` and ``sources`` (default: both lists) linked."""
    from baophu.engine.linkage.run import MART_LINKS, run_linkage
    from baophu.ingest.importer import import_paths
    from baophu.workspace import Workspace, init_workspace

    init_workspace(root, backend=backend)  # type: ignore[arg-type]
    ws = Workspace.open(root)
    inputs = province / "inputs"
    with ws.store() as store:
        names = [n for n in INPUTS if sources is None or n != "household_lists"]
        result = import_paths(store, [inputs / name for name in names], ws.rejects_dir)
        assert result.committed, result.error
        summary = run_linkage(store, sources)
        links = store.read_mart(MART_LINKS).to_pyarrow().to_pandas()
        columns = list(store.mart(MART_LINKS).columns)
    return {
        "workspace": ws,
        "dir": province,
        "summary": summary,
        "links": links,
        "columns": columns,
        "twin": twin,
    }


def shared_small_build(copy_to: Path) -> dict[str, Any]:
    """``build(…, "duckdb", 0.003)`` made once for every test worker (``shared_builds``):
    the commands' tests and the Spark comparison read it; ``copy_to`` gets a copy of its
    workspace that the caller may change, the rest is read back from the build's files."""
    import json

    from shared_builds import shared_build, workspace_copy

    def make(folder: Path) -> None:
        built = build(folder, "duckdb", 0.003)
        built["links"].to_parquet(folder / "links.parquet")
        saved = {k: built[k] for k in ("summary", "columns")}
        saved["twin"] = {**built["twin"], "keys": sorted(built["twin"]["keys"])}
        (folder / "built.json").write_text(json.dumps(saved, default=str), encoding="utf-8")

    folder = shared_build("linkage-small", "duckdb-0.003", make, Path(__file__))
    workspace, saved = workspace_copy(folder, copy_to, "built.json")
    return {
        "workspace": workspace,
        "dir": folder / "province",
        "summary": saved["summary"],
        "links": pd.read_parquet(folder / "links.parquet"),
        "columns": saved["columns"],
        "twin": {**saved["twin"], "keys": set(saved["twin"]["keys"])},
    }


@pytest.fixture(scope="session")
def linked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # Đồng Nai at 0.003 (about 3,000 roster rows, 250 of them linked by probability; 980
    # household-list rows): the build the commands' tests and the Spark comparison read, made
    # once for every worker.  A second build at 0.01 for these tests alone cost a whole
    # generation, import and linkage (20-38 s of the gate) and tested nothing more.
    return shared_small_build(tmp_path_factory.mktemp("linkage-duckdb-small") / "ws")


def scores(built: dict[str, Any], source: str) -> dict[str, float]:
    """Precision (share of linked rows linked to their true person) and recall (share of
    rows whose true person is in the register linked to that person), from the truth."""
    folder: Path = built["dir"]
    if source == "school_rosters":
        truth = pq.read_table(folder / "truth" / "roster_links.parquet").to_pandas()
        truth["record_id"] = _record_ids(truth, ROSTER_KEY)
        in_register = truth.resident
    else:
        truth = pq.read_table(folder / "truth" / "household_list_links.parquet").to_pandas()
        truth["record_id"] = _record_ids(truth, LIST_KEY)
        in_register = pd.Series(True, index=truth.index)
    truth["true_key"] = truth.person_id.astype("int64")
    truth["in_register"] = in_register
    links = built["links"]
    links = links[links.source == source]
    j = truth.merge(links, on="record_id", how="left", validate="1:1")
    assert j.decision.notna().all(), "every row of the list has a person_links row"
    assert len(links) == len(truth)
    linked = j[j.decision == "linked"]
    right = linked.person_key == linked.true_key
    should = j[j.in_register]
    found = (should.decision == "linked") & (should.person_key == should.true_key)
    return {
        "precision": float(right.mean()),
        "recall": float(found.mean()),
        "linked": len(linked),
        "review": int((j.decision == "review").sum()),
        "probabilistic_linked": int((linked.method == "probabilistic").sum()),
    }


def test_school_rosters_precision_and_recall(linked: dict[str, Any]) -> None:
    s = scores(linked, "school_rosters")
    assert s["precision"] >= 0.995, s
    assert s["recall"] >= 0.98, s
    assert s["probabilistic_linked"] > 0, s


def test_household_lists_precision_and_recall(linked: dict[str, Any]) -> None:
    s = scores(linked, "household_classifications")
    assert s["precision"] >= 0.995, s
    assert s["recall"] >= 0.98, s


def test_mart_columns_and_values(linked: dict[str, Any]) -> None:
    from baophu.engine.linkage.model import LINK_COLUMNS

    assert [c for c in linked["columns"] if not c.startswith("_")] == list(LINK_COLUMNS)
    assert {"_state_id", "_reference_date", "_rule_version"} <= set(linked["columns"])
    links = linked["links"]
    assert set(links.source) == {"school_rosters", "household_classifications"}
    assert set(links.method) <= {"exact_id", "probabilistic"}
    assert set(links.decision) <= {"linked", "review", "unlinked"}
    is_linked = links.decision == "linked"
    assert links.person_key[is_linked].notna().all()
    assert links.person_key[~is_linked].isna().all()
    exact = links[links.method == "exact_id"]
    assert exact.match_weight.isna().all() and (exact.match_probability == 1.0).all()
    prob = links[(links.method == "probabilistic") & links.candidate_key.notna()]
    assert prob.match_weight.notna().all()
    assert prob.match_probability.between(0, 1).all()


def test_every_link_says_why(linked: dict[str, Any]) -> None:
    links = linked["links"]
    assert links.explanation.str.len().gt(0).all()
    exact = links[links.method == "exact_id"]
    assert exact.explanation.str.startswith("Số định danh khớp").all()
    folder: Path = linked["dir"]
    truth = pq.read_table(folder / "truth" / "roster_links.parquet").to_pandas()
    truth["record_id"] = _record_ids(truth, ROSTER_KEY)
    j = truth.merge(links[links.source == "school_rosters"], on="record_id")
    j = j[(j.decision == "linked") & (j.method == "probabilistic")]
    swapped = j[j.birth_noise == "day_month_swapped"]
    assert len(swapped) > 0
    assert swapped.explanation.str.contains("ngày sinh đảo ngày/tháng").all()
    assert (swapped.birth_level == "swapped").all()
    # names written without their diacritics (a name with none to lose matches exactly)
    persons = pq.read_table(folder / "truth" / "persons.parquet").to_pandas()
    names = j.person_id.map(persons.set_index("person_id").full_name)
    has_marks = names.map(
        lambda n: unicodedata.normalize("NFD", n).replace("đ", "d").replace("Đ", "D") != n
    )
    ascii_names = j[(j.name_noise == "no_diacritics") & (j.birth_noise == "none") & has_marks]
    assert len(ascii_names) > 0
    assert ascii_names.explanation.str.startswith("Họ tên khớp khi bỏ dấu").all()
    mistyped = j[j.id_noise == "mistyped"]
    assert len(mistyped) > 0
    assert mistyped.explanation.str.contains("số định danh sai 1–2 chữ số").all()


def test_two_equal_residents_go_to_review(linked: dict[str, Any]) -> None:
    from baophu.engine.linkage.model import TIE_VI

    twin = linked["twin"]
    links = linked["links"]
    row = links[(links.source == "school_rosters") & (links.record_id == twin["record_id"])]
    assert len(row) == 1
    r = row.iloc[0]
    assert r.decision == "review", r.to_dict()
    assert int(r.candidate_key) in twin["keys"]
    assert TIE_VI in r.explanation
    assert pd.isna(r.person_key)


def test_linking_one_list_keeps_the_other(linked: dict[str, Any]) -> None:
    from baophu.engine.linkage.run import MART_LINKS, run_linkage

    with linked["workspace"].store() as store:
        result = run_linkage(store, ["household_classifications"])
        again = store.read_mart(MART_LINKS).to_pyarrow().to_pandas()
    before = linked["links"]
    assert len(again) == len(before)
    assert result["counts"]["school_rosters"] == linked["summary"]["counts"]["school_rosters"]
    key = ["source", "record_id"]
    merged = before.merge(again, on=key, suffixes=("", "_again"))
    assert (merged.decision == merged.decision_again).all()
    assert (merged.person_key.fillna(-1) == merged.person_key_again.fillna(-1)).all()


@pytest.mark.spark
def test_school_rosters_on_spark(tmp_path_factory: pytest.TempPathFactory) -> None:
    # the province of the shared DuckDB build (Đồng Nai at 0.003, the twin planted), read
    # only: its lists imported into a Spark workspace and the rosters linked there
    duck = shared_small_build(tmp_path_factory.mktemp("linkage-duckdb-small") / "ws")
    base = tmp_path_factory.mktemp("linkage-pyspark")
    built = link_province(base / "ws", "pyspark", duck["dir"], duck["twin"], ["school_rosters"])
    s = scores(built, "school_rosters")
    assert s["precision"] >= 0.995, s
    assert s["recall"] >= 0.98, s
    assert s["probabilistic_linked"] > 0, s
    twin = built["twin"]
    links = built["links"]
    row = links[(links.source == "school_rosters") & (links.record_id == twin["record_id"])]
    assert row.decision.tolist() == ["review"]
    # the same province on DuckDB (both lists linked: the roster rows do not depend on the
    # other list, and the commands' tests read the same build): the same model (trained
    # once, on DuckDB, whichever backend scores the pairs), so every row alike, its weights
    # to the last few bits
    for spark_level, duck_level in zip(
        built["summary"]["training"]["school_rosters"]["levels"],
        duck["summary"]["training"]["school_rosters"]["levels"],
        strict=True,
    ):
        assert spark_level["m"] == pytest.approx(duck_level["m"], rel=1e-9), spark_level
        assert spark_level["u"] == pytest.approx(duck_level["u"], rel=1e-9), spark_level
    key = ["source", "record_id"]
    a = links.sort_values(key).reset_index(drop=True)
    b = duck["links"]
    b = b[b.source == "school_rosters"].sort_values(key).reset_index(drop=True)
    assert len(a) == len(b) and (a.record_id == b.record_id).all()
    weights = ["match_weight", "match_probability", "runner_up_weight"]
    others = [c for c in b.columns if c not in weights]
    pd.testing.assert_frame_equal(a[others], b[others], check_dtype=False)
    pd.testing.assert_frame_equal(a[weights], b[weights], check_dtype=False, rtol=1e-9)
