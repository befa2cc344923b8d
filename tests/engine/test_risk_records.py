"""A risk case about one record of one person (``risk.kinds.record_case``, ``record_vi``):
its id, person, evidence and evidence text, written out by hand."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa

from baophu.engine.risk.kinds import record_case, record_vi


def test_one_record_case_and_its_text() -> None:
    t = ibis.memtable(
        pa.table(
            {
                "eid": ["E01"],
                "pid": ["001234567890"],
                "name": ["Nguyễn Văn An"],
                "start": pa.array([dt.date(2026, 2, 1)]),
            }
        )
    )
    cases = record_case(
        t,
        "budget_ineligible",
        t.eid,
        t.pid,
        t.name,
        evidence_vi=record_vi("Thẻ", t.eid, "hộ nghèo", t.start),
        amount=ibis.literal(1000),
    )
    (row,) = ibis.duckdb.connect().to_pyarrow(cases).to_pylist()
    assert row["case_id"] == "budget_ineligible:E01"
    assert row["kind"] == "budget_ineligible"
    assert (row["person_id"], row["persons"]) == ("001234567890", "001234567890")
    assert row["full_name"] == "Nguyễn Văn An"
    assert row["evidence"] == "E01"
    assert row["evidence_vi"] == "Thẻ E01 (hộ nghèo, từ 01/02/2026)"
    assert row["amount"] == 1000
    assert row["collector_code"] is None
