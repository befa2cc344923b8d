"""Bad input on the web (issue 11, items 10–14): every parameter through one validated path
(400 with a Vietnamese message, never a 500), a Vietnamese 500 page with the menu, target
values and denominators checked, the allocation preview refusing to divide among no units,
outcome notes bounded, a trusted-hosts setting, alerts only from fixed messages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import login, page_csrf

# Values that broke or could break a parser: letters, a superscript two, an Arabic-Indic one,
# overflowing and non-finite numbers, 23 digits, a negative, NUL, overlong text, markup.
BAD = [
    "abc",
    "²",
    "١",
    "1e309",
    "NaN",
    "inf",
    "-1",
    "1" * 23,
    "12\x00",
    "x" * 300,
    "<script>alert(1)</script>",
    "../../baophu.toml",
    " ",
    "1_000",
]


@pytest.fixture(scope="module")
def small_hamlet(app: Any, demo_users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A hamlet of the demo office with a few dozen residents."""
    snap = app.state.ctx.marts.get()
    office = demo_users["office_staff"]["scope_code"]
    row = snap.one(
        "SELECT c.unit_code, c.population FROM mart_coverage_by_unit c JOIN mart_unit_ancestors a "
        "ON a.unit_code = c.unit_code WHERE a.ancestor_code = ? AND c.level = 'hamlet' AND "
        "c.population BETWEEN 20 AND 80 ORDER BY c.population, c.unit_code LIMIT 1",
        [office],
    )
    assert row is not None
    return row


def _manual_count(app: Any) -> int:
    from baophu.operational.manual_targets import manual_target_rows

    return len(manual_target_rows(app.state.ctx.db))


