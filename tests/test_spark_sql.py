"""What the store teaches Ibis' PySpark compiler (backends.py), checked on the SQL it writes:
no Spark needed."""

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
