"""The server never keeps the workspace file: a command can open it read-write while the
server runs, and what the command writes reaches the pages within seconds."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

WRITE_MARKER = """
import ibis, sys
from pathlib import Path
from baophu.workspace import Workspace
ws = Workspace.open(Path(sys.argv[1]))
with ws.store() as store:  # read-write, as every baophu command opens it
    store.write_mart("test_marker", ibis.memtable({"x": [1, 2, 3]}),
                     {"state_id": store.state_id(), "reference_date": "2026-10-31", "rule_version": "t"})
print("written")
"""


def test_commands_run_while_the_server_runs(province_dir: Path, tmp_path: Path) -> None:
    from baophu.app.marts import MartCache
    from baophu.workspace import Workspace

    root = tmp_path / "ws"
    shutil.copytree(province_dir, root)
    cache = MartCache(Workspace.open(root), poll_seconds=0.2)
    first = cache.get()
    assert first.has("coverage_by_unit") and not first.has("test_marker")
    cache.start()
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", WRITE_MARKER, str(root)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert time.perf_counter() - started < 60
        deadline = time.monotonic() + 30
        while not cache.get().has("test_marker"):
            assert time.monotonic() < deadline, cache.last_error
            time.sleep(0.2)
        snap = cache.get()
        assert snap.scalar("SELECT count(*) FROM mart_test_marker") == 3
        assert snap is not first and snap.has("coverage_by_unit")
    finally:
        cache.stop()


def test_a_busy_workspace_keeps_the_last_copy(province_dir: Path, tmp_path: Path) -> None:
    from baophu.app.marts import MartCache
    from baophu.workspace import Workspace

    root = tmp_path / "ws"
    shutil.copytree(province_dir, root)
    cache = MartCache(Workspace.open(root))
    before = cache.get()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(30)",
            str(root / "baophu.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        (root / "baophu.duckdb").touch()  # looks changed
        assert cache.refresh() is True  # still serving the copy it has
        assert cache.get() is before and cache.busy_since is not None
    finally:
        holder.kill()
        holder.wait()
        cache.stop()


def test_caches_of_one_workspace_share_each_copy(province_dir: Path, tmp_path: Path) -> None:
    # applications of one process on one workspace (the tests make dozens) copy each
    # computed state once; a copy lives until its last holder lets go
    import ibis

    from baophu.app.marts import MartCache
    from baophu.workspace import Workspace

    root = tmp_path / "ws"
    shutil.copytree(province_dir, root)
    other = tmp_path / "other"
    shutil.copytree(province_dir, other)
    a = MartCache(Workspace.open(root))
    b = MartCache(Workspace.open(root))
    elsewhere = MartCache(Workspace.open(other))
    first = a.get()
    assert b.get() is first and first.holders == 2
    assert elsewhere.get() is not first  # same content, another workspace: its own copy
    a.stop()
    assert first.path.exists()
    units = first.scalar("SELECT count(*) FROM units")
    assert units > 0 and b.get().scalar("SELECT count(*) FROM units") == units
    ws = Workspace.open(root)
    with ws.store() as store:
        store.write_mart(
            "test_marker",
            ibis.memtable({"x": [1, 2]}),
            {"state_id": store.state_id(), "reference_date": "2026-10-31", "rule_version": "t"},
        )
    assert b.refresh(force=True)
    second = b.get()
    assert second is not first and second.has("test_marker") and not first.has("test_marker")
    c = MartCache(Workspace.open(root))
    assert c.get() is second and second.holders == 2
    b.stop()  # lets go of both copies: the first had no other holder
    assert not first.path.exists() and second.path.exists()
    assert c.get().scalar("SELECT count(*) FROM mart_test_marker") == 2
    c.stop()
    elsewhere.stop()
    assert not second.path.exists() and not second.path.parent.exists()


def test_app_pages_say_when_marts_are_stale(app: Any, clients: dict[str, Any]) -> None:
    r = clients["province_admin"].get("/units/75")
    assert "Số liệu đến ngày" in r.text and "31/10/2026" in r.text
