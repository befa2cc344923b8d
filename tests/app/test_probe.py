"""The probe of issue 11, as a test: every route × every role — pages, HTMX fragments, xlsx
and CSV downloads, inside and outside the role's scope — and every masked field: no full
personal ID or phone number the role may not see, no ID in its integer form, and no hex
digest of any ID (nor a prefix of one) anywhere."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
from test_scope_matrix import ROUTES, _fill, _outside

HEX = re.compile(r"[0-9a-fA-F]{8,}")
RUN = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


def _text(response: Any) -> str:
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(c)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c is not None
        )
    if "wordprocessingml" in kind:
        from docx import Document

        doc = Document(io.BytesIO(response.content))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    if "pdf" in kind:
        from pypdf import PdfReader

        return "\n".join(
            p.extract_text() or "" for p in PdfReader(io.BytesIO(response.content)).pages
        )
    return response.content.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def people(app: Any) -> dict[str, Any]:
    snap = app.state.ctx.marts.get()
    rows = snap.rows(
        "SELECT person_id, row_key, phone, commune_code, owner_type, owner_code "
        "FROM mart_potential_persons"
    )
    ids: set[str] = set()
    for r in rows:
        for v in (r["person_id"], r["row_key"]):
            if v and re.fullmatch(r"\d{12}", str(v)):
                ids.add(str(v))
    phones = {str(r["phone"]) for r in rows if r["phone"]}
    prefixes = set()
    for v in ids:
        for text in (v, v.lstrip("0")):
            for algo in ("md5", "sha1", "sha256", "sha512", "blake2b", "sha3_256"):
                prefixes.add(hashlib.new(algo, text.encode()).hexdigest()[:8])
    return {"rows": rows, "ids": ids, "phones": phones, "prefixes": prefixes}


def _allowed(people: dict[str, Any], role: str, scope: str | None) -> set[str]:
    """IDs and phones the role may see in full."""
    if role == "commune_official":
        mine = [r for r in people["rows"] if r["commune_code"] == scope]
    elif role == "collector":
        mine = [
            r for r in people["rows"] if r["owner_type"] == "collector" and r["owner_code"] == scope
        ]
    else:
        return set()
    out = set()
    for r in mine:
        out |= {str(v) for v in (r["person_id"], r["row_key"], r["phone"]) if v}
    return out


def _urls(
    snap: Any, users: dict[str, dict[str, Any]], role: str
) -> list[tuple[str, dict[str, str]]]:
    own = users[role]["scope_code"] or "75"
    employer = snap.scalar(
        "SELECT min(employer_code) FROM mart_employer_balance WHERE officer_code = ?",
        [users["case_officer"]["scope_code"]],
    )
    inside = {
        # the province roles: a commune (the province's own lists are the same code, larger)
        "province": "75",
        "unit": own
        if role in ("office_staff", "commune_official")
        else users["commune_official"]["scope_code"],
        "hamlet": snap.scalar(
            "SELECT min(hamlet_code) FROM collectors WHERE collector_code = ?",
            [users["collector"]["scope_code"]],
        ),
        "collector": users["collector"]["scope_code"],
        "employer": employer,
        "officer": users["case_officer"]["scope_code"],
        "month": "",
        "rejects": "",
        "handle": "x",
        "facility": (users.get("appraisal_reviewer", {}).get("scope_code") or "x").split(";")[0],
        "case": snap.scalar(
            "SELECT min(case_id) FROM mart_risk_cases WHERE office_code = ?",
            [users["office_staff"]["scope_code"]],
        ),
    }
    if role == "collector":
        inside["unit"] = inside["hamlet"]
    outside = _outside(snap, users, role)
    inside["month"] = outside["month"]
    inside["rejects"] = outside["rejects"]
    urls: list[tuple[str, dict[str, str]]] = []
    for values in (inside, outside):
        for method, path, _ in ROUTES:
            if method != "GET" or path == "/jobs/unknownjob":
                continue
            url = _fill(path, values)
            urls.append((url, {}))
            if "potential" in url or "/collectors/" in url:
                sep = "&" if "?" in url else "?"
                urls.append((f"{url}{sep}p=2", {}))
                urls.append(
                    (
                        url,
                        {
                            "HX-Request": "true",
                            "HX-Target": "collector-table"
                            if "/collectors/" in url
                            else "potential-table",
                        },
                    )
                )
    return urls


@pytest.mark.parametrize(
    "role",
    [
        "province_admin",
        "province_analyst",
        "office_staff",
        "commune_official",
        "collector",
        "case_officer",
        "appraisal_reviewer",
    ],
)
def test_no_derivable_id_anywhere(
    role: str,
    app: Any,
    clients: dict[str, Any],
    demo_users: dict[str, dict[str, Any]],
    people: dict[str, Any],
) -> None:
    snap = app.state.ctx.marts.get()
    allowed = _allowed(people, role, demo_users[role]["scope_code"])
    secrets = people["ids"] | people["phones"]
    integer_ids = {v.lstrip("0"): v for v in people["ids"]}
    client = clients[role]
    problems: list[str] = []
    seen_pages = 0
    for url, headers in _urls(snap, demo_users, role):
        r = client.get(url, headers=headers)
        if r.status_code != 200:
            continue
        seen_pages += 1
        text = _text(r)
        for run in RUN.findall(text):
            if run in secrets and run not in allowed:
                problems.append(f"{url}: full ID or phone …{run[-4:]}")
            elif run in integer_ids and integer_ids[run] not in allowed:
                problems.append(f"{url}: ID as a number …{run[-4:]}")
        for hexrun in HEX.findall(text):
            low = hexrun.lower()
            if any(low[i : i + 8] in people["prefixes"] for i in range(len(low) - 7)):
                problems.append(f"{url}: digest of an ID {hexrun[:12]}")
    least = {"case_officer": 4, "appraisal_reviewer": 2}.get(role, 8)
    assert seen_pages >= least, f"{role}: too few pages"
    assert not problems, problems[:10]
