"""``baophu cluster`` without a cluster: status and stop say so (the real cluster is
tests/test_cluster.py, marked spark and slow)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from baophu.cli import app

runner = CliRunner()


def test_status_of_no_cluster(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cluster", "status", "--state-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert '"running": false' in result.output
    stopped = runner.invoke(app, ["cluster", "stop", "--state-dir", str(tmp_path)])
    assert stopped.exit_code == 0
    assert "Không có cụm nào / no cluster" in stopped.output


def test_a_cluster_whose_processes_died_is_not_running(tmp_path: Path) -> None:
    """A state file naming processes that no longer exist: status says stopped, stop
    signals nothing and forgets them."""
    import subprocess

    from baophu.cluster import ClusterState, Process, status, stop

    gone = subprocess.Popen(["true"])  # a process of ours that has exited
    gone.wait()
    state = ClusterState("127.0.0.1", 1, 1, 1, 1, "1g", "2026-01-01T00:00:00Z")
    state.processes.append(Process("master", gone.pid, str(tmp_path / "m.log")))
    state.write(tmp_path)
    now = status(tmp_path)
    assert not now.running and now.processes[0]["alive"] is False
    down = stop(tmp_path, wait_s=0.1)
    assert down.master_url == "spark://127.0.0.1:1"
    assert not (tmp_path / "cluster.json").exists()


def test_init_master_cluster_needs_a_running_cluster(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BAOPHU_CLUSTER_DIR", str(tmp_path / "none"))
    result = runner.invoke(
        app, ["init", str(tmp_path / "ws"), "--backend", "pyspark", "--master", "cluster"]
    )
    assert result.exit_code == 2
    assert "no Spark cluster running" in result.output
