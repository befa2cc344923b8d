"""Notices in batch: one PDF per employer and one workbook per case officer, from one query,
drawn by two processes."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from baophu.engine.compliance.run import run_compliance
from baophu.reports import notice_batch
from baophu.reports.notice_batch import write_notice_batch


def _cases() -> Any:
    path = Path(__file__).resolve().parents[1] / "engine" / "test_compliance_cases.py"
    spec = importlib.util.spec_from_file_location("compliance_cases", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # left out of make test-fast (seconds of work)
def test_batch_for_an_officer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases()
    ws = cases.new_workspace(tmp_path / "ws")
    cases.import_case(ws, cases.write_case_inputs(tmp_path / "inputs", cases.UNITS_CSV))
    monkeypatch.setattr(notice_batch, "CHUNK", 2)  # 5 notices → 3 chunks over 2 processes
    out = tmp_path / "out"
    with ws.store() as store:
        run_compliance(store, cases.REFERENCE, stages=("arrears",))
        result = write_notice_batch(store, dt.date(2025, 10, 1), out, officer_code="CB01")
    assert (result["notices"], result["pdf"], result["workbooks"]) == (5, 5, 1)
    folder = out / "CB01"
    pdfs = sorted(p.name for p in folder.glob("*.pdf"))
    assert pdfs == [f"{c}_2025-10.pdf" for c in ("DVA", "DVB", "DVC", "DVE", "DVF")]
    assert all((folder / p).read_bytes().startswith(b"%PDF-") for p in pdfs)
    sheet = load_workbook(folder / "C12-TS_CB01_2025-10.xlsx").active
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["STT", "Mã đơn vị", "Tên đơn vị"]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(5, values_only=True)}
    assert set(rows) == {"DVA", "DVB", "DVC", "DVE", "DVF"}
    # hand-computed in tests/engine/test_compliance_cases.py
    assert rows["DVA"]["Số dư cuối kỳ"] == 26_067_800
    assert rows["DVA"]["Lãi chậm đóng"] == 67_800
    assert rows["DVB"]["Số dư cuối kỳ"] == 8_000_000
    assert rows["DVC"]["Trong đó chậm đóng"] == 20_000_000  # July and August at 31/10
    assert rows["DVA"]["Hạn đóng"] == "30/11/2025"
