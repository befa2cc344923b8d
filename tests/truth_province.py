"""The engine tests' truth province: a tiny synthetic Đồng Nai with every input imported into
DuckDB and its coverage and lists computed for 31/10/2026, built once for all test workers
(``shared_builds``) and copied for each that uses it (``truth_province``).  The coverage,
lists, targets and history tests read it against its ground truth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

D = dt.date(2026, 10, 31)
PROVINCE = ("Đồng Nai", 0.005, 1)


def build_truth_province(folder: Path) -> None:
    """A tiny Đồng Nai (scale 0.005, seed 1, no claims) with every input imported into DuckDB
    (rosters, household and benefit lists included), its coverage and its lists computed for
    31/10/2026; the steps' summaries in ``summaries.json``."""
    import json

    from baophu.engine.coverage.run import run_coverage
    from baophu.engine.potential.run import run_lists
    from baophu.ingest.importer import import_paths
    from baophu.synth.generator import generate
    from baophu.workspace import Workspace, init_workspace

    name, scale, seed = PROVINCE
    generate(name, scale, seed, folder / "province", claims=False)
    init_workspace(folder / "ws")
    ws = Workspace.open(folder / "ws")
    with ws.store() as store:
        result = import_paths(store, [folder / "province" / "inputs"], ws.rejects_dir)
        assert result.committed, result.error
        summaries = {"coverage": run_coverage(store, D), "lists": run_lists(store, D)}
    (folder / "summaries.json").write_text(json.dumps(summaries, default=str), encoding="utf-8")


def truth_province(copy_to: Path) -> dict[str, Any]:
    """The shared truth province (``build_truth_province``, built once for every test worker:
    ``shared_builds``): its generated folder, read only, and a copy of its workspace in
    ``copy_to`` that the caller may change."""
    from shared_builds import shared_build, workspace_copy

    built = shared_build("truth", repr(PROVINCE), build_truth_province, Path(__file__))
    workspace, summaries = workspace_copy(built, copy_to, "summaries.json")
    return {
        "workspace": workspace,
        "dir": built / "province",
        "summary": summaries["coverage"],
        "lists_summary": summaries["lists"],
    }
