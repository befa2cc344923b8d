"""What a new user trips on (issue 11, items 24, 25, 27): no English or code shows through;
figures that confuse (communes above 100 %, hamlet targets above 100 %, a province-wide rank
next to a few rows, reasons counted as people) are explained or fixed; error pages keep the
menu; the users page, the imports history, warnings-only files and the period picker."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest

from baophu.app.jobs import Job

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b(?!\.[a-z])")  # not a file name
ENGLISH = (
    "Internal Server Error",
    "Not Found",
    "imported",
    "unchanged",
    "rolled_back",
    "uncovered",
    "uplift",
    "last_year",
    "committed",
    "page=",
    "sort=",
    "True",
    "False",
    "RuntimeError",
    "Traceback",
)


def visible(page: str) -> str:
    """The text a person sees: no scripts, styles, tags or attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _english(text: str) -> list[str]:
    shown = visible(text)
    found = SNAKE.findall(shown)
    found += [w for w in ENGLISH if re.search(rf"(?<![\w=]){re.escape(w)}(?!\w)", shown)]
    return found


@pytest.fixture(scope="module")
def finished_import(app: Any) -> Job:
    """A finished import job as the imports page lists it (a table code, statuses, a file
    with only warnings)."""
    job = Job(id="thu0nhap01", kind="import", title="Nhập thử", username="quantri")
    job.status = "done"
    job.finished_at = dt.datetime.now()
    job.result = {
        "files": [
            {
                "path": "/x/danh_sach_hoc_sinh.xlsx",
                "table": "school_rosters",
                "status": "imported",
                "rows_read": 10,
                "rows_imported": 10,
                "rows_rejected": 0,
                "rows_warned": 2,
                "rejects_path": "/x/rejects/abc__danh_sach_hoc_sinh.csv",
                "notices": ["Cột thừa: Ghi chú / extra column: Ghi chú"],
            },
            {
                "path": "/x/units.csv",
                "table": "units",
                "status": "unchanged",
                "rows_read": 0,
                "rows_imported": 0,
                "rows_rejected": 0,
                "rows_warned": 0,
                "rejects_path": None,
                "notices": [],
            },
        ]
    }
    jobs = app.state.ctx.jobs
    with jobs._lock:
        jobs._jobs[job.id] = job
    return job


def test_no_english_or_code_shows_through(
    app: Any,
    clients: dict[str, Any],
    demo_users: dict[str, dict[str, Any]],
    finished_import: Job,
) -> None:
    db = app.state.ctx.db
    # audit events as older versions wrote them (English keys and objects)
    db.audit("quantri", "view", "employer_list", role="province_admin", detail="page=1, sort=late")
    db.audit("quantri", "import", "workspace", role="province_admin", detail="committed=True")
    snap = app.state.ctx.marts.get()
    office = demo_users["office_staff"]["scope_code"]
    commune = demo_users["commune_official"]["scope_code"]
    hamlet = snap.scalar("SELECT min(unit_code) FROM units WHERE parent_code = ?", [commune])
    employer = snap.scalar("SELECT min(employer_code) FROM mart_employer_balance")
    admin_pages = [
        "/units/75",
        f"/units/{office}",
        f"/units/{commune}",
        f"/units/{hamlet}",
        f"/units/{commune}/potential",
        "/targets",
        f"/targets?unit={office}",
        f"/targets?unit={commune}",
        "/employers",
        f"/employers/{employer}",
        "/claims",
        "/imports",
        "/imports?all=1",
        "/admin/users",
        "/admin/audit",
        f"/jobs/{finished_import.id}",
        "/units/NO-SUCH-UNIT",
        "/employers/NO-SUCH-EMPLOYER",
    ]
    failures = {}
    for url in admin_pages:
        r = clients["province_admin"].get(url)
        found = _english(r.text)
        if found:
            failures[url] = sorted(set(found))[:8]
    for role in ("office_staff", "commune_official", "collector", "case_officer",
                 "appraisal_reviewer"):  # fmt: skip
        r = clients[role].get("/", follow_redirects=True)
        found = _english(r.text)
        if found:
            failures[f"{role} home"] = sorted(set(found))[:8]
    assert not failures, failures
    imports = visible(clients["province_admin"].get("/imports").text)
    assert "Danh sách học sinh, sinh viên" in imports and "đã nhập" in imports
    audit = visible(clients["province_admin"].get("/admin/audit").text)
    assert "trang: 1, sắp xếp: số tiền chậm đóng" in audit
    assert "đã ghi vào dữ liệu: có" in audit
    assert "Danh sách đơn vị sử dụng lao động" in audit


