"""Prices above the tender price on hand-made lines, where tender rows overlap, end and
start again, and a facility has its own price: the reference of a line is the highest price
of its own facility in force on its day, else the highest general one (``ordered_at``, else
the admission day).  Expected flags worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from baophu.engine.claims.checks import price_above_tender

D = dt.date
T = dt.datetime

# Drug A: 100 from 01/01 to 31/03/2025 and 110 from 01/03/2025 on (March: both, the highest
# is 110); at facility F1 only, 90 from 15/03 to 20/03/2025.  Service S1: 50 from 01/01/2025.
TENDER = pa.table(
    {
        "item_kind": ["drug", "drug", "drug", "service"],
        "item_code": ["A", "A", "A", "S1"],
        "facility_code": [None, None, "F1", None],
        "valid_from": [D(2025, 1, 1), D(2025, 3, 1), D(2025, 3, 15), D(2025, 1, 1)],
        "valid_to": [D(2025, 3, 31), None, D(2025, 3, 20), None],
        "unit_price": [100.0, 110.0, 90.0, 50.0],
    }
)
# (facility, claim, line, ordered_at, price, fund)
DRUGS = [
    ("F1", "C1", 1, T(2025, 2, 10, 8), 105.0, 84.0),  # 100 → over: 84 × 5 / 105 = 4
    ("F1", "C2", 1, T(2025, 3, 10, 8), 105.0, 84.0),  # March: 110 → not over
    ("F1", "C3", 1, T(2025, 3, 16, 8), 100.0, 90.0),  # own 90 before 110 → 90 × 10 / 100 = 9
    ("F1", "C4", 1, T(2025, 3, 21, 8), 100.0, 90.0),  # own price ended 20/03: 110 → not
    ("F2", "C5", 1, T(2025, 3, 16, 8), 100.0, 90.0),  # no price of its own: 110 → not
    ("F1", "C6", 1, None, 999.0, 999.0),  # admitted 31/12/2024: no price in force → not
    ("F1", "C7", 1, None, 101.0, 101.0),  # admitted 01/02/2025: 100 → 101 × 1 / 101 = 1
    ("F1", "C8", 1, T(2025, 4, 1, 8), 120.0, 60.0),  # 100 ended 31/03: 110 → 60 × 10 / 120 = 5
]
# (facility, claim, line, service code, supply code, ordered_at, price, fund)
SERVICES = [
    ("F1", "C1", 2, "S1", None, T(2025, 2, 10, 9), 60.0, 60.0),  # 50 → 60 × 10 / 60 = 10
    ("F1", "C2", 2, None, "S1", T(2025, 3, 10, 9), 999.0, 999.0),  # a supply S1: no price
]
ADMIT = {"C6": D(2024, 12, 31), "C7": D(2025, 2, 1)}


def _tables() -> tuple[ibis.Table, ibis.Table, ibis.Table, ibis.Table]:
    drugs = pa.Table.from_pylist(
        [{"facility_code": f, "claim_code": c, "line_no": n, "drug_code": "A", "ordered_at": at,
          "unit_price": price, "fund_paid": fund} for f, c, n, at, price, fund in DRUGS]
    )  # fmt: skip
    services = pa.Table.from_pylist(
        [{"facility_code": f, "claim_code": c, "line_no": n, "service_code": s, "supply_code": m,
          "ordered_at": at, "unit_price_insured": price, "fund_paid": fund}
         for f, c, n, s, m, at, price, fund in SERVICES]
    )  # fmt: skip
    claims = sorted({(f, c) for f, c, *_ in DRUGS})
    v = pa.Table.from_pylist(
        [{"facility_code": f, "claim_code": c, "admit_day": ADMIT.get(c, D(2025, 1, 2)),
          "month_index": 2025 * 12 + 2, "person_id": f"P{c}", "card_number": f"GD{c}",
          "department_code": "K01", "fund_paid": 1000.0} for f, c in claims]
    )  # fmt: skip
    return ibis.memtable(drugs), ibis.memtable(services), ibis.memtable(TENDER), ibis.memtable(v)


def test_reference_is_own_price_else_highest_general_in_force() -> None:
    drugs, services, tender, v = _tables()
    con = ibis.duckdb.connect()
    rows = con.to_pyarrow(price_above_tender(drugs, services, tender, v)).to_pylist()
    got = {r["claim_code"]: r for r in rows}
    assert set(got) == {"C1", "C3", "C7", "C8"}
    assert {r["rule"] for r in rows} == {"price_above_tender"}
    assert got["C1"]["observed"] == pytest.approx(60 / 50)  # the higher of 105/100, 60/50
    assert got["C1"]["amount_at_stake"] == 14  # 4 + 10
    assert got["C3"]["observed"] == pytest.approx(100 / 90)
    assert got["C3"]["amount_at_stake"] == 9
    assert got["C7"]["observed"] == pytest.approx(101 / 100)
    assert got["C7"]["amount_at_stake"] == 1
    assert got["C8"]["observed"] == pytest.approx(120 / 110)
    assert got["C8"]["amount_at_stake"] == 5
