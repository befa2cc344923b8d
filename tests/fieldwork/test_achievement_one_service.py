"""One achievement and commission for the command line and the web (issue 12, item 4).

The hand-made commune of ``potential_hand``: collector NVT01 works Khu phố 1 (people A, B,
C, E, F, G).  Outcomes come both ways — a returned work sheet (the command line) and
``record_outcome`` (what the web's two clicks call) — and the two faces must show the same
figures, computed here by hand:

* returned sheet, imported on 20/11/2026: A contacted 02/11, B enrolled 05/11 (no amount
  written: the amount asked on the sheet, 884,520), C promised 03/11, F enrolled 06/11 with
  758,170 collected;
* on the web: A enrolled 19/11/2026 with the amount of A's list row (264,000 a month); E
  contacted 20/12/2025 (another year: not counted); K refused 10/11/2026 for NVT02;
* counted on 20/11/2026 for 2026: approached A, B, C, F = 4; enrolled A, B, F = 3, all in
  November; confirmed by the data: A only (B and F are still listed for BHYT, A only in the
  voluntary-BHXH pool) = 1; collected 264,000 + 884,520 + 758,170 = 1,906,690; commission
  at the placeholder rate of 5 %: 95,334.5 → 95,335 (half-up like every amount from a
  rate; Python's round() would give 95,334);
* NVT01's target (a row of the progress mart, hierarchy ``agents``): 40 people for
  BHYT, 30 achieved by the data, 75 %, 10 to go.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from potential_hand import copy_workspace, fill_work_sheet, pid

os.environ.setdefault("BAOPHU_PASSWORD_HASH", "fast")
ON = dt.date(2026, 11, 20)
PASSWORD = "mat-khau-thu-nghiem"
EXPECTED = {
    "approached": 4,
    "enrolled": 3,
    "enrolled_this_month": 3,
    "confirmed": 1,
    "amount_collected": 1_906_690,
    "commission": 95_335,
    "commission_rate": 0.05,
    "commission_status": "placeholder",
}


@pytest.fixture(scope="module")
def ws(hand_commune: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The session's hand-made commune, copied, with the outcomes and the target above."""
    base = tmp_path_factory.mktemp("achievement")
    workspace = copy_workspace(hand_commune, base / "ws")
    _record_outcomes(workspace, base)
    _write_target(workspace)
    return workspace


def _returned_sheet(workspace: Any, folder: Path) -> Path:
    """NVT01's work sheet with four outcomes written in, as a collector returns it."""
    from baophu.reports.collector_workbook import write_owner_workbook

    with workspace.store() as store:
        written = write_owner_workbook(store, "collector", "NVT01", folder)
    assert written is not None
    edits = {
        pid("A"): ("Đã liên hệ", "02/11/2026", None),
        pid("B"): ("Đã tham gia", "05/11/2026", None),
        pid("C"): ("Hẹn tham gia", "03/11/2026", None),
        pid("F"): ("Đã tham gia", "06/11/2026", "758.170"),
    }
    return fill_work_sheet(Path(written["path"]), edits)


def _person(workspace: Any, key: str, owner: str) -> dict[str, Any]:
    with workspace.store() as store:
        t = store.read_mart("potential_persons")
        rows = t.filter((t.row_key == pid(key)) & (t.owner_code == owner)).to_pyarrow()
    return rows.to_pylist()[0]


def _record_outcomes(workspace: Any, base: Path) -> None:
    from baophu.fieldwork import import_outcomes, operational
    from baophu.operational.outcomes import record_outcome

    sheet = _returned_sheet(workspace, base / "sheets")
    with workspace.store() as store:
        done = import_outcomes(workspace, store, sheet, username="nvt01", today=ON)
    assert done["status"] == "imported" and done["rows"] == 4, done
    db = operational(workspace)
    try:
        a = _person(workspace, "A", "NVT01")
        assert a["amount"] == 264_000 and a["reasons"] == "voluntary_pool"
        record_outcome(db, a, "enrolled", "nvt01", collector_code="NVT01", on=dt.date(2026, 11, 19))
        e = _person(workspace, "E", "NVT01")
        record_outcome(
            db, e, "contacted", "nvt01", collector_code="NVT01", on=dt.date(2025, 12, 20)
        )
        k = _person(workspace, "K", "NVT02")
        record_outcome(db, k, "refused", "nvt02", collector_code="NVT02", on=dt.date(2026, 11, 10))
    finally:
        db.dispose()


