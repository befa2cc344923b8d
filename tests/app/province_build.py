"""Builds the small province every web test reads (once per test session): the demo pipeline
at a small scale, then targets, the campaign, the potential lists and the demo users."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

SCALE = 0.01


def build(out: Path, scale: float = SCALE) -> dict[str, Any]:
    from baophu.demo import run_demo
    from baophu.workspace import Workspace

    timings: dict[str, float] = {}
    t = time.perf_counter()
    report = run_demo(out, "Đồng Nai", scale, 1, quiet=True)
    assert report["ok"], report
    timings["demo"] = time.perf_counter() - t
    ws = Workspace.open(out / "workspace")
    # run_demo ran every engine step: targets allocated, progress, a 20-day campaign ending on
    # the reference date, linkage, the potential lists and the demo users.
    return {"workspace": ws, "timings": timings}


if __name__ == "__main__":
    import sys
    import tempfile

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    print(build(out)["timings"])
