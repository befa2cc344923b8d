"""The risk checks on the hand-made office of ``risk_hand`` (every expected case and amount
worked out by hand there), on DuckDB and PySpark alike: the same cases, the same amounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from risk_hand import EXPECTED, REMAINDER_EXPECTED, write_inputs

from baophu.engine.identity import MART_REMAINDER, run_identity
from baophu.engine.risk import KINDS, MART_CASES, run_risk
from baophu.ingest.importer import import_paths

DAY = dt.date(2026, 10, 31)


def _cases(
    tmp_path: Path, workspace: Any, identity: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    with workspace.store() as store:
        result = import_paths(store, [write_inputs(tmp_path / "inputs")], workspace.rejects_dir)
        assert result.committed, result.error
        if identity:
            run_identity(store, DAY)
            links = store.read_mart(MART_REMAINDER).to_pyarrow().to_pylist()
            assert {r["enrolment_id"]: r["decision"] for r in links}["E24"] == "linked"
        summary = run_risk(store, DAY)
        rows = store.read_mart(MART_CASES).to_pyarrow().to_pylist()
    return rows, summary


@pytest.fixture(scope="module")
def risk_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The office imported into DuckDB and the risk step run once (without the identity
    step), read by the tests that only look at its cases.  Spark runs the office once, with
    the identity step (``test_records_under_two_ids…``): the same cases and more."""
    from baophu.workspace import Workspace, init_workspace

    base = tmp_path_factory.mktemp("risk-duckdb")
    init_workspace(base / "ws")
    return _cases(base, Workspace.open(base / "ws"))


_WITH_IDENTITY: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {}


