"""The province the document tests read: the web tests' small province (built once by
``tests/province_build.py`` and cached under the same key), copied for this session.

A plain module whose functions the tests' own fixtures call (not a ``conftest.py``: the web
tests import ``conftest`` by name, and a second one would shadow theirs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def province_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the built province's workspace (built and cached on first use)."""
    from province_build import province_copy as copy

    return copy(tmp_path_factory.mktemp("documents") / "workspace")[0]


def open_workspace(root: Path) -> Any:
    from baophu.workspace import Workspace

    return Workspace.open(root)
