"""The declared pipeline (``engine.pipeline``): staleness computed from the marts' stamps,
``run_pipeline`` recomputing only what is stale, ``baophu run``, and docs/pipeline.md drawn
from the declaration.

The tiny province of conftest (5 residents: 3 in hamlet 26734001, 2 in 26735001, no
enrolments) is enough for the identity and coverage steps."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path

import ibis
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from baophu.cli import app
from baophu.engine import pipeline
from baophu.engine.pipeline import (
    Inputs,
    PipelineError,
    Step,
    pipeline_markdown,
    register_step,
    run_pipeline,
    staleness,
    steps_for,
)
from baophu.ingest.importer import import_paths
from baophu.workspace import Workspace, init_workspace

D = dt.date(2026, 10, 31)


def _status(results: list[pipeline.StepResult]) -> dict[str, str]:
    return {r.step: r.status for r in results}


@pytest.fixture
def ws(tmp_path: Path, tiny_inputs: Path) -> Workspace:
    init_workspace(tmp_path / "ws")
    workspace = Workspace.open(tmp_path / "ws")
    with workspace.store() as store:
        assert import_paths(store, [tiny_inputs], workspace.rejects_dir).committed
    return workspace


def test_docs_pipeline_md_is_drawn_from_the_declaration() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "pipeline.md"
    assert docs.read_text(encoding="utf-8") == pipeline_markdown(), (
        "docs/pipeline.md is stale: run `baophu run --markdown > docs/pipeline.md`"
    )


def test_steps_in_order_each_using_only_marts_written_before_it() -> None:
    names = [s.name for s in pipeline.STEPS]
    assert names[:7] == [
        "identity",
        "coverage",
        "targets",
        "linkage",
        "potential",
        "declarations",  # before compliance: the evasion signals read its gaps
        "compliance",
    ]
    written: set[str] = set()
    for step in pipeline.STEPS:
        assert set(step.uses) <= written, step.name
        written |= set(step.writes)
        module, _, name = step.entry.rpartition(".")
        assert callable(getattr(importlib.import_module(f"baophu.{module}"), name)), step.entry


_COMPUTED: dict[str, Path] = {}


@pytest.fixture
def computed(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, tiny_inputs: Path
) -> Workspace:
    """``ws`` with its identity and coverage steps then computed for ``D``: computed once
    for the module, each test getting a copy of its own (the tests that start there)."""
    import shutil

    if "ws" not in _COMPUTED:
        root = tmp_path_factory.mktemp("pipeline-computed") / "ws"
        init_workspace(root)
        template = Workspace.open(root)
        with template.store() as store:
            assert import_paths(store, [tiny_inputs], template.rejects_dir).committed
            results = run_pipeline(store, Inputs(reference_date=D), until="coverage")
        assert _status(results) == {"identity": "computed", "coverage": "computed"}
        _COMPUTED["ws"] = root
    shutil.copytree(_COMPUTED["ws"], tmp_path / "ws")
    return Workspace.open(tmp_path / "ws")


def test_first_run_computes_then_nothing_is_stale(ws: Workspace) -> None:
    with ws.store() as store:
        first = run_pipeline(store, Inputs(reference_date=D), until="coverage")
        again = run_pipeline(store, Inputs(reference_date=D), until="coverage")
        left = staleness(store, D, until="coverage")
        population = {
            r["unit_code"]: r["population"]
            for r in store.read_mart("coverage_by_unit").to_pyarrow().to_pylist()
        }
    assert _status(first) == {"identity": "computed", "coverage": "computed"}
    assert _status(again) == {"identity": "current", "coverage": "current"}
    assert left == {"identity": [], "coverage": []}
    # conftest: 3 residents in 26734001, 2 in 26735001, all born before D, none dead.
    assert population["26734001"] == 3 and population["26735001"] == 2 and population["75"] == 5


@pytest.mark.slow  # left out of make test-fast (seconds of work)
def test_another_date_recomputes_only_the_dated_steps(computed: Workspace) -> None:
    sept = dt.date(2026, 9, 30)
    with computed.store() as store:
        why = staleness(store, sept, until="coverage")
        results = run_pipeline(store, Inputs(reference_date=sept), until="coverage")
        entry = store.mart_entry("coverage_by_unit")
    assert why["identity"] == []
    assert any("2026-10-31" in reason for reason in why["coverage"])
    assert _status(results) == {"identity": "current", "coverage": "computed"}
    assert entry is not None and entry.reference_day == sept


@pytest.mark.slow  # left out of make test-fast (seconds of work)
def test_a_new_import_makes_every_step_stale(
    computed: Workspace, tmp_path: Path, tiny_inputs: Path
) -> None:
    more = tmp_path / "more"
    more.mkdir()
    # One more resident in hamlet 26735001 (born 2000, alive).
    extra = "075200000008,Võ Văn Em,Nam,02/02/2000,Kinh,H2,Con,26735001,,,\n"
    residents = (tiny_inputs / "residents.csv").read_text(encoding="utf-8")
    (more / "residents.csv").write_text(residents + extra, encoding="utf-8")
    with computed.store() as store:
        assert import_paths(store, [more], computed.rejects_dir).committed
        why = staleness(store, D, until="coverage")
        results = run_pipeline(store, Inputs(reference_date=D), until="coverage")
        population = {
            r["unit_code"]: r["population"]
            for r in store.read_mart("coverage_by_unit").to_pyarrow().to_pylist()
        }
    assert all(why[s] for s in ("identity", "coverage"))
    assert "imported data changed" in why["identity"][0]
    assert _status(results) == {"identity": "computed", "coverage": "computed"}
    assert population["26735001"] == 3 and population["75"] == 6


@pytest.mark.slow  # left out of make test-fast (seconds of work)
def test_only_one_step_says_which_marts_it_used_stale(
    computed: Workspace, tmp_path: Path, tiny_inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``only`` leaves the other steps alone: the chosen step says which marts it read
    stale.  Coverage refreshes the identity marts it reads itself, so it warns of nothing;
    a step reading coverage's marts (registered here) warns of both after a new import."""
    monkeypatch.setattr(pipeline, "STEPS", list(pipeline.STEPS))

    def count_units(store, day, inputs):  # type: ignore[no-untyped-def]
        return {"units": store.read_mart("coverage_by_unit").count().to_pyarrow().as_py()}

    register_step(
        Step(
            "probe",
            "Thử",
            "tests.count_units",
            (),
            ("coverage_by_unit", "coverage_series"),
            ("probe_out",),
            True,
            count_units,
        ),
        after="coverage",
    )
    more = tmp_path / "more"
    more.mkdir()
    extra = "075200000008,Võ Văn Em,Nam,02/02/2000,Kinh,H2,Con,26735001,,,\n"
    residents = (tiny_inputs / "residents.csv").read_text(encoding="utf-8")
    (more / "residents.csv").write_text(residents + extra, encoding="utf-8")
    sept = dt.date(2026, 9, 30)
    with computed.store() as store:
        fresh = run_pipeline(store, Inputs(reference_date=D), until="coverage", only=["coverage"])
        other_day = run_pipeline(store, Inputs(reference_date=sept), until="probe", only=["probe"])
        assert import_paths(store, [more], computed.rejects_dir).committed
        after_import = run_pipeline(store, Inputs(reference_date=D), until="probe", only=["probe"])
        coverage_alone = run_pipeline(
            store, Inputs(reference_date=D), until="coverage", only=["coverage"]
        )
        run_pipeline(store, Inputs(reference_date=sept), until="coverage")
        new_state = run_pipeline(store, Inputs(reference_date=D), until="probe", only=["probe"])
    assert fresh[0].status == "current" and fresh[0].warnings == []
    assert [r.step for r in other_day] == ["probe"]
    assert {w.split(":")[0] for w in other_day[0].warnings} == {
        "coverage_by_unit",
        "coverage_series",
    }
    assert all("2026-10-31" in w and "coverage" in w for w in other_day[0].warnings)
    assert len(after_import[0].warnings) == 2
    assert all("imported data changed" in w for w in after_import[0].warnings)
    # coverage brought unit_ancestors and linked_spells to the new state itself
    assert coverage_alone[0].status == "computed" and coverage_alone[0].warnings == []
    # coverage was then computed again for 30/9 (new state): for 31/10 it is a day off
    assert [w.split(":")[0] for w in new_state[0].warnings] == [
        "coverage_by_unit",
        "coverage_series",
    ]
    assert all("2026-09-30" in w for w in new_state[0].warnings)


