"""A crash or kill in the middle of an import leaves the previous snapshot exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from baophu.ingest.importer import import_paths
from baophu.workspace import Workspace


def _count(ws: Workspace, table: str) -> int:
    with ws.store() as store:
        return store.row_count(table)


def _grow_units(tiny_inputs: Path, tmp_path: Path) -> Path:
    newer = tmp_path / "units.csv"
    newer.write_text(
        (tiny_inputs / "units.csv").read_text(encoding="utf-8")
        + "26735002,Ấp 2,hamlet,26735,ấp,75\n",
        encoding="utf-8",
    )
    return newer


def test_killed_before_commit_keeps_previous_state(
    workspace, tiny_inputs: Path, tmp_path: Path
) -> None:
    with workspace.store() as store:
        assert import_paths(store, [tiny_inputs], workspace.rejects_dir).committed
    assert _count(workspace, "units") == 6
    newer = _grow_units(tiny_inputs, tmp_path)
    env = dict(os.environ, BAOPHU_TEST_PAUSE_BEFORE_COMMIT="60")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "baophu.cli",
            "import",
            str(newer),
            "-w",
            str(workspace.root),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.time() + 120
    line = ""
    while time.time() < deadline:
        line = proc.stdout.readline()
        if "BAOPHU_PAUSED_BEFORE_COMMIT" in line or not line:
            break
    assert "BAOPHU_PAUSED_BEFORE_COMMIT" in line, "import never reached its commit point"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # The 7th unit was written inside the batch but never committed.
    assert _count(workspace, "units") == 6
    with workspace.store() as store:
        snaps = store.snapshots().to_pylist()
    assert [s["source"] for s in snaps if s["table_name"] == "units"] == ["units.csv"]
    assert all(s["status"] == "current" for s in snaps)
    # And the workspace still works: the same import now goes through.
    with workspace.store() as store:
        assert import_paths(store, [newer], workspace.rejects_dir).committed
    assert _count(workspace, "units") == 7


def test_exception_mid_batch_rolls_back(
    duckdb_workspace, tiny_inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = duckdb_workspace
    with ws.store() as store:
        assert import_paths(store, [tiny_inputs / "units.csv"], ws.rejects_dir).committed
    newer = _grow_units(tiny_inputs, tmp_path)
    import baophu.ingest.importer as importer

    real = importer._import_one
    calls = {"n": 0}

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise MemoryError("simulated crash while importing the second file")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_import_one", failing)
    with ws.store() as store:
        result = import_paths(store, [newer, tiny_inputs / "households.csv"], ws.rejects_dir)
    # The unforeseen error is reported naming the file it happened in, in both languages.
    assert not result.committed
    assert result.error is not None and result.error_vi is not None
    assert result.error.startswith("tệp/file households.csv")
    assert "MemoryError: simulated crash" in result.error
    assert "Lỗi không mong đợi" in result.error_vi and "Unexpected error" in result.error
    assert {f.status for f in result.files} == {"rolled_back", "failed"}
    assert _count(ws, "units") == 6
    assert _count(ws, "households") == 0
