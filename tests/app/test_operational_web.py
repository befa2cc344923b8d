"""What the web application writes to the operational database, on SQLite and on PostgreSQL:
login throttling, outcomes recorded by a collector changing their achievement, users created
by an administrator, and the audit log of all of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import PASSWORD, csrf_of, login, page_csrf


@pytest.fixture
def op_app(operational_url: str, workspace: Any) -> Iterator[Any]:
    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users

    db = OperationalDB.connect(operational_url)
    users = {u["role"]: u for u in seed_demo_users(workspace, db=db)}
    application = create_app(workspace, AppSettings(watch=False, secret_key="t"), db=db)
    with TestClient(application, follow_redirects=False) as client:
        yield application, client, users, db
    db.dispose()


def test_login_slows_down_per_name_and_address_and_the_address_throttle(op_app: Any) -> None:
    """Five failures for a name from one address slow further attempts from that address
    (429 with the wait), but never lock the account: from another address, and after the
    wait, the right password gets in.  The address throttle holds after a success."""
    from baophu.operational import AuditEvent, LoginThrottle

    app, client, _, db = op_app
    for _ in range(5):
        assert login(client, "coso", "wrong-password").status_code == 401
    r = login(client, "coso", PASSWORD)  # too early: the same answer as for a wrong password
    assert r.status_code == 429 and "chờ" in r.text
    with db.session() as s:
        row = s.get(LoginThrottle, ("coso", "testclient"))
        assert row is not None and row.failures == 5 and row.next_attempt_at is not None
        failed = s.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
        assert len(failed) >= 6 and {e.role for e in failed} == {"anonymous"}
    with db.session() as s:  # the wait is over (1 s after the 5th failure)
        s.get(LoginThrottle, ("coso", "testclient")).next_attempt_at = None
    assert login(client, "coso", PASSWORD).status_code == 303

    throttle = app.state.ctx.throttle
    try:
        for i in range(20):
            login(TestClient(app, follow_redirects=False), f"nobody{i}", "x")
        r = login(TestClient(app, follow_redirects=False), "quantri", PASSWORD)
        assert r.status_code == 429 and "Quá nhiều lần" in r.text
    finally:
        throttle._failures.clear()
    assert login(TestClient(app, follow_redirects=False), "quantri", PASSWORD).status_code == 303


def _achievement(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="(\w+)">([^<]*)<', html))


def test_recording_an_outcome_changes_achievement(op_app: Any) -> None:
    from baophu.operational import AuditEvent, FieldOutcome

    app, client, users, db = op_app
    code = users["collector"]["scope_code"]
    assert login(client, users["collector"]["username"]).status_code == 303
    page = client.get(f"/collectors/{code}")
    assert page.status_code == 200
    before = _achievement(page.text)
    handles = re.findall(r'data-row="([^"]+)"', page.text)
    assert handles, "the collector's list is empty"
    token = csrf_of(page.text)
    r = client.post(
        f"/collectors/{code}/outcomes",
        data={"row": handles[0], "outcome": "enrolled"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert r.status_code == 200
    assert "Đã tham gia" in r.text and 'hx-swap-oob="true"' in r.text
    after = _achievement(r.text)
    assert int(after["enrolled"]) == int(before["enrolled"]) + 1
    assert int(after["approached"]) == int(before["approached"]) + 1
    # a second outcome for the same person replaces the first in the counts
    r = client.post(
        f"/collectors/{code}/outcomes",
        data={"row": handles[0], "outcome": "promised"},
        headers={"X-CSRF-Token": token},
    )
    assert int(_achievement(r.text)["enrolled"]) == int(before["enrolled"])
    snap = app.state.ctx.marts.get()
    ord_ = int(handles[0].rsplit("-", 1)[1])
    key = snap.scalar("SELECT row_key FROM mart_potential_persons WHERE ord = ?", [ord_])
    with db.session() as s:
        rows = s.scalars(select(FieldOutcome).where(FieldOutcome.row_key == key)).all()
        assert [o.outcome for o in rows] == ["enrolled", "promised"]
        assert rows[0].collector_code == code and rows[0].source == "web"
        assert rows[0].recorded_by == users["collector"]["username"]
        recorded = s.scalars(select(AuditEvent).where(AuditEvent.action == "record")).all()
        assert len(recorded) == 2
        # every event carries the role, and its detail never the full ID
        assert {e.role for e in recorded} == {"collector"}
        assert all(key not in (e.detail or "") for e in recorded)
        assert any(f"********{key[-4:]}" in (e.detail or "") for e in recorded)
    # someone else's person is refused: a row of another collector's list
    version = handles[0].rsplit("-", 1)[0]
    other = snap.scalar(
        "SELECT min(ord) FROM mart_potential_persons WHERE owner_type = 'collector' "
        "AND owner_code <> ?",
        [code],
    )
    r = client.post(
        f"/collectors/{code}/outcomes",
        data={"row": f"{version}-{other}", "outcome": "enrolled"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 403
    # a handle of an earlier version of the list is refused (the page must be reloaded)
    r = client.post(
        f"/collectors/{code}/outcomes",
        data={"row": f"zz-{ord_}", "outcome": "enrolled"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 409
    # the engine reads the last outcome per row_key from the same table
    from baophu.operational.outcomes import last_outcomes_table

    table = last_outcomes_table(db).to_pylist()
    mine = next(t for t in table if t["row_key"] == key)
    assert mine["last_outcome"] == "promised" and mine["contacts"] == 2


def test_administrator_creates_a_user_who_can_log_in(op_app: Any) -> None:
    from baophu.operational import AuditEvent

    app, client, users, db = op_app
    assert login(client, "quantri").status_code == 303
    token = page_csrf(client, "/admin/users")
    commune = users["commune_official"]["scope_code"]
    r = client.post(
        "/admin/users",
        data={
            "username": "canbo2",
            "full_name": "Võ Thị Mai",
            "password": "mat-khau-2026",
            "role": "commune_official",
            "scope_code": commune,
            "csrf_token": token,
        },
    )
    assert r.headers["location"] == "/admin/users?message=created&user=canbo2"
    bad = client.post(
        "/admin/users",
        data={
            "username": "canbo3",
            "full_name": "X",
            "password": "mat-khau-2026",
            "role": "commune_official",
            "scope_code": "NOPE",
            "csrf_token": token,
        },
    )
    assert bad.headers["location"] == "/admin/users?message=unknown_scope"
    shown = client.get(bad.headers["location"]).text
    assert "alert-error" in shown and "Không có mã phạm vi này trong dữ liệu." in shown
    other = TestClient(app, follow_redirects=False)
    assert login(other, "canbo2", "mat-khau-2026").status_code == 303
    assert other.get("/").headers["location"] == f"/units/{commune}"
    with db.session() as s:
        created = s.scalars(select(AuditEvent).where(AuditEvent.action == "user_create")).all()
        assert [e.username for e in created] == ["quantri"]
