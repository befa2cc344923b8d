"""Targets on the web: an office allocates its target to its communes (preview, then confirm)
without touching the other offices' allocations; a target set by hand reaches progress."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import login, page_csrf


@pytest.fixture
def office_client(province_dir: Path, tmp_path: Path) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    """An office's staff signed in on a copy of the province: an allocation confirmed here
    replaces the hamlets' targets under that office, which the session's workspace (read by
    every other web test on this worker, e.g. the hamlet ranking's province rank) keeps."""
    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users
    from baophu.workspace import Workspace

    shutil.copytree(province_dir, tmp_path / "ws")
    workspace = Workspace.open(tmp_path / "ws")
    db = OperationalDB.connect(f"sqlite:///{tmp_path / 'op.sqlite'}")
    users = {u["role"]: u for u in seed_demo_users(workspace, db=db)}
    application = create_app(workspace, AppSettings(watch=False, secret_key="t"), db=db)
    with TestClient(application, follow_redirects=False) as client:
        assert login(client, users["office_staff"]["username"]).status_code == 303
        yield application, client, users
    db.dispose()


def _wait_jobs(app: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = app.state.ctx.jobs.recent()
        if all(j.finished for j in jobs):
            failed = [j.error for j in jobs if j.status == "failed"]
            assert not failed, failed
            return
        time.sleep(0.2)
    raise AssertionError("jobs did not finish")


def test_allocate_preview_confirm_and_set_by_hand(office_client: Any) -> None:
    app, client, users = office_client
    office = users["office_staff"]["scope_code"]
    snap = app.state.ctx.marts.get()
    others_before = snap.scalar(
        "SELECT count(*) FROM mart_targets_allocated WHERE indicator = 'bhyt_rate' AND "
        "level = 'commune' AND parent_code <> ?",
        [office],
    )
    assert others_before > 0
    page = client.get("/targets")
    assert page.status_code == 200 and "Phân bổ chỉ tiêu xuống cấp dưới" in page.text
    token = page_csrf(client, "/targets")
    r = client.post(
        "/targets/allocate/preview",
        data={
            "root": office,
            "indicator": "bhyt_rate",
            "method": "uplift",
            "to_level": "commune",
            "csrf_token": token,
        },
    )
    assert r.status_code == 200 and "Xác nhận phân bổ" in r.text, r.text[:500]
    preview = re.search(r'name="token" value="([^"]+)"', r.text)
    assert preview
    # nothing written yet
    assert (
        app.state.ctx.marts.get().scalar(
            "SELECT count(*) FROM mart_targets_allocated WHERE method = 'uplift'"
        )
        == 0
    )
    r = client.post(
        "/targets/allocate/confirm", data={"token": preview.group(1), "csrf_token": token}
    )
    assert r.status_code == 303
    _wait_jobs(app)
    snap = app.state.ctx.marts.get()
    communes = snap.scalar(
        "SELECT count(*) FROM units WHERE level = 'commune' AND parent_code = ?", [office]
    )
    mine = snap.rows(
        "SELECT method FROM mart_targets_allocated WHERE indicator = 'bhyt_rate' AND parent_code = ?",
        [office],
    )
    assert len(mine) == communes and {r["method"] for r in mine} == {"uplift"}
    others_after = snap.scalar(
        "SELECT count(*) FROM mart_targets_allocated WHERE indicator = 'bhyt_rate' AND "
        "level = 'commune' AND parent_code <> ?",
        [office],
    )
    assert others_after == others_before  # the other offices' allocations are kept
    # the same preview token cannot be used twice
    again = client.post(
        "/targets/allocate/confirm", data={"token": preview.group(1), "csrf_token": token}
    )
    assert again.status_code == 404

    commune = users["commune_official"]["scope_code"]
    population = snap.scalar(
        "SELECT population FROM mart_coverage_by_unit WHERE unit_code = ?", [commune]
    )
    want = population // 3  # a plausible target, under the commune's population
    r = client.post(
        "/targets/set",
        data={
            "unit_code": commune,
            "indicator": "voluntary_participants",
            "value": f"{want:,}".replace(",", "."),
            "year": "2026",
            "source": "Kế hoạch của BHXH cơ sở",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303
    _wait_jobs(app)
    row = app.state.ctx.marts.get().one(
        "SELECT target_people, origin FROM mart_achievement_by_unit WHERE unit_code = ? "
        "AND indicator = 'voluntary_participants' AND hierarchy = 'units'",
        [commune],
    )
    assert row == {"target_people": want, "origin": "manual"}
    # a commune official may not set their own commune's target (it comes from above)
    c = TestClient(app, follow_redirects=False)
    assert login(c, users["commune_official"]["username"]).status_code == 303
    r = c.post(
        "/targets/set",
        data={
            "unit_code": commune,
            "indicator": "bhyt_rate",
            "value": "99%",
            "year": "2026",
            "csrf_token": page_csrf(c, "/targets"),
        },
    )
    assert r.status_code == 403