def test_targets_page_shows_a_running_job(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    """After every target change the page showed a 500 (``_job.html`` got no ``job``)."""
    release = threading.Event()
    job = app.state.ctx.jobs.submit(
        "targets",
        "Tính lại tiến độ (thử)",
        demo_users["office_staff"]["username"],
        lambda job: {"waited": release.wait(30)},
    )
    try:
        r = clients["office_staff"].get("/targets")
        assert r.status_code == 200
        assert "Tính lại tiến độ (thử)" in r.text and f'id="job-{job.id}"' in r.text
    finally:
        release.set()


def test_the_parameters_that_gave_500_now_give_400(
    app: Any, clients: dict[str, Any], small_hamlet: dict[str, Any]
) -> None:
    admin = clients["province_admin"]
    token = page_csrf(admin, "/targets")
    before = _manual_count(app)
    base = {
        "unit_code": small_hamlet["unit_code"],
        "indicator": "bhyt_rate",
        "value": "97%",
        "year": "2026",
        "csrf_token": token,
    }
    for denominator in ("abc", "²", "1e309", "1" * 23, "-1", "0", "١٢"):
        r = admin.post("/targets/set", data={**base, "denominator": denominator})
        assert r.status_code == 400, (denominator, r.status_code)
        assert "Mẫu số" in r.text or "mẫu số" in r.text, denominator
    for value in ("NaN", "inf", "-1", "0", "١", "1e3", "150%", "²"):
        r = admin.post("/targets/set", data={**base, "value": value})
        assert r.status_code == 400, (value, r.status_code)
    for year in ("²", "1" * 23, "abc", "1999"):
        assert admin.post("/targets/set", data={**base, "year": year}).status_code == 400
    assert _manual_count(app) == before  # nothing stored
    r = admin.get("/employers?min_score=²")
    assert r.status_code == 400 and "điểm rủi ro" in r.text
    for name in ("a" * 300, "x%00.csv"):
        assert admin.get(f"/imports/rejects?file={name}").status_code == 400


def test_target_values_above_the_population_are_refused(
    app: Any, clients: dict[str, Any], small_hamlet: dict[str, Any]
) -> None:
    """−1, 0, ١ and 1.000.000 were accepted for a 40-person hamlet ("Hoàn thành 3500,0%")."""
    office = clients["office_staff"]
    token = page_csrf(office, "/targets")
    before = _manual_count(app)
    population = int(small_hamlet["population"])
    data = {
        "unit_code": small_hamlet["unit_code"],
        "indicator": "bhyt_insured",
        "year": "2026",
        "csrf_token": token,
    }
    for value in ("-1", "0", "١", "1.000.000", f"{population + 1000}", "12,5"):
        r = office.post("/targets/set", data={**data, "value": value})
        assert r.status_code == 400, (value, r.status_code)
        assert "Internal Server Error" not in r.text
    r = office.post("/targets/set", data={**data, "value": "1.000.000"})
    assert f"({population:,} người)".replace(",", ".") in r.text or "vượt quá" in r.text
    r = office.post(
        "/targets/set",
        data={**data, "indicator": "bhyt_rate", "value": "96%", "denominator": "1.000.000"},
    )
    assert r.status_code == 400 and "Mẫu số" in r.text
    assert _manual_count(app) == before


def test_the_allocation_preview_never_divides_among_no_units(
    clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    office = clients["office_staff"]
    token = page_csrf(office, "/targets")
    code = demo_users["office_staff"]["scope_code"]
    r = office.post(
        "/targets/allocate/preview",
        data={
            "root": code,
            "indicator": "bhyt_rate",
            "method": "uncovered",
            "to_level": "office",  # its own level: there is nothing below to divide among
            "csrf_token": token,
        },
    )
    assert "Xác nhận phân bổ" not in r.text and "chia cho 0" not in r.text
    assert r.status_code == 400 and "Cấp phân bổ" in r.text


def test_the_500_page_is_vietnamese_and_keeps_the_menu(
    app: Any, demo_users: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from baophu.app import queries

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom: 075085000001")

    c = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    assert login(c, demo_users["province_analyst"]["username"]).status_code == 303
    monkeypatch.setattr(queries, "achievements", broken)
    r = c.get("/units/75")
    assert r.status_code == 500
    assert "Lỗi hệ thống" in r.text and "Internal Server Error" not in r.text
    assert "boom" not in r.text and "075085000001" not in r.text
    assert 'class="mainnav"' in r.text and "Tổng quan" in r.text  # the menu is kept
    assert r.headers["content-security-policy"].startswith("default-src 'self'")


def test_no_parameter_value_gives_a_server_error(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    """Every query parameter of every page, with every bad value: 200, 400, 403 or 404 —
    never 500 — and a 400 says why in Vietnamese."""
    commune = demo_users["commune_official"]["scope_code"]
    collector = demo_users["collector"]["scope_code"]
    snap = app.state.ctx.marts.get()
    employer = snap.scalar("SELECT min(employer_code) FROM mart_employer_balance")
    pages = {
        f"/units/{commune}": ("ind", "date"),
        f"/units/{commune}/ranking": ("ind", "date"),
        f"/units/{commune}/potential": ("reason", "hamlet", "collector", "p"),
        f"/units/{commune}/potential.xlsx": ("reason", "hamlet", "collector"),
        f"/collectors/{collector}": ("reason", "hamlet", "p"),
        "/employers": ("q", "status", "officer", "commune", "min_score", "sort", "p"),
        f"/employers/{employer}/notice": ("month", "format"),
        "/targets": ("unit", "indicator", "message"),
        "/imports": ("all", "p"),
        "/imports/rejects": ("file",),
        "/admin/users": ("message", "user"),
        "/admin/audit": ("username", "action", "object", "day", "p"),
    }
    admin = clients["province_admin"]
    failures = []
    for url, names in pages.items():
        for name in names:
            for value in BAD:
                r = admin.get(url, params={name: value})
                if r.status_code >= 500:
                    failures.append(f"{url}?{name}={value[:20]!r} → {r.status_code}")
                elif r.status_code == 400 and "Tham số" not in r.text and "không" not in r.text:
                    failures.append(f"{url}?{name}={value[:20]!r}: 400 without a reason")
    assert not failures, failures[:10]


def test_outcome_notes_are_bounded(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    import re

    from sqlalchemy import func, select

    from baophu.operational import FieldOutcome

    c = clients["collector"]
    code = demo_users["collector"]["scope_code"]
    page = c.get(f"/collectors/{code}").text
    handle = re.findall(r'data-row="([^"]+)"', page)[0]
    token = page_csrf(c, f"/collectors/{code}")
    db = app.state.ctx.db
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(FieldOutcome))
    for note in ("x" * 200_000, "ghi chú " * 300, "a\x00b"):
        r = c.post(
            f"/collectors/{code}/outcomes",
            data={"row": handle, "outcome": "contacted", "note": note, "csrf_token": token},
        )
        assert r.status_code == 400, (len(note), r.status_code)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(FieldOutcome)) == before


@pytest.fixture
def hosted_app(workspace: Any, sqlite_db: Any) -> Iterator[Any]:
    from baophu.app.main import AppSettings, create_app

    application = create_app(
        workspace,
        AppSettings(watch=False, secret_key="h", trusted_hosts=("baophu.bhxh.example.vn",)),
        db=sqlite_db,
    )
    yield application


def test_only_trusted_host_names_are_answered(hosted_app: Any) -> None:
    good = TestClient(hosted_app, base_url="https://baophu.bhxh.example.vn")
    assert good.get("/login").status_code == 200
    port = TestClient(hosted_app, base_url="https://baophu.bhxh.example.vn:8443")
    assert port.get("/login").status_code == 200
    evil = TestClient(hosted_app, base_url="https://evil.example")
    r = evil.get("/login")
    assert r.status_code == 400 and "Tên máy chủ" in r.text
    assert TestClient(hosted_app).get("/healthz").status_code == 400  # "testserver"


def test_alerts_show_only_fixed_messages(clients: dict[str, Any]) -> None:
    office = clients["office_staff"]
    forged = "Hệ thống bảo trì, gọi 0901234567 để được hỗ trợ"
    r = office.get("/targets", params={"message": forged})
    assert r.status_code == 200 and forged not in r.text and "alert-ok" not in r.text
    r = office.get("/targets", params={"message": "set"})
    assert "Đã giao chỉ tiêu; tiến độ đang được tính lại." in r.text
    admin = clients["province_admin"]
    r = admin.get("/admin/users", params={"message": forged})
    assert forged not in r.text and 'role="status"' not in r.text
    r = admin.get("/admin/users", params={"message": "created", "user": "<b>x</b>"})
    assert 'role="status"' not in r.text  # a message about a user needs a user name
    r = admin.get("/admin/users", params={"message": "created", "user": "lan.nt"})
    assert "Đã tạo người dùng lan.nt." in r.text
