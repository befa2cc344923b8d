"""The engine's shared text expressions (``engine.text``) on hand-picked values, the
expected text written out by hand."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa

from baophu.engine.text import dmy, label_or_code, my


def _texts(expr_of: dict[str, ibis.Value], t: ibis.Table) -> list[dict[str, str | None]]:
    con = ibis.duckdb.connect()
    return con.to_pyarrow(t.select(**expr_of)).to_pylist()  # type: ignore[no-any-return]


def test_dates_and_months_are_zero_padded_and_null_stays_null() -> None:
    t = ibis.memtable(
        pa.table({"day": pa.array([dt.date(2026, 1, 5), dt.date(2025, 12, 31), None])})
    )
    got = _texts({"d": dmy(t.day), "m": my(t.day)}, t)
    assert got == [
        {"d": "05/01/2026", "m": "01/2026"},
        {"d": "31/12/2025", "m": "12/2025"},
        {"d": None, "m": None},
    ]


def test_a_code_without_a_label_is_shown_as_itself() -> None:
    t = ibis.memtable(pa.table({"code": ["poor", "other", None]}))
    got = _texts({"text": label_or_code(t.code, {"poor": "hộ nghèo"})}, t)
    assert [r["text"] for r in got] == ["hộ nghèo", "other", None]
