"""The province the document tests read: the web tests' small province (built once by
``tests/app/province_build.py`` and cached under the same key), copied for this session.

A plain module whose functions the tests' own fixtures call (not a ``conftest.py``: the web
tests import ``conftest`` by name, and a second one would shadow theirs)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

APP_TESTS = Path(__file__).resolve().parents[2] / "app"


def province_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the built province's workspace (built and cached on first use)."""
    if str(APP_TESTS) not in sys.path:
        sys.path.insert(0, str(APP_TESTS))
    from province_build import built_province

    cached = built_province()
    target = tmp_path_factory.mktemp("documents") / "workspace"
    shutil.copytree(cached / "workspace", target, ignore=shutil.ignore_patterns("*.sqlite*"))
    return target


def open_workspace(root: Path) -> Any:
    from baophu.workspace import Workspace

    return Workspace.open(root)
