"""Builds that several test modules share (a synthetic province generated, imported and
computed), made once per state of the sources and kept on disk between runs.

pytest-xdist's workers are separate processes, so a session fixture alone builds once per
worker.  Here one process builds under a lock while the others wait, then every one reads
what it built: ``shared_build(name, params, build)`` returns the folder.  A test that
changes a build (a new import, a target set by hand) works on its own copy
(``shutil.copytree``); a DuckDB workspace is opened for writing by one process at a time.

The key is the build's name and parameters and every file of ``src/baophu`` outside
``app/``, the pinned rules the tests compute under and this file: a change to any of them
builds again, and older builds of the same name are removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "baophu"


def source_fingerprint(*extra: Path) -> str:
    """A hash of every file of ``src/baophu`` outside ``app/``, the pinned rules, this file
    and ``extra``."""
    h = hashlib.sha256()
    files = [
        p
        for p in sorted(SRC.rglob("*"))
        if p.is_file() and "app" not in p.relative_to(SRC).parts[:1]
    ]
    files += [Path(__file__), *extra]
    files += sorted((ROOT / "tests" / "fixtures").glob("*.toml"))
    files.append(ROOT / "tests" / "pinned_rules.py")
    for p in files:
        if "__pycache__" in p.parts:
            continue
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    return Path(os.environ.get("BAOPHU_TEST_CACHE", ROOT / ".pytest_cache" / "baophu-builds"))


def shared_build(
    name: str, params: str, build: Callable[[Path], None], *extra: Path, keep: str = ""
) -> Path:
    """The folder ``build(folder)`` filled, built on first use under the pinned rules and
    cached in ``cache_root()/<name>-<key>``; ``keep`` names a file whose presence marks a
    finished build (default: the folder itself, renamed into place when complete)."""
    from pinned_rules import pinned

    root = cache_root()
    key = hashlib.sha256(f"{params}|{source_fingerprint(*extra)}".encode()).hexdigest()[:16]
    done = root / f"{name}-{key}"
    root.mkdir(parents=True, exist_ok=True)
    with (root / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists() and (not keep or (done / keep).exists()):
            return done
        tmp = root / f".{name}-{key}.building-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        with pinned():
            build(tmp)
        for old in root.glob(f"{name}-*"):
            shutil.rmtree(old, ignore_errors=True)  # older keys
        for old in root.glob(f".{name}-*.building-*"):
            if old != tmp:
                shutil.rmtree(old, ignore_errors=True)  # interrupted builds
        tmp.rename(done)
    return done


def workspace_copy(built: Path, copy_to: Path, saved: str) -> tuple[Any, dict[str, Any]]:
    """A writable copy of a shared build's ``ws/`` in ``copy_to``, opened, and the JSON the
    build saved beside it (``saved``, a file name in the build's folder)."""
    import json

    from baophu.workspace import Workspace

    shutil.copytree(built / "ws", copy_to)
    return Workspace.open(copy_to), json.loads((built / saved).read_text(encoding="utf-8"))
