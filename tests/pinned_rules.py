"""The pinned legal parameters and policy the tests compute their expected figures from
(``tests/fixtures/*_pinned.toml``): ``pinned()`` makes them the rules and policy in force for
the code under test (``get_rules()``, ``get_policy()``) — for the whole session, see
``tests/conftest.py`` — and ``live()`` the files of ``src/baophu/rules`` again (the law's own
tests, ``tests/rules``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).with_name("fixtures")
PARAMETERS = FIXTURES / "parameters_pinned.toml"
POLICY = FIXTURES / "policy_pinned.toml"
RULE_VERSION = "pinned-2026.11.1"
POLICY_VERSION = "pinned-2026.12.4"


@contextmanager
def in_force(parameters_path: Path, policy_path: Path) -> Iterator[None]:
    """These files in force while the block runs (the previous ones again afterwards)."""
    from baophu.rules.parameters import use_files

    saved = use_files(parameters_path, policy_path)
    try:
        yield
    finally:
        use_files(*saved)


def pinned() -> Any:
    """The pinned files in force while the block runs."""
    return in_force(PARAMETERS, POLICY)


def live() -> Any:
    """The live files of ``src/baophu/rules`` in force while the block runs."""
    from baophu.rules import parameters

    src = Path(parameters.__file__).parent
    return in_force(src / "parameters.toml", src / "policy.toml")
