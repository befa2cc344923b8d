"""The pinned legal parameters and policy the engine tests compute their expected figures
from (``tests/fixtures/*_pinned.toml``), and ``pinned()``, which makes them the rules and
policy in force for the code under test (``get_rules()``, ``get_policy()``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIXTURES = Path(__file__).with_name("fixtures")
PARAMETERS = FIXTURES / "parameters_pinned.toml"
POLICY = FIXTURES / "policy_pinned.toml"
RULE_VERSION = "pinned-2026.11.1"
POLICY_VERSION = "pinned-2026.12.1"


@contextmanager
def pinned() -> Iterator[None]:
    """The pinned files in force while the block runs (the live ones again afterwards)."""
    from baophu.rules import parameters

    saved = (parameters.DEFAULT_PATH, parameters.POLICY_PATH)
    parameters.DEFAULT_PATH, parameters.POLICY_PATH = PARAMETERS, POLICY
    parameters.get_rules.cache_clear()
    parameters.get_policy.cache_clear()
    try:
        yield
    finally:
        parameters.DEFAULT_PATH, parameters.POLICY_PATH = saved
        parameters.get_rules.cache_clear()
        parameters.get_policy.cache_clear()