def _run_with_identity(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The office imported, the identity step and then the risk step run on ``backend``,
    once per backend and session."""
    from baophu.workspace import Workspace, init_workspace

    if backend not in _WITH_IDENTITY:
        base = tmp_path_factory.mktemp(f"risk-identity-{backend}")
        init_workspace(base / "ws", backend=backend)  # type: ignore[arg-type]
        _WITH_IDENTITY[backend] = _cases(base, Workspace.open(base / "ws"), identity=True)
    return _WITH_IDENTITY[backend]


def test_every_rule_by_hand(risk_run: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    rows, summary = risk_run
    got: dict[str, dict[str, int]] = {}
    for r in rows:
        got.setdefault(r["kind"], {})[r["evidence"]] = r["amount"]
    assert got == EXPECTED
    assert {k: v["cases"] for k, v in summary["by_kind"].items()} == {
        k: len(EXPECTED.get(k, {})) for k in KINDS
    }
    assert summary["by_kind"]["remittance_shortfall"]["amount"] == 1_640_000


def test_records_under_two_ids_are_one_person_once_identity_links_them(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """E24 carries a mistyped ID: the identity step's remainder links give it to Cường, and
    the risk checks then see his household card entered twice (E06, E24).  On Spark: every
    rule's cases and amounts by hand, and every field of every row as DuckDB has it."""
    rows, summary = _run_with_identity(backend, tmp_path_factory)
    got: dict[str, dict[str, int]] = {}
    for r in rows:
        got.setdefault(r["kind"], {})[r["evidence"]] = r["amount"]
    want = {k: dict(v) for k, v in EXPECTED.items()}
    for kind, cases in REMAINDER_EXPECTED.items():
        want.setdefault(kind, {}).update(cases)
    assert got == want
    assert {k: v["cases"] for k, v in summary["by_kind"].items()} == {
        k: len(want.get(k, {})) for k in KINDS
    }
    dup = next(r for r in rows if r["evidence"] == "E06,E24")
    assert (dup["person_id"], dup["full_name"]) == ("075090000003", "Lê Văn Cường")
    if backend == "pyspark":
        duck_rows, duck_summary = _run_with_identity("duckdb", tmp_path_factory)
        assert sorted(rows, key=lambda r: r["case_id"]) == sorted(
            duck_rows, key=lambda r: r["case_id"]
        )
        assert summary["by_kind"] == duck_summary["by_kind"]


def test_edges_and_owners(risk_run: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    rows, _ = risk_run
    by_kind = {r["kind"]: r for r in rows}
    # the one-day overlap: both cards on 30/06/2026, the household card refunded
    overlap = by_kind["overlapping_bhyt"]
    assert (overlap["period_start"], overlap["period_end"]) == (
        dt.date(2026, 6, 30),
        dt.date(2026, 6, 30),
    )
    assert overlap["evidence_vi"].startswith(
        "Hoàn trả cho bên đóng: hộ gia đình; hai thẻ: E03 (BHYT"
    )
    assert "từ 30/06/2026" in overlap["evidence_vi"]
    # the card ending on the day of death (E08) is no case; Đức's (E07) is
    dead = by_kind["deceased_enrolled"]
    assert (dead["person_id"], dead["period_start"]) == ("075060000004", dt.date(2026, 5, 16))
    assert all("E08" not in r["evidence"] for r in rows)
    assert all("E05" not in r["evidence"] and "E06" not in r["evidence"] for r in rows)
    # every case has an owner office; agents' cases name the agent, receipts the collector
    assert {r["office_code"] for r in rows} == {"75BH01"}
    assert by_kind["late_remittance"]["agent_code"] == "DL01"
    receipt = by_kind["receipt_without_enrolment"]
    assert (receipt["collector_code"], receipt["person_id"]) == ("NV1", "075093000008")
    assert by_kind["enrolment_without_receipt"]["agent_code"] == "DL01"
    # Vietnamese rule and action on every row; ids stable across re-runs
    assert all(r["rule_vi"] and r["action_vi"] for r in rows)
    ids = [r["case_id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert "duplicate_record:E01,E02" in ids


def test_overlap_candidates_see_past_a_short_spell_in_between() -> None:
    """Person 1: A (all of 2026) holds B (February) and C (June), which do not touch each
    other — C overlaps A although B, ending before C, comes between them.  Person 2: two
    cards that touch without overlapping.  Person 3: one BHYT card, one BHXH spell."""
    import ibis

    from baophu.engine.risk.persons import overlap_candidates

    d = dt.date
    rows = [
        (1, "A", "bhyt", d(2026, 1, 1), d(2026, 12, 31)),
        (1, "B", "bhyt", d(2026, 2, 1), d(2026, 2, 28)),
        (1, "C", "bhyt", d(2026, 6, 1), d(2026, 6, 30)),
        (2, "D", "bhyt", d(2026, 1, 1), d(2026, 6, 29)),
        (2, "E", "bhyt", d(2026, 6, 30), d(2027, 6, 29)),
        (3, "F", "bhyt", d(2026, 1, 1), d(2026, 12, 31)),
        (3, "G", "bhxh_voluntary", d(2026, 1, 1), d(2026, 12, 31)),
    ]
    s = ibis.memtable(
        {
            "pk": [r[0] for r in rows],
            "eid": [r[1] for r in rows],
            "scheme": [r[2] for r in rows],
            "start": [r[3] for r in rows],
            "open_end": [r[4] for r in rows],
        }
    )
    got = overlap_candidates(s).to_pyarrow().column("eid").to_pylist()
    assert sorted(got) == ["A", "B", "C"]


def test_evidence_of_a_dead_persons_spells_is_in_order_of_their_ids() -> None:
    """Two spells of one dead person, the later ID first in the table: the evidence lists
    them in the order of their IDs on every backend (collected in table order, the cluster
    and DuckDB wrote them differently)."""
    import ibis

    from baophu.engine.risk.persons import deceased_enrolled

    d = dt.date
    s = ibis.memtable(
        {
            "pk": [7, 7],
            "pid": ["075085000001", "075085000001"],
            "name": ["Nguyễn Văn An", "Nguyễn Văn An"],
            "death": [d(2026, 5, 15), d(2026, 5, 15)],
            "eid": ["QT2", "QT1"],
            "start": [d(2026, 1, 1), d(2026, 1, 1)],
            "open_end": [d(2026, 12, 31), d(2026, 12, 31)],
            "monthly": [100, 200],
            "hamlet": ["26734001", "26734001"],
            "collector": [None, None],
        },
        schema={
            "pk": "int64",
            "pid": "string",
            "name": "string",
            "death": "date",
            "eid": "string",
            "start": "date",
            "open_end": "date",
            "monthly": "int64",
            "hamlet": "string",
            "collector": "string",
        },
    )
    rows = deceased_enrolled(s, d(2026, 10, 31)).to_pyarrow().to_pylist()
    assert [r["evidence"] for r in rows] == ["QT1,QT2"]
    # June to October, 5 months of each spell after the month of death
    assert rows[0]["amount"] == 5 * 100 + 5 * 200
