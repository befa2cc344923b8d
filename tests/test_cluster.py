"""A real Spark standalone cluster on this machine (``baophu cluster``): a master and two
workers run the whole pipeline on a small synthetic province, and every mart holds exactly
what DuckDB computes from the same files; Spark's console noise stays out of the terminal."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baophu.backends import stop_spark_sessions
from baophu.cluster import free_port, start, status, stop
from baophu.engine.pipeline import run_pipeline
from baophu.ingest.importer import import_paths
from baophu.synth.generator import generate
from baophu.workspace import Workspace, init_workspace


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


# What DuckDB and Spark compute differently whatever the master (Spark's local mode gives
# the same as the cluster, mart for mart), left out of the comparison:
# * Splink trains its model on each backend: the same links and decisions, weights that
#   differ in the first decimal;
# * declared_enrolments.end_date is a TIMESTAMP on DuckDB (a date minus an interval), a DATE
#   on Spark: the same days, compared as dates.
DIFFERENT_BY_BACKEND = {
    "person_links": {"match_weight", "match_probability", "runner_up_weight"},
}


def _normal(value: Any) -> Any:
    if isinstance(value, float):
        # + 0.0: -0.0 (a flat trend on one backend) and 0.0 are the same figure
        return None if math.isnan(value) else round(value, 6) + 0.0
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _rows(ws: Workspace, mart: str) -> list[tuple[Any, ...]]:
    with ws.store() as store:
        table = store.read_mart(mart)
        rows = table.to_pyarrow().to_pylist()
    left_out = DIFFERENT_BY_BACKEND.get(mart, set())
    keyed = [
        tuple((k, _normal(v)) for k, v in sorted(r.items()) if k not in left_out) for r in rows
    ]
    return sorted(keyed, key=repr)


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
    with duck.store() as store:
        marts = sorted(m["mart"] for m in store.marts())
    with spark.store() as store:
        assert sorted(m["mart"] for m in store.marts()) == marts
    assert len(marts) > 10
    different = [m for m in marts if _rows(duck, m) != _rows(spark, m)]
    assert different == []
    # Spark's stage bars and log lines go to the workspace's log file, not the terminal
    err = capfd.readouterr().err
    assert "[Stage " not in err and " WARN " not in err
    assert (spark.root / "logs" / "spark.log").exists()
