"""What the store teaches Ibis' compilers (backends.py), checked on the SQL they write: no
Spark or database needed."""

from __future__ import annotations

import ibis

import baophu.backends  # noqa: F401  (the compile rules are added when it is imported)


def test_an_int64_literal_is_a_bigint_on_spark() -> None:
    """A bare ``1`` is an INT for Spark: ``SHIFTLEFT(1, k) << 24`` lost the upper bits of the
    coverage step's packed date masks (residents insured in another province went missing
    on Spark).  The literal is written as a BIGINT."""
    t = ibis.table({"k": "int64"}, name="t")
    one = ibis.literal(1, "int64")
    sql = ibis.to_sql(t.select(x=(one << t.k) << 24), dialect="pyspark")
    assert "SHIFTLEFT(CAST(1 AS BIGINT)" in sql
    # small literals Ibis types int8 stay bare numbers
    assert "CAST(24 AS" not in sql


def test_bit_or_compiles_on_spark() -> None:
    t = ibis.table({"k": "int64"}, name="t")
    sql = ibis.to_sql(t.aggregate(x=t.k.bit_or()), dialect="pyspark")
    assert "BIT_OR" in sql.upper()


def _joins_of_subqueries() -> ibis.Table:
    """A filtered, renamed relation joined to itself and to an aggregate of it: each side of
    each join a reference to an aliased subquery, the shape the engine's steps compile."""
    t = ibis.table({"k": "int64", "v": "string", "d": "date"}, name="t")
    a = t.filter(t.k > 0).select("k", w=t.v.upper(), d="d")
    b = a.group_by("k").aggregate(n=a.w.count())
    c = a.join(b, "k").join(a.select("k", w2="w"), "k", how="left")
    return c.join(c.view(), "k").select("k", "w", "n", "w2")


def test_join_references_compile_to_the_same_sql_without_copying(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A join's reference to a subquery is aliased without a deep copy of the subquery (the
    rule in backends.py); the SQL is Ibis' own, character for character, on both dialects."""
    import sqlglot.expressions as sge
    from ibis.backends.sql.compilers.base import SQLGlotCompiler

    copies = 0
    deepcopy = sge.Subquery.__deepcopy__

    def counted(self, memo):  # type: ignore[no-untyped-def]
        nonlocal copies
        copies += 1
        return deepcopy(self, memo)

    monkeypatch.setattr(sge.Subquery, "__deepcopy__", counted)
    expr = _joins_of_subqueries()
    ours: dict[str, tuple[str, int]] = {}
    theirs: dict[str, tuple[str, int]] = {}
    for dialect in ("duckdb", "pyspark"):
        copies = 0
        sql = ibis.to_sql(expr, dialect=dialect)
        ours[dialect] = (sql, copies)
        with monkeypatch.context() as m:
            m.setattr(SQLGlotCompiler, "visit_JoinReference", SQLGlotCompiler.visit_SelfReference)
            copies = 0
            sql = ibis.to_sql(expr, dialect=dialect)
            theirs[dialect] = (sql, copies)
    for dialect in ("duckdb", "pyspark"):
        assert ours[dialect][0] == theirs[dialect][0]
        assert "JOIN" in ours[dialect][0]
        # Ibis copies a referenced subquery to alias it; the rule leaves only the copies
        # sqlglot makes of the whole statement when it writes SQL
        assert ours[dialect][1] < theirs[dialect][1], (ours[dialect][1], theirs[dialect][1])
