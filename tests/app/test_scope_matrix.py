"""Every route, as every role, against a unit (employer, collector, hamlet…) outside the role's
scope: refused on the server (403 or 404), whatever the page would have shown.  A route the
matrix does not know fails the test, so a new route cannot skip the check."""

from __future__ import annotations

from typing import Any

import pytest
from web_helpers import page_csrf

# (method, path template, form data) — {unit} an office, commune or hamlet; {hamlet} a hamlet;
# {collector}; {employer}; {officer}; {province} the province.
ROUTES: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/units/{unit}", {}),
    ("GET", "/units/{hamlet}", {}),
    ("GET", "/units/{unit}/ranking", {}),
    ("GET", "/units/{unit}/potential", {}),
    ("GET", "/units/{unit}/potential.xlsx", {}),
    ("GET", "/units/{unit}/workbook.xlsx", {}),
    ("GET", "/units/{unit}/reports/monthly", {}),
    ("GET", "/units/{unit}/reports/inspection", {}),
    ("GET", "/units/{province}/reports/year-end", {}),
    ("GET", "/units/{province}/reports/finance", {}),
    ("GET", "/units/{province}/reports/health", {}),
    ("GET", "/targets?unit={unit}", {}),
    ("GET", "/collectors/{collector}", {}),
    ("GET", "/collectors/{collector}/list.xlsx", {}),
    ("GET", "/employers?officer={officer}", {}),
    ("GET", "/employers.xlsx?officer={officer}", {}),
    ("GET", "/employers?commune={unit}", {}),
    ("GET", "/employers/{employer}", {}),
    ("GET", "/employers/{employer}/notice?month={month}", {}),
    ("GET", "/employers/{employer}/notice?month={month}&format=xlsx", {}),
    ("GET", "/claims?facility={facility}", {}),
    ("GET", "/claims/facilities/{facility}", {}),
    ("GET", "/imports", {}),
    ("GET", "/imports/rejects?file={rejects}", {}),
    ("GET", "/imports/rejects.csv?file={rejects}", {}),
    ("GET", "/admin/users", {}),
    ("GET", "/admin/audit", {}),
    ("GET", "/jobs/unknownjob", {}),
    ("GET", "/units/{unit}/risk", {}),
    ("GET", "/risk/case?id={case}", {}),
    ("GET", "/nation", {}),
    ("GET", "/nation/units/{province}", {}),
    (
        "POST",
        "/targets/set",
        {"unit_code": "{unit}", "indicator": "bhyt_rate", "value": "97%", "year": "2026"},
    ),
    (
        "POST",
        "/targets/allocate/preview",
        {"root": "{unit}", "indicator": "bhyt_rate", "method": "uncovered", "to_level": "hamlet"},
    ),
    ("POST", "/targets/allocate/confirm", {"token": "not-a-preview"}),
    ("POST", "/collectors/{collector}/outcomes", {"row": "{handle}", "outcome": "enrolled"}),
    ("POST", "/claims/facilities/{facility}/review", {"claim": "x", "outcome": "accepted"}),
    ("POST", "/imports/recompute", {}),
    ("POST", "/risk/assign", {"case_id": "{case}", "assignee": "mallory"}),
    ("POST", "/risk/verdict", {"case_id": "{case}", "verdict": "false_alarm"}),
    (
        "POST",
        "/admin/users",
        {
            "username": "mallory",
            "full_name": "M",
            "password": "password123",
            "role": "province_admin",
        },
    ),
    ("POST", "/admin/users/quantri/active", {"active": "0"}),
    ("POST", "/admin/users/quantri/password", {"password": "password123"}),
]
NATION_UNIT = "/nation/units/{province}"
REPORTS_OF_UNITS = {"/units/{unit}/reports/monthly", "/units/{unit}/reports/inspection"}
# Routes open to anyone or to any logged-in user (nothing scoped to show).
OPEN = {"/", "/login", "/logout", "/healthz", "/imports"}  # POST /imports: tested below
ROLE_ONLY = {
    "/imports",
    "/imports/rejects",
    "/imports/rejects.csv",
    "/admin/users",
    "/admin/audit",
    "/imports/recompute",
    "/admin/users/quantri/active",
    "/admin/users/quantri/password",
    "/jobs/unknownjob",
    "/targets/allocate/confirm",
}


