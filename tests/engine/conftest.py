"""Engine tests read the pinned parameter and policy files (``tests/pinned_rules.py``), not
the live ones: their expected figures are computed by hand from the pinned values, and the
marts they check carry the pinned ``rule_version``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pinned_rules import pinned


@pytest.fixture(scope="module", autouse=True)
def pinned_rules() -> Iterator[None]:
    """Module-wide, so module-scoped workspaces are computed under the pinned rules too."""
    with pinned():
        yield
