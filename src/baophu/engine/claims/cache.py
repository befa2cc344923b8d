"""How the claims engine materialises an intermediate that several expressions read: a
``Cache`` takes an expression and returns a table of its rows (``Store.temporary_tables``
in the ``claims`` step), so the backend computes it once instead of once per reader.
``keep`` — the default, for tests that call a function alone — returns the expression."""

from __future__ import annotations

from collections.abc import Callable

from ibis.expr.types import Table

Cache = Callable[[Table], Table]


def keep(t: Table) -> Table:
    return t
