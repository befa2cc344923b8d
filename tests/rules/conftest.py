"""The law's own tests read the live parameter and policy files (every other test reads the
pinned copies, ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pinned_rules import live


@pytest.fixture(scope="module", autouse=True)
def live_rules() -> Iterator[None]:
    with live():
        yield
