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