def test_communes_above_100_percent_are_explained(app: Any, clients: dict[str, Any]) -> None:
    snap = app.state.ctx.marts.get()
    row = snap.one(
        "SELECT unit_code, bhyt_rate, residents_insured_rate, residents_insured_any, population, "
        "bhyt_insured_nonresident FROM mart_coverage_by_unit WHERE level = 'commune' AND "
        "bhyt_rate > 1 ORDER BY bhyt_rate DESC LIMIT 1"
    )
    assert row is not None, "no commune above 100 % in the test province (commuters)"
    page = clients["province_admin"].get(f"/units/{row['unit_code']}").text
    note = re.search(r'data-testid="over-100">(.*?)</p>', page, flags=re.S)
    assert note is not None
    own = f"{row['residents_insured_any'] / row['population'] * 100:.1f}%".replace(".", ",")
    official = f"{row['bhyt_rate'] * 100:.1f}%".replace(".", ",")
    assert own in note.group(1) and official in note.group(1)
    assert f"{row['bhyt_insured_nonresident']:,}".replace(",", ".") in note.group(1)
    # the province page's list of communes flags it and shows the residents' own rate
    province = visible(clients["province_admin"].get("/units/75").text)
    assert "Cư dân có thẻ" in province and own in province


def test_hamlet_target_rates_never_pass_100_percent(app: Any) -> None:
    snap = app.state.ctx.marts.get()
    over = snap.rows(
        "SELECT unit_code, target_people, denominator, achieved FROM mart_targets_allocated "
        "WHERE level = 'hamlet' AND indicator IN ('bhyt_rate', 'bhxh_rate', 'bhtn_rate') "
        "AND NOT manual AND target_people > greatest(denominator, achieved)"
    )
    assert not over, over[:5]
    assert snap.scalar(
        "SELECT count(*) FROM mart_targets_allocated WHERE level = 'hamlet' "
        "AND indicator = 'bhyt_rate'"
    )