def _outside(snap: Any, users: dict[str, dict[str, Any]], role: str) -> dict[str, str]:
    """Codes outside ``role``'s demo scope (all demo scopes sit in the first office, so
    the last office is outside every one of them)."""
    office_in = users["office_staff"]["scope_code"]
    office = snap.scalar(
        "SELECT max(unit_code) FROM units WHERE level = 'office' AND unit_code <> ?", [office_in]
    )
    commune = snap.scalar(
        "SELECT min(unit_code) FROM units WHERE level = 'commune' AND parent_code = ?", [office]
    )
    hamlet = snap.scalar(
        "SELECT min(unit_code) FROM units WHERE level = 'hamlet' AND parent_code = ?", [commune]
    )
    collector = snap.scalar(
        "SELECT min(collector_code) FROM collectors WHERE hamlet_code IN (SELECT unit_code FROM "
        "mart_unit_ancestors WHERE ancestor_code = ?) AND collector_code NOT IN (SELECT "
        "collector_code FROM collectors WHERE hamlet_code IN (SELECT unit_code FROM "
        "mart_unit_ancestors WHERE ancestor_code = ?))",
        [office, office_in],
    )
    employer = snap.scalar(
        "SELECT min(employer_code) FROM mart_employer_balance WHERE office_code = ?", [office]
    )
    officer = snap.scalar("SELECT min(officer_code) FROM officers WHERE office_code = ?", [office])
    from baophu.app.queries import list_version

    row = snap.scalar(
        "SELECT min(ord) FROM mart_potential_persons WHERE collector_code = ?", [collector]
    )
    month = snap.scalar(
        "SELECT max(month) FROM mart_employer_arrears WHERE employer_code = ?", [employer]
    )
    rejects = snap.scalar("SELECT min(rejects_path) FROM _snapshots WHERE rejects_path IS NOT NULL")
    unit = {"office_staff": office, "commune_official": commune}.get(role, commune)
    if role == "collector":
        unit = hamlet
    province = snap.scalar("SELECT min(unit_code) FROM units WHERE level = 'province'")
    reviewer = (users.get("appraisal_reviewer", {}).get("scope_code") or "").split(";")
    facility = min(
        r["facility_code"]
        for r in snap.rows("SELECT facility_code FROM facilities")
        if r["facility_code"] not in reviewer
    )
    case = snap.scalar("SELECT min(case_id) FROM mart_risk_cases WHERE office_code = ?", [office])
    return {
        "facility": facility,
        "case": case,
        "unit": unit,
        "province": province,
        "hamlet": hamlet,
        "collector": collector,
        "employer": employer,
        "officer": officer,
        "handle": f"{list_version(snap)}-{row}",
        "month": month.strftime("%Y-%m"),
        "rejects": (rejects or "none.csv").split("/")[-1],
    }


def _fill(text: str, values: dict[str, str]) -> str:
    for k, v in values.items():
        text = text.replace("{" + k + "}", str(v))
    return text


def test_matrix_covers_every_route(app: Any) -> None:
    known = {path.split("?")[0] for _, path, _ in ROUTES}
    placeholders = {
        "/units/{unit}": "/units/{code}",
        "/units/{hamlet}": "/units/{code}",
        "/units/{unit}/ranking": "/units/{code}/ranking",
        "/units/{unit}/potential": "/units/{code}/potential",
        "/units/{unit}/potential.xlsx": "/units/{code}/potential.xlsx",
        "/units/{unit}/workbook.xlsx": "/units/{code}/workbook.xlsx",
        "/units/{unit}/risk": "/units/{code}/risk",
        "/units/{unit}/reports/monthly": "/units/{code}/reports/{kind}",
        "/collectors/{collector}": "/collectors/{code}",
        "/collectors/{collector}/list.xlsx": "/collectors/{code}/list.xlsx",
        "/collectors/{collector}/outcomes": "/collectors/{code}/outcomes",
        "/employers/{employer}": "/employers/{code}",
        "/employers/{employer}/notice": "/employers/{code}/notice",
        "/admin/users/quantri/active": "/admin/users/{username}/active",
        "/admin/users/quantri/password": "/admin/users/{username}/password",
        "/jobs/unknownjob": "/jobs/{job_id}",
        "/claims/facilities/{facility}": "/claims/facilities/{code}",
        "/claims/facilities/{facility}/review": "/claims/facilities/{code}/review",
        NATION_UNIT: "/nation/units/{unit_code}",
    }
    covered = {placeholders.get(k, k) for k in known} | OPEN
    paths = {r.path for r in app.routes if getattr(r, "methods", None)}
    missing = sorted(paths - covered)
    assert not missing, f"routes without a scope check in the matrix: {missing}"


