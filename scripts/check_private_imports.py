"""No module imports another module's underscore name (run by ``make test``).

An underscore name (``_bare``, ``_NUMBER``) is private to the module that defines it: another
module that needs it makes it public first (a name without the underscore, in the right
module) instead of reaching in.  The check reads every ``.py`` under ``src/baophu`` with
``ast`` and reports each ``from baophu.x import _name`` and each ``module._name`` reached
through an imported baophu module (``import baophu.x as m; m._name``), except dunder names
(``__version__``) and a module's own package (``from baophu.pkg import _helper`` inside
``baophu/pkg/``… is still reported: a package's private names belong to its ``__init__``).

Usage: ``python scripts/check_private_imports.py [SRC]``; exit 1 with one line per import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SKIPPED: tuple[str, ...] = ()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def violations(src: Path, root_package: str = "baophu") -> list[str]:
    found: list[str] = []
    for path in sorted((src / root_package).rglob("*.py")):
        importer = module_name(path, src)
        if importer.startswith(SKIPPED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        aliases: dict[str, str] = {}  # local name → baophu module imported as a whole
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = _absolute(node, importer, path.name == "__init__.py")
                if not module.startswith(root_package):
                    continue
                for alias in node.names:
                    if _private(alias.name):
                        found.append(
                            f"{path}:{node.lineno}: {importer} imports {alias.name} from {module}"
                        )
                    else:
                        aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(root_package):
                        aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and aliases[node.value.id] != importer
            ):
                found.append(
                    f"{path}:{node.lineno}: {importer} uses {node.attr} of {aliases[node.value.id]}"
                )
    return found


def main() -> int:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "src"
    found = violations(src)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} import(s) of another module's underscore name")
        return 1
    print("no module imports another module's underscore name")
    return 0


if __name__ == "__main__":
    sys.exit(main())