def _write_target(workspace: Any) -> None:
    import ibis

    row = {
        "year": 2026,
        "unit_code": "NVT01",
        "indicator": "bhyt_rate",
        "hierarchy": "agents",
        "level": "collector",
        "target_people": 40,
        "achieved": 30,
        "achievement_ratio": 0.75,
        "gap": 10,
    }
    with workspace.store() as store:
        store.write_mart("achievement_by_unit", ibis.memtable([row]), store.stamp("2026-10-31"))


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Both faces count on ``ON`` (the service's one 'today')."""
    import baophu.fieldwork.collectors as service

    monkeypatch.setattr(service, "today", lambda: ON)
    return ON


def _cli(ws: Any) -> dict[str, Any]:
    from baophu.cli import app

    args = ["lists", "achievement", "-w", str(ws.root), "--year", "2026", "--json"]
    result = CliRunner().invoke(app, [*args, "--collector", "NVT01"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _web_page(ws: Any, tmp_path: Path) -> str:
    return _web_pages(ws, tmp_path, 1)[0]


def _web_pages(ws: Any, tmp_path: Path, times: int) -> list[str]:
    from fastapi.testclient import TestClient

    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import create_user

    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy)
    from baophu.workspace import Workspace

    workspace = Workspace.open(copy)
    db = OperationalDB.connect(f"sqlite:///{copy / 'operational.sqlite'}")
    create_user(db, "nvt01", "Nguyễn Thị Thu", PASSWORD, "collector", "NVT01", replace=True)
    application = create_app(workspace, AppSettings(watch=False, secret_key="t"), db=db)
    with TestClient(application, follow_redirects=False) as client:
        login = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token is not None
        r = client.post(
            "/login",
            data={"username": "nvt01", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert r.status_code == 303, r.text
        pages = [client.get("/collectors/NVT01") for _ in range(times)]
        assert all(page.status_code == 200 for page in pages), pages[-1].text
        return [page.text for page in pages]


def _testid(html: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1)


def test_cli_gives_the_hand_computed_figures(ws: Any, on_day: dt.date) -> None:
    result = _cli(ws)
    assert result["year"] == 2026 and result["on"] == "2026-11-20"
    assert result["commission_on"] == "2026-11-20"
    (nvt,) = result["collectors"]
    for key, value in EXPECTED.items():
        assert nvt[key] == value, key
    assert nvt["by_outcome"] == {
        "enrolled": 3,
        "promised": 1,
        "contacted": 0,
        "refused": 0,
        "moved": 0,
        "deceased": 0,
        "wrong_data": 0,
    }
    assert nvt["collector_name"] == "Nguyễn Thị Thu" and nvt["agent_code"] == "DL01"
    (target,) = nvt["targets"]
    assert (target["indicator"], target["target_people"], target["achieved"]) == (
        "bhyt_rate",
        40,
        30,
    )
    assert (target["achievement_ratio"], target["gap"]) == (0.75, 10)


def test_web_shows_the_same_figures(ws: Any, on_day: dt.date, tmp_path: Path) -> None:
    html = _web_page(ws, tmp_path)
    assert _testid(html, "approached") == "4"
    assert _testid(html, "enrolled") == "3"
    assert _testid(html, "commission") == "95.335 đ"
    assert "trong tháng: 3; dữ liệu đã xác nhận: 1" in html
    assert "5,0% × 1.906.690 đ (tỷ lệ tạm, chờ quyết định)" in html
    assert "<strong>40</strong> người · theo dữ liệu đã nhập đạt 30 (75,0%), còn thiếu 10" in html
    # and the command line, on the same data, says the same
    nvt = _cli(ws)["collectors"][0]
    assert (nvt["approached"], nvt["enrolled"], nvt["commission"]) == (4, 3, 95_335)


def test_no_rate_in_force_means_no_commission(ws: Any, on_day: dt.date) -> None:
    from baophu.fieldwork import achievement, commission_in_force, operational

    before = commission_in_force(dt.date(2024, 12, 31))  # the placeholder starts 2025-01-01
    assert (before.rate, before.status, before.of(1_000_000)) == (None, "missing", None)
    db = operational(ws)
    try:
        with ws.store() as store:
            past = achievement(db, store, 2024, collector="NVT01")
    finally:
        db.dispose()
    assert past["commission_on"] == "2024-12-31" and past["commission_status"] == "missing"
    nvt = past["collectors"][0]
    assert (nvt["approached"], nvt["commission"]) == (0, None)


def test_the_webs_copy_reads_the_collectors_targets_and_names_once(
    ws: Any, on_day: dt.date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The web's copy of the marts never changes, so every collector's targets and names are
    read from it once (``Store.memo``) and each page takes its own from them: three pages,
    one read of each, the same figures on all three.  The command line reads them every time
    (a workspace may change between two commands)."""
    import baophu.fieldwork.collectors as service

    reads = {"targets": 0, "names": 0}
    targets, names = service._targets_by_collector, service._names_by_collector

    def counted_targets(store: Any, year: int) -> Any:
        reads["targets"] += 1
        return targets(store, year)

    def counted_names(store: Any) -> Any:
        reads["names"] += 1
        return names(store)

    monkeypatch.setattr(service, "_targets_by_collector", counted_targets)
    monkeypatch.setattr(service, "_names_by_collector", counted_names)
    pages = _web_pages(ws, tmp_path, 3)
    assert reads == {"targets": 1, "names": 1}
    for html in pages:
        assert _testid(html, "commission") == "95.335 đ"
        assert "<strong>40</strong> người · theo dữ liệu đã nhập đạt 30 (75,0%)" in html
        assert "Nguyễn Thị Thu" in html
    _cli(ws)
    _cli(ws)
    assert reads == {"targets": 3, "names": 3}