def test_ranks_are_among_the_rows_shown(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    commune = demo_users["commune_official"]["scope_code"]
    page = clients["province_admin"].get(f"/units/{commune}").text
    table = re.search(r'<table class="data ranking">(.*?)</table>', page, flags=re.S)
    assert table is not None
    positions = [
        int(p)
        for p in re.findall(r'<tr class="[^"]*">\s*<td class="num">(\d+)</td>', table.group(1))
    ]
    assert positions == list(range(1, len(positions) + 1)) and len(positions) > 1
    assert "Hạng trong tỉnh" in table.group(1)


def test_people_and_reasons_are_counted_apart(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    snap = app.state.ctx.marts.get()
    commune = demo_users["commune_official"]["scope_code"]
    people = snap.scalar(
        "SELECT count(*) FROM mart_potential_persons WHERE commune_code = ?", [commune]
    )
    reasons = snap.scalar(
        "SELECT sum(n_reasons) FROM mart_potential_persons WHERE commune_code = ?", [commune]
    )
    assert reasons > people  # some people have several reasons
    text = visible(clients["province_admin"].get(f"/units/{commune}").text)
    assert f"Danh sách tiềm năng: {people:,} người".replace(",", ".") in text
    assert f"{reasons:,} lượt".replace(",", ".") in text


def test_error_pages_keep_the_menu(clients: dict[str, Any]) -> None:
    refused = clients["commune_official"].get("/units/75")
    assert refused.status_code == 403
    assert 'class="mainnav"' in refused.text and "Đăng xuất" in refused.text
    missing = clients["province_admin"].get("/units/NO-SUCH-UNIT")
    assert missing.status_code == 404
    assert 'class="mainnav"' in missing.text and "Nhập dữ liệu" in missing.text
    nowhere = clients["province_admin"].get("/no/such/page")
    assert nowhere.status_code == 404 and 'class="mainnav"' in nowhere.text


def test_users_page_status_and_action_are_apart(clients: dict[str, Any]) -> None:
    page = clients["province_admin"].get("/admin/users").text
    text = re.sub(r"<[^>]+>", "", page)
    assert "Đang dùngKhoá" not in text and "Đã khoáMở khoá" not in text
    assert re.search(r"Đang dùng</span>\s+<form", page)


def test_imports_history_is_paged(app: Any, clients: dict[str, Any]) -> None:
    snap = app.state.ctx.marts.get()
    total = snap.scalar("SELECT count(*) FROM _snapshots")
    assert total > 50
    admin = clients["province_admin"]
    first = admin.get("/imports?all=1").text
    body = re.search(r'aria-labelledby="h-snaps">(.*?)</section>', first, flags=re.S)
    assert body is not None
    assert body.group(1).count("<tr><td>") == 50
    pages = -(-total // 50)
    assert f"trang 1 / {pages}" in first
    last = admin.get(f"/imports?all=1&p={pages}").text
    body = re.search(r'aria-labelledby="h-snaps">(.*?)</section>', last, flags=re.S)
    assert body is not None and body.group(1).count("<tr><td>") == total - 50 * (pages - 1)


def test_files_with_only_warnings_are_labelled_as_warnings(
    app: Any, clients: dict[str, Any]
) -> None:
    snap = app.state.ctx.marts.get()
    rows = snap.rows(
        "SELECT rejects_path, rows_rejected FROM _snapshots WHERE rejects_path IS NOT NULL "
        "ORDER BY started_at DESC, table_name"
    )
    warned = [r for r in rows if not r["rows_rejected"]]
    assert warned, "no file with warnings only in the test province"
    admin = clients["province_admin"]
    pages = "".join(admin.get(f"/imports?all=1&p={p}").text for p in range(1, 2 + len(rows) // 50))
    for r in warned[:20]:
        name = r["rejects_path"].split("/")[-1]
        link = re.search(rf'file={re.escape(name)}">([^<]+)</a>', pages)
        assert link is not None and link.group(1) == "cảnh báo", (name, link)


def test_dashboards_have_a_period_picker(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    snap = app.state.ctx.marts.get()
    commune = demo_users["commune_official"]["scope_code"]
    dates = [
        r["reference_date"]
        for r in snap.rows(
            "SELECT reference_date FROM mart_coverage_series WHERE unit_code = ? "
            "ORDER BY reference_date",
            [commune],
        )
    ]
    assert len(dates) > 1
    page = clients["commune_official"].get(f"/units/{commune}").text
    options = re.findall(r'<option value="(\d{4}-\d{2}-\d{2})"', page)
    assert sorted(options) == [d.isoformat() for d in dates]
    first = dates[0]
    row = snap.one(
        "SELECT bhyt_rate, population FROM mart_coverage_series WHERE unit_code = ? "
        "AND reference_date = ?",
        [commune, first],
    )
    past = clients["commune_official"].get(f"/units/{commune}?date={first.isoformat()}")
    assert past.status_code == 200
    text = visible(past.text)
    assert f"Tỷ lệ tham gia ngày {first:%d/%m/%Y}" in text
    assert f"{row['bhyt_rate'] * 100:.1f}%".replace(".", ",") in text
    assert f"dân số {row['population']:,}".replace(",", ".") in text
    assert clients["commune_official"].get(f"/units/{commune}?date=1999-12-31").status_code == 400
