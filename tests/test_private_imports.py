"""scripts/check_private_imports.py: no module imports another module's underscore name."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _checker():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "check_private_imports", ROOT / "scripts" / "check_private_imports.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_source_tree_has_none() -> None:
    assert _checker().violations(ROOT / "src") == []


def test_each_kind_of_reach_is_reported(tmp_path: Path) -> None:
    pkg = tmp_path / "baophu" / "engine"
    pkg.mkdir(parents=True)
    (tmp_path / "baophu" / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "hub.py").write_text("_bare = 1\nPUBLIC = 2\n__version__ = '1'\n", encoding="utf-8")
    (pkg / "a.py").write_text(
        "from baophu.engine.hub import _bare, PUBLIC, __version__\n", encoding="utf-8"
    )
    (pkg / "b.py").write_text("from .hub import _bare\n", encoding="utf-8")
    (pkg / "c.py").write_text(
        "import baophu.engine.hub as hub\nx = hub._bare\ny = hub.PUBLIC\n", encoding="utf-8"
    )
    (pkg / "d.py").write_text("def _own():\n    return 1\nz = _own()\n", encoding="utf-8")
    found = _checker().violations(tmp_path)
    assert len(found) == 3
    assert any("baophu.engine.a imports _bare from baophu.engine.hub" in f for f in found)
    assert any("baophu.engine.b imports _bare from baophu.engine.hub" in f for f in found)
    assert any("baophu.engine.c uses _bare of baophu.engine.hub" in f for f in found)
