"""The generator's modules import each other in one direction only, at the top of the file."""

from __future__ import annotations

import ast
from pathlib import Path

import baophu.synth

SYNTH = Path(baophu.synth.__file__).parent


def _imports() -> tuple[dict[str, set[str]], list[str]]:
    graph: dict[str, set[str]] = {}
    nested: list[str] = []
    for path in sorted(SYNTH.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            mine = {n.split(".")[2] for n in names if n.startswith("baophu.synth.")}
            mine &= {p.stem for p in SYNTH.glob("*.py")}
            targets |= mine
            if mine and node not in tree.body:
                nested.append(f"{path.name}:{node.lineno}")
        graph[path.stem] = targets - {path.stem}
    return graph, nested


def test_no_import_cycles_and_no_function_level_imports() -> None:
    graph, nested = _imports()
    assert nested == []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != 1, " → ".join([*trail, node, nxt])
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [])
