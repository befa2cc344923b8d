"""A real Spark standalone cluster on this machine (``baophu cluster``): a master and two
workers run the whole pipeline on a small synthetic province, and every mart holds exactly
what DuckDB computes from the same files; Spark's console noise stays out of the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from baophu.backends import stop_spark_sessions
from baophu.cluster import free_port, start, status, stop
from baophu.engine.pipeline import run_pipeline
from baophu.ingest.importer import import_paths
from baophu.synth.generator import generate
from baophu.workspace import Workspace, init_workspace
from benchmark_scripts import load


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lai_chau")
    generate("Lai Châu", 0.002, 1, out)
    return out / "inputs"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    state = tmp_path / "cluster"
    up = start(state, workers=2, worker_memory="1g", port=free_port(), webui_port=free_port())
    try:
        yield up.master_url
    finally:
        stop_spark_sessions()  # the application leaves the cluster before it stops
        down = stop(state)
        assert down.processes and not any(p["alive"] for p in down.processes)
        assert not status(state).running


# The comparison of ``benchmarks/compare_marts.py`` (what DuckDB and Spark compute differently
# whatever the master is left out there).
compare_marts = load("compare_marts")


def _computed(root: Path, backend: str, master: str, inputs: Path) -> Workspace:
    init_workspace(root, backend=backend, spark_master=master)  # type: ignore[arg-type]
    ws = Workspace.open(root)
    with ws.store() as store:
        assert import_paths(store, [inputs], ws.rejects_dir).committed
        results = run_pipeline(store, only_stale=False)
    assert all(r.status == "computed" for r in results), [(r.step, r.status) for r in results]
    return ws


@pytest.mark.cluster
@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.timeout(3600)  # a whole pipeline on Spark twice-removed: minutes of fixed costs
def test_two_worker_cluster_computes_what_duckdb_computes(
    province: Path, cluster: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    stop_spark_sessions()  # a local session of an earlier test would otherwise be reused
    duck = _computed(tmp_path / "duck", "duckdb", "local[2]", province)
    spark = _computed(tmp_path / "spark", "pyspark", cluster, province)
    # the application really ran on the cluster's two workers
    report = status(tmp_path / "cluster")
    assert report.alive_workers == 2 and report.running_applications == 1
    result = compare_marts.compare(duck, spark)
    assert result["only_in_a"] == [] and result["only_in_b"] == []
    assert result["marts"] > 10
    assert result["different"] == []
    # Spark's stage bars and log lines go to the workspace's log file, not the terminal
    err = capfd.readouterr().err
    assert "[Stage " not in err and " WARN " not in err
    assert (spark.root / "logs" / "spark.log").exists()
