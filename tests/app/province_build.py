"""Builds the small province every web test reads: the demo pipeline at a small scale, then
targets, the campaign, the potential lists and the demo users (``build``), cached between
runs while the sources that shape it are unchanged (``built_province``).

``make test`` starts ``python tests/app/province_build.py --cache`` beside the lint and type
checks, which keep one core busy, so the province is often ready (or nearly) when the web
tests ask for it; the tests take the same lock and wait for it, or build it themselves.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
from pathlib import Path
from typing import Any

SCALE = 0.01
ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "baophu"


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


def fingerprint() -> str:
    """The cache key: every file of ``src/baophu`` outside ``app/``, this script and the
    pinned rules the province is computed under (``tests/conftest.py``)."""
    h = hashlib.sha256()
    files = [
        p
        for p in sorted(SRC.rglob("*"))
        if p.is_file() and "app" not in p.relative_to(SRC).parts[:1]
    ]
    files.append(Path(__file__))
    files += sorted((ROOT / "tests" / "fixtures").glob("*.toml"))
    files.append(ROOT / "tests" / "pinned_rules.py")
    for p in files:
        if "__pycache__" in p.parts:
            continue
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def built_province() -> Path:
    """The built province (its ``workspace/``), built on first use and cached between runs
    in ``.pytest_cache/baophu-web/<fingerprint>``.  Parallel test workers (pytest-xdist) and
    ``make test``'s early build share the cache: one builds while the others wait on the
    lock, then copy what it built.  Built under the pinned rules, like every test."""
    if os.environ.get("BAOPHU_TEST_PROVINCE"):  # a province built by hand (development)
        return Path(os.environ["BAOPHU_TEST_PROVINCE"])
    from pinned_rules import pinned

    cache_root = Path(os.environ.get("BAOPHU_TEST_CACHE", ROOT / ".pytest_cache" / "baophu-web"))
    key = fingerprint()
    cached = cache_root / key
    cache_root.mkdir(parents=True, exist_ok=True)
    with (cache_root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cached / "workspace" / "baophu.toml").exists():
            tmp = cache_root / f".{key}.building-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            with pinned():
                build(tmp)
            shutil.rmtree(tmp / "province", ignore_errors=True)  # the inputs are not needed
            for old in cache_root.glob("*"):
                if old.name != tmp.name and (
                    not old.name.startswith(".") or ".building-" in old.name
                ):
                    shutil.rmtree(old, ignore_errors=True)  # older keys, interrupted builds
            tmp.rename(cached)
    return cached


if __name__ == "__main__":
    import sys
    import tempfile

    if sys.argv[1:] == ["--cache"]:  # make test: the tests' cached province, built early
        sys.path.insert(0, str(ROOT / "tests"))
        print(built_province())
    else:
        out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
        print(build(out)["timings"])