@pytest.mark.parametrize(
    "role",
    [
        "province_analyst",
        "office_staff",
        "commune_official",
        "collector",
        "case_officer",
        "appraisal_reviewer",
        "national_analyst",
    ],
)
def test_every_route_refuses_outside_the_scope(
    role: str, app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    snap = app.state.ctx.marts.get()
    values = _outside(snap, demo_users, role)
    client = clients[role]
    token = page_csrf(client)
    allowed_for_analyst = {
        "/units/{unit}",
        "/units/{hamlet}",
        "/units/{unit}/ranking",
        "/units/{unit}/potential",
        "/units/{unit}/potential.xlsx",
        "/units/{unit}/workbook.xlsx",
        "/units/{unit}/reports/monthly",
        "/units/{unit}/reports/inspection",
        "/units/{province}/reports/year-end",
        "/units/{province}/reports/finance",
        "/units/{province}/reports/health",
        "/targets?unit={unit}",
        "/collectors/{collector}",
        "/collectors/{collector}/list.xlsx",
        "/employers?officer={officer}",
        "/employers.xlsx?officer={officer}",
        "/employers?commune={unit}",
        "/employers/{employer}",
        "/employers/{employer}/notice?month={month}",
        "/employers/{employer}/notice?month={month}&format=xlsx",
        "/claims?facility={facility}",
        "/claims/facilities/{facility}",
        "/units/{unit}/risk",
        "/risk/case?id={case}",
    }
    failures = []
    for method, path, data in ROUTES:
        if role == "province_analyst" and path in allowed_for_analyst:
            continue  # the whole province is the analyst's scope
        if role == "national_analyst" and path == "/nation":
            continue  # their own page (test_nation_web; no national figures on this server)
        url = _fill(path, values)
        if method == "GET":
            r = client.get(url)
        else:
            form = {k: _fill(v, values) for k, v in data.items()}
            r = client.post(url, data={**form, "csrf_token": token})
        if r.status_code not in (403, 404):
            failures.append(f"{method} {url} → {r.status_code}")
    assert not failures, f"{role} was not refused: {failures}"


def test_upload_is_refused_to_other_roles(clients: dict[str, Any]) -> None:
    for role, client in clients.items():
        if role == "province_admin":
            continue
        token = page_csrf(client)
        r = client.post(
            "/imports",
            data={"csrf_token": token},
            files={"files": ("units.csv", b"x", "text/csv")},
        )
        assert r.status_code == 403, (role, r.status_code)


def test_each_role_opens_its_own_pages(
    clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    expect = {
        "province_admin": [
            "/units/{province}",
            "/imports",
            "/admin/users",
            "/admin/audit",
            "/employers",
            "/units/{province}/risk",
        ],
        "province_analyst": ["/units/{province}", "/employers", "/targets"],
        "office_staff": [
            "/units/{own}",
            "/units/{own}/potential",
            "/targets",
            "/employers",
            "/units/{own}/risk",
        ],
        "commune_official": [
            "/units/{own}",
            "/units/{own}/potential",
            "/targets",
            "/employers",
            "/units/{own}/risk",
        ],
        "collector": ["/collectors/{own}", "/collectors/{own}/list.xlsx"],
        "case_officer": ["/employers", "/employers.xlsx"],
        "appraisal_reviewer": ["/claims"],
        "national_analyst": ["/nation"],
    }
    for role, urls in expect.items():
        client = clients[role]
        home = client.get("/")
        assert home.status_code == 303, role
        for url in urls:
            own = demo_users[role]["scope_code"] or ""
            r = client.get(url.replace("{own}", own).replace("{province}", "75"))
            assert r.status_code == 200, (role, url, r.status_code)


def test_anonymous_is_sent_to_login(app: Any) -> None:
    from fastapi.testclient import TestClient

    c = TestClient(app, follow_redirects=False)  # no lifespan: the session's app keeps running
    r = c.get("/units/75")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert c.get("/units/75/potential.xlsx").status_code == 303
    assert c.post("/targets/set", data={}).status_code in (401, 403)
    r = c.get("/units/75", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["HX-Redirect"] == "/login"


def test_the_same_urls_work_inside_the_scope(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    """Control: the administrator (whole province) gets 200 on the very URLs the others were
    refused, so a refusal above is the scope check and not a malformed URL."""
    snap = app.state.ctx.marts.get()
    client = clients["province_admin"]
    for role in ("office_staff", "commune_official", "collector"):
        values = _outside(snap, demo_users, role)
        for method, path, _ in ROUTES:
            if method != "GET" or path in ("/jobs/unknownjob", "/nation", NATION_UNIT):
                continue  # no such job; the national view is the national analyst's alone
            if role == "collector" and path in REPORTS_OF_UNITS:
                # the collector's {unit} is a hamlet: reports are made for the province, an
                # office or a commune (404 for a hamlet, whoever asks)
                assert client.get(_fill(path, values)).status_code == 404
                continue
            r = client.get(_fill(path, values))
            assert r.status_code == 200, (role, path, r.status_code)