def test_a_mart_rewritten_after_its_users_makes_them_stale(computed: Workspace) -> None:
    with computed.store() as store:
        ancestors = store.read_mart("unit_ancestors")
        store.write_mart("unit_ancestors", ancestors, store.stamp(D))
        why = staleness(store, D, until="coverage")
    assert why["identity"] == []
    assert [r for r in why["coverage"] if r.startswith("unit_ancestors")]


def test_operational_inputs_make_their_step_stale(ws: Workspace) -> None:
    outcome = pa.table(
        {
            "row_key": ["075085000001"],
            "last_outcome": ["contacted"],
            "last_outcome_date": pa.array([D], pa.date32()),
            "contacts": pa.array([1], pa.int64()),
        }
    )
    with ws.store() as store:
        with_outcome = staleness(store, D, inputs=Inputs(field_outcomes=outcome))
        without = staleness(store, D, inputs=Inputs(field_outcomes=outcome.slice(0, 0)))
    assert any("field_outcomes" in r for r in with_outcome["potential"])
    assert not any("field_outcomes" in r for r in without["potential"])
    assert not any("field_outcomes" in r for r in with_outcome["compliance"])


def test_steps_for_some_marts_are_their_writers_and_what_those_use() -> None:
    # the national ranking's marts: coverage_by_unit (coverage, which uses identity's
    # ancestors and spells), achievement_by_unit (targets, which uses coverage's) and
    # arrears_by_unit (compliance, which uses no mart)
    marts = ["coverage_by_unit", "arrears_by_unit", "achievement_by_unit"]
    assert steps_for(marts) == ["identity", "coverage", "targets", "compliance"]
    # the potential list uses identity's remainder and linkage's links
    assert steps_for(["potential_list"]) == ["identity", "linkage", "potential"]
    assert steps_for(["person_links"]) == ["linkage"]
    with pytest.raises(PipelineError, match="no step writes: nothing_here"):
        steps_for(["nothing_here"])


