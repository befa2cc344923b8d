"""Builds the small province every web test reads: the demo pipeline at a small scale, then
targets, the campaign, the potential lists and the demo users (``build``), cached between
runs while the sources that shape it are unchanged (``built_province``).  The generated
files stay beside the workspace (``province/``: inputs and ground truth): the claims tests
read the same province against its planted abuse.

``make test`` starts ``python tests/province_build.py --cache`` beside the lint and type
checks, which keep one core busy, so the province is often ready (or nearly) when the web
tests ask for it; the tests take the same lock and wait for it, or build it themselves.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

SCALE = 0.01
# The seed the claims engine's truth tests were written on (tests/engine/test_claims_truth.py
# reads this province's claims marts).  With seed 1 at this scale, the planted facility cost
# growth comes second among the facilities but only 2.96 robust deviations out, under the
# 3.5 those tests ask of a planted facility: a small province's facilities are few and noisy.
SEED = 3


def build(out: Path, scale: float = SCALE) -> dict[str, Any]:
    from baophu.demo import run_demo
    from baophu.workspace import Workspace

    timings: dict[str, float] = {}
    t = time.perf_counter()
    report = run_demo(out, "Đồng Nai", scale, SEED, quiet=True)
    assert report["ok"], report
    timings["demo"] = time.perf_counter() - t
    ws = Workspace.open(out / "workspace")
    # run_demo ran every engine step: targets allocated, progress, a 20-day campaign ending on
    # the reference date, linkage, the potential lists and the demo users.
    return {"workspace": ws, "timings": timings}


def built_province() -> Path:
    """The built province (its ``workspace/``), built on first use and cached between runs
    (``shared_builds.shared_build``: ``.pytest_cache/baophu-builds/web-<key>``).  Parallel
    test workers (pytest-xdist) and ``make test``'s early build share the cache: one builds
    while the others wait on the lock, then copy what it built.  Built under the pinned
    rules, like every test."""
    if os.environ.get("BAOPHU_TEST_PROVINCE"):  # a province built by hand (development)
        return Path(os.environ["BAOPHU_TEST_PROVINCE"])
    from shared_builds import shared_build

    return shared_build(
        "web", f"{SCALE}-{SEED}", build, Path(__file__), keep="workspace/baophu.toml"
    )


def province_copy(target: Path) -> tuple[Path, Path]:
    """A writable copy of the built province's workspace in ``target`` (its operational
    database left out) and the generated folder it was imported from (read only)."""
    import shutil

    cached = built_province()
    shutil.copytree(cached / "workspace", target, ignore=shutil.ignore_patterns("*.sqlite*"))
    return target, cached / "province"


if __name__ == "__main__":
    import sys
    import tempfile

    if sys.argv[1:] == ["--cache"]:  # make test: the tests' cached province, built early
        print(built_province())  # tests/ is this script's folder, so on sys.path already
    else:
        out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
        print(build(out)["timings"])
