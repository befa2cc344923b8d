"""docs/architecture.md matches the code: the modules it names exist, every package of
baophu is named, the layers are the ones import-linter checks, and the engine's entry points
are importable."""

from __future__ import annotations

import configparser
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "baophu"
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _layers_block() -> list[str]:
    found = re.search(r"```text\n(.*?)```", DOC, re.S)
    assert found, "no layers block in docs/architecture.md"
    return [line.strip() for line in found.group(1).splitlines() if line.strip()]


def test_the_layers_are_those_import_linter_checks() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    layers = config["importlinter:contract:layers"]["layers"]
    checked = [line.strip() for line in layers.splitlines() if line.strip()]
    assert _layers_block() == checked


def test_every_package_and_top_module_is_named() -> None:
    names = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    for name in sorted(names):
        assert f"baophu.{name}" in DOC, name
    engine = {p.name for p in (SRC / "engine").iterdir() if (p / "__init__.py").exists()}
    for name in sorted(engine):
        assert f"`engine/{name}/`" in DOC, name


def _named_modules() -> set[Path]:
    """Every ``x.py`` the doc names, resolved against the package of its table row."""
    found: set[Path] = set()
    for line in DOC.splitlines():
        row = re.match(r"\| `([a-z_/.]+)` \|", line)
        folder = row.group(1) if row else ""
        base = SRC / folder if folder.endswith("/") else SRC
        for name in re.findall(r"`([a-z_/]+\.py)`", line):
            if name.startswith(("tests/", "scripts/")):
                found.add(ROOT / name)
            else:
                found.add((SRC / name) if "/" in name else (base / name))
    return found


def test_every_module_named_exists() -> None:
    named = _named_modules()
    assert len(named) > 60
    missing = sorted(str(p.relative_to(ROOT)) for p in named if not p.exists())
    assert not missing


def test_every_engine_entry_point_is_importable() -> None:
    entries = re.findall(r"`engine\.([a-z_]+)\.([a-z_]+)`", DOC)
    packages = {p.name for p in (SRC / "engine").iterdir() if (p / "__init__.py").exists()}
    assert {package for package, _ in entries} == packages
    for package, function in entries:
        module = importlib.import_module(f"baophu.engine.{package}")
        assert callable(getattr(module, function)), (package, function)