def test_steps_for_a_step_using_a_mart_written_on_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A step may use a mart a command writes (the allocated targets): no step is needed for
    it, the step itself and what else it uses are."""
    monkeypatch.setattr(pipeline, "STEPS", list(pipeline.STEPS))

    def noop(store, day, inputs):  # type: ignore[no-untyped-def]
        return {}

    register_step(
        Step("probe", "Thử", "tests.noop", (), ("targets_allocated", "coverage_by_unit"),
             ("probe_out",), True, noop),
        after="coverage",
    )  # fmt: skip
    assert steps_for(["probe_out"]) == ["identity", "coverage", "probe"]


def test_unknown_step_is_refused(ws: Workspace) -> None:
    with ws.store() as store, pytest.raises(PipelineError, match="unknown step 'claimz'"):
        run_pipeline(store, until="claimz")


def test_a_capability_registers_its_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "STEPS", list(pipeline.STEPS))

    def noop(store, day, inputs):  # type: ignore[no-untyped-def]
        return {}

    bad = Step(
        "example_risk",
        "Rủi ro",
        "engine.example.run_risk",
        (),
        ("example_flags",),
        ("r",),
        True,
        noop,
    )
    with pytest.raises(PipelineError, match="example_flags"):
        register_step(bad)
    good = Step(
        "example",
        "Ví dụ",
        "engine.example.run_example",
        ("claims",),
        (),
        ("example_flags",),
        True,
        noop,
    )
    register_step(good, after="compliance")
    register_step(bad)
    names = [s.name for s in pipeline.STEPS]
    assert names[names.index("compliance") + 1] == "example"
    assert names[-1] == "example_risk"
    with pytest.raises(PipelineError, match="already declared"):
        register_step(good)


def test_run_command_reports_each_step(ws: Workspace) -> None:
    runner = CliRunner()
    args = ["run", "-w", str(ws.root), "--until", "coverage", "--date", "2026-10-31", "--json"]
    first = json.loads(runner.invoke(app, args).stdout)
    again = json.loads(runner.invoke(app, args).stdout)
    bad = runner.invoke(app, ["run", "-w", str(ws.root), "--until", "nope"])
    assert [(r["step"], r["status"]) for r in first] == [
        ("identity", "computed"),
        ("coverage", "computed"),
    ]
    # one row per unit: 1 province, 1 office, 2 communes, 2 hamlets
    assert first[1]["rows"]["coverage_by_unit"] == 6
    assert [r["status"] for r in again] == ["current", "current"]
    # every step reports the rows of each mart it declares (from the mart registry, whatever
    # its own summary holds; the risk and claims steps' summaries hold none), and a step left
    # current reports the marts it still has
    writes = {s.name: set(s.writes) for s in pipeline.STEPS}
    for r in first:
        assert set(r["rows"]) == writes[r["step"]], r["step"]
    assert [r["rows"] for r in again] == [r["rows"] for r in first]
    assert bad.exit_code == 2


def test_memtable_inputs_are_registered_when_written(ws: Workspace) -> None:
    with ws.store() as store:
        store.write_mart("lookup", ibis.memtable({"k": ["a", "b"]}), store.stamp(D))
        rows = store.read_mart("lookup").count().to_pyarrow().as_py()
    assert rows == 2


def test_steps_run_with_an_engine_steps_memory(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's memory limit is the import's (``BAOPHU_DUCKDB_MEMORY``) outside a step and
    ``BAOPHU_DUCKDB_ENGINE_MEMORY`` while a step runs, nested blocks included; a smaller
    engine figure never lowers it."""
    import duckdb

    def shown(size: str) -> str:  # how DuckDB itself shows a limit it was given
        con = duckdb.connect()
        con.execute(f"SET memory_limit = '{size}'")
        return str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

    monkeypatch.setattr(pipeline, "STEPS", list(pipeline.STEPS))
    seen: list[str] = []

    def probe(store, day, inputs):  # type: ignore[no-untyped-def]
        seen.append(store.raw.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        return {}

    register_step(Step("probe", "Thử", "tests.probe", (), (), (), True, probe), after="coverage")
    monkeypatch.setenv("BAOPHU_DUCKDB_ENGINE_MEMORY", "5GB")
    with ws.store() as store:

        def limit() -> str:
            return str(store.raw.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

        assert limit() == shown("3GB")
        # the probe alone (it reads no mart): what it sees is the limit while a step runs
        run_pipeline(
            store, Inputs(reference_date=D), until="probe", only_stale=False, only=["probe"]
        )
        assert seen == [shown("5GB")]
        assert limit() == shown("3GB")
        with store.engine_memory():
            with store.engine_memory():
                assert limit() == shown("5GB")
            assert limit() == shown("5GB")  # the inner block leaves the outer one's
        assert limit() == shown("3GB")
        monkeypatch.setenv("BAOPHU_DUCKDB_ENGINE_MEMORY", "1GB")
        with store.engine_memory():
            assert limit() == shown("3GB")


def test_duckdb_threads_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``BAOPHU_DUCKDB_THREADS`` sets DuckDB's threads for every store opened; unset, DuckDB
    keeps its own default (one per core); a value that is not a positive integer is refused
    with the variable named."""
    import duckdb

    init_workspace(tmp_path / "w")
    workspace = Workspace.open(tmp_path / "w")

    def threads() -> int:
        with workspace.store() as store:
            return int(store.raw.execute("SELECT current_setting('threads')").fetchall()[0][0])

    monkeypatch.setenv("BAOPHU_DUCKDB_THREADS", "3")
    assert threads() == 3
    monkeypatch.setenv("BAOPHU_DUCKDB_THREADS", "1")
    assert threads() == 1
    monkeypatch.delenv("BAOPHU_DUCKDB_THREADS")
    default = duckdb.connect().execute("SELECT current_setting('threads')").fetchall()[0][0]
    assert threads() == int(default)
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("BAOPHU_DUCKDB_THREADS", bad)
        with pytest.raises(ValueError, match="BAOPHU_DUCKDB_THREADS"):
            threads()
