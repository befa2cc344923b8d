"""CSRF on every form, security headers, no external resources, masking of personal IDs,
the audit log of named lists, sessions ending when a user is disabled."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import login, page_csrf

POSTS = [
    ("/targets/set", {"unit_code": "75", "indicator": "bhyt_rate", "value": "97%", "year": "2026"}),
    (
        "/targets/allocate/preview",
        {"root": "75", "indicator": "bhyt_rate", "method": "uncovered", "to_level": "hamlet"},
    ),
    ("/targets/allocate/confirm", {"token": "x"}),
    ("/imports/recompute", {}),
    (
        "/admin/users",
        {
            "username": "mallory",
            "full_name": "M",
            "password": "password123",
            "role": "province_admin",
        },
    ),
    ("/admin/users/phantich/active", {"active": "0"}),
    ("/admin/users/phantich/password", {"password": "password123"}),
    ("/logout", {}),
]


def test_every_post_without_the_csrf_token_is_refused(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    admin = clients["province_admin"]
    for url, data in POSTS:
        r = admin.post(url, data=data)
        assert r.status_code == 403, (url, r.status_code)
        r = admin.post(url, data={**data, "csrf_token": "forged"})
        assert r.status_code == 403, (url, r.status_code)
        r = admin.post(url, data=data, headers={"X-CSRF-Token": "forged"})
        assert r.status_code == 403, (url, r.status_code)
    # the collector's outcome form and the upload too
    collector = clients["collector"]
    code = demo_users["collector"]["scope_code"]
    r = collector.post(f"/collectors/{code}/outcomes", data={"row_key": "x", "outcome": "enrolled"})
    assert r.status_code == 403
    r = admin.post("/imports", files={"files": ("units.csv", b"x", "text/csv")})
    assert r.status_code == 403
    # nothing was changed: the analyst is still active with the demo password
    fresh = TestClient(app, follow_redirects=False)
    assert login(fresh, "phantich").status_code == 303


def test_login_form_needs_its_csrf_token(app: Any) -> None:
    c = TestClient(app, follow_redirects=False)
    c.get("/login")
    r = c.post("/login", data={"username": "quantri", "password": "baophu-demo"})
    assert r.status_code == 403


def test_security_headers_and_cookie_flags(app: Any) -> None:
    c = TestClient(app, follow_redirects=False)
    r = c.get("/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_secure_cookie_when_https_only(workspace: Any, sqlite_db: Any) -> None:
    from baophu.app.main import AppSettings, create_app

    application = create_app(
        workspace, AppSettings(https_only=True, watch=False, secret_key="s"), db=sqlite_db
    )
    c = TestClient(application, base_url="https://testserver")
    r = c.get("/login")
    assert "secure" in r.headers["set-cookie"].lower()


def test_pages_load_nothing_from_outside(
    clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    admin = clients["province_admin"]
    for url in ("/units/75", "/employers", "/imports", "/targets"):
        html = admin.get(url).text
        for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", attr), (url, attr)
    r = admin.get("/static/vendor/echarts.common.min.js")
    assert r.status_code == 200 and len(r.content) > 100_000


def _ids_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![\d*])\d{12}(?!\d)", text))


def test_personal_ids_masked_except_for_roles_that_need_them(
    clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    commune = demo_users["commune_official"]["scope_code"]
    collector = demo_users["collector"]["scope_code"]
    masked = ["province_admin", "province_analyst", "office_staff"]
    for role in masked:
        html = clients[role].get(f"/units/{commune}/potential").text
        assert "********" in html, role
        assert not _ids_in(html), (role, sorted(_ids_in(html))[:3])
        if role != "province_analyst":
            html = clients[role].get(f"/collectors/{collector}").text
            assert "********" in html and not _ids_in(html), role
    full = clients["commune_official"].get(f"/units/{commune}/potential").text
    assert _ids_in(full)
    mine = clients["collector"].get(f"/collectors/{collector}").text
    assert _ids_in(mine)
    # and the exports follow the same rule
    import io

    import openpyxl

    def cells(content: bytes) -> str:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c)

    office = clients["office_staff"].get(f"/units/{commune}/potential.xlsx")
    assert office.status_code == 200 and not _ids_in(cells(office.content))
    own = clients["commune_official"].get(f"/units/{commune}/potential.xlsx")
    assert _ids_in(cells(own.content))

    # the collector's work sheets: full IDs for the collector, masked for the office
    def book_text(content: bytes) -> str:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(c)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c
        )

    theirs = clients["collector"].get(f"/collectors/{collector}/list.xlsx")
    assert theirs.status_code == 200 and _ids_in(book_text(theirs.content))
    seen = clients["office_staff"].get(f"/collectors/{collector}/list.xlsx")
    assert seen.status_code == 200 and not _ids_in(book_text(seen.content))


def test_views_and_exports_of_named_lists_are_audited(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    from sqlalchemy import select

    from baophu.operational import AuditEvent

    db = app.state.ctx.db
    commune = demo_users["commune_official"]["scope_code"]
    c = clients["commune_official"]
    with db.session() as s:
        before = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
    c.get(f"/units/{commune}/potential?reason=not_covered")
    r = c.get(f"/units/{commune}/potential.xlsx?reason=not_covered")
    assert r.status_code == 200
    clients["case_officer"].get("/employers.xlsx")
    with db.session() as s:
        events = list(
            s.scalars(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id))
        )
    got = [(e.username, e.action, e.object, e.unit_code) for e in events]
    assert ("canboxa", "view", "potential_list", commune) in got
    assert ("canboxa", "export", "potential_list", commune) in got
    assert (
        "chuyenquan",
        "export",
        "employer_list",
        demo_users["case_officer"]["scope_code"],
    ) in got
    export = next(e for e in events if e.action == "export" and e.object == "potential_list")
    # the filters in Vietnamese: the reason's label, not its code
    assert export.rows and export.rows > 0 and export.detail == "lý do: Chưa tham gia BHYT"
    assert export.role == "commune_official" and export.at is not None
    # administrators see it; nobody else does
    page = clients["province_admin"].get("/admin/audit?username=canboxa&object=potential_list")
    assert page.status_code == 200 and "potential_list" in page.text
    assert clients["office_staff"].get("/admin/audit").status_code == 403


def test_disabling_a_user_ends_their_session(app: Any, clients: dict[str, Any]) -> None:
    from baophu.operational.users import set_active

    db = app.state.ctx.db
    c = TestClient(app, follow_redirects=False)
    assert login(c, "phantich").status_code == 303
    assert c.get("/units/75").status_code == 200
    admin = clients["province_admin"]
    token = page_csrf(admin, "/admin/users")
    r = admin.post("/admin/users/phantich/active", data={"active": "0", "csrf_token": token})
    assert r.status_code == 303
    try:
        assert c.get("/units/75").status_code == 303  # back to the login page
        assert login(TestClient(app, follow_redirects=False), "phantich").status_code == 401
    finally:
        set_active(db, "phantich", True)
        app.state.ctx.users.forget()


def test_open_redirect_after_login_is_refused(app: Any) -> None:
    from web_helpers import csrf_of

    c = TestClient(app, follow_redirects=False)
    token = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={
            "username": "phantich",
            "password": "baophu-demo",
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
