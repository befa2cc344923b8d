"""The risk pages on the synthetic province, on SQLite and PostgreSQL: office staff list
their office's cases (IDs masked, the view audited), open one, assign it and record the
verdict with the amount recovered; the history shows it, and survives recomputing the mart
(the case id is the same).  Another office's case is not found; collectors are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import login, page_csrf


@pytest.fixture
def risk_app(operational_url: str, workspace: Any) -> Iterator[Any]:
    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users

    db = OperationalDB.connect(operational_url)
    users = {u["role"]: u for u in seed_demo_users(workspace, db=db)}
    application = create_app(workspace, AppSettings(watch=False, secret_key="t"), db=db)
    with TestClient(application, follow_redirects=False) as client:
        yield application, client, users, db
    db.dispose()


def test_office_staff_follow_a_case(risk_app: Any) -> None:
    from baophu.operational import AuditEvent

    app, client, users, db = risk_app
    office = users["office_staff"]["scope_code"]
    snap = app.state.ctx.marts.get()
    case = snap.one(
        "SELECT case_id, person_id, kind FROM mart_risk_cases WHERE office_code = ? "
        "AND person_id IS NOT NULL ORDER BY amount DESC, case_id LIMIT 1",
        [office],
    )
    assert case is not None
    other = snap.scalar("SELECT min(case_id) FROM mart_risk_cases WHERE office_code <> ?", [office])
    assert login(client, users["office_staff"]["username"]).status_code == 303
    r = client.get(f"/units/{office}/risk")
    assert r.status_code == 200 and "Kiểm soát rủi ro" in r.text
    assert case["person_id"] not in r.text and case["person_id"][-4:] in r.text
    url = f"/risk/case?id={quote(case['case_id'], safe='')}"
    r = client.get(url)
    assert r.status_code == 200 and "Chưa có việc nào được ghi" in r.text
    token = page_csrf(client, url)
    r = client.post(
        "/risk/assign",
        data={"case_id": case["case_id"], "assignee": "lan.nt", "csrf_token": token},
    )
    assert r.status_code == 303
    r = client.post(
        "/risk/verdict",
        data={
            "case_id": case["case_id"],
            "verdict": "confirmed",
            "amount_recovered": "150000",
            "recovered_on": "2026-10-30",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303
    r = client.post(
        "/risk/verdict",
        data={"case_id": case["case_id"], "verdict": "maybe", "csrf_token": token},
    )
    assert r.status_code == 400
    page = client.get(url).text
    assert "lan.nt" in page and "Đúng vi phạm" in page and "150.000" in page
    assert client.get(f"/risk/case?id={quote(other, safe='')}").status_code == 404
    r = client.post("/risk/assign", data={"case_id": other, "assignee": "x", "csrf_token": token})
    assert r.status_code == 404
    listed = client.get(f"/units/{office}/risk?kind={case['kind']}").text
    assert "Đúng vi phạm" in listed
    with db.session() as s:
        objects = {e.object for e in s.scalars(select(AuditEvent)).all()}
    assert {"risk_cases", "risk_case"} <= objects


def test_collectors_and_case_officers_are_refused(risk_app: Any) -> None:
    app, client, users, _ = risk_app
    hamlet = app.state.ctx.marts.get().scalar(
        "SELECT min(hamlet_code) FROM collectors WHERE collector_code = ?",
        [users["collector"]["scope_code"]],
    )
    assert login(client, users["collector"]["username"]).status_code == 303
    assert client.get(f"/units/{hamlet}/risk").status_code == 403
