"""Personal data on the web (issue 11, items 1–5): nothing in a page is derived from a
personal ID; a collector sees only the people of their own list, also in a hamlet shared with
another collector; the rejected rows mask by what a column means; phones are masked like IDs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, login

HEX = re.compile(r"[0-9a-fA-F]{8,}")
IDS = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _digest_prefixes(values: set[str]) -> set[str]:
    """The first 8 hex digits of every usual digest of every value (and of the value with
    its leading zeros dropped, as an integer key would be)."""
    out = set()
    for v in values:
        for text in {v, v.lstrip("0")}:
            for algo in ("md5", "sha1", "sha256", "sha512", "blake2b", "blake2s", "sha3_256"):
                out.add(hashlib.new(algo, text.encode()).hexdigest()[:8].lower())
    return out


def _derived(text: str, prefixes: set[str]) -> list[str]:
    """Hex runs in ``text`` that contain a digest prefix of an ID."""
    found = []
    for run in HEX.findall(text):
        low = run.lower()
        if any(low[i : i + 8] in prefixes for i in range(len(low) - 7)):
            found.append(run)
    return found


def _xlsx_text(content: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )


def test_row_handles_carry_nothing_derived_from_the_id(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    snap = app.state.ctx.marts.get()
    collector = demo_users["collector"]["scope_code"]
    commune = demo_users["commune_official"]["scope_code"]
    ids = {
        str(r["k"])
        for r in snap.rows(
            "SELECT row_key AS k FROM mart_potential_persons UNION "
            "SELECT person_id FROM mart_potential_persons WHERE person_id IS NOT NULL"
        )
    }
    prefixes = _digest_prefixes(ids)
    pages = [
        f"/collectors/{collector}",
        f"/collectors/{collector}?p=2",
        f"/units/{commune}/potential",
        f"/units/{commune}/potential?p=2",
    ]
    for role, client in clients.items():
        for url in pages:
            r = client.get(url)
            if r.status_code != 200:
                continue
            assert not _derived(r.text, prefixes), (role, url, _derived(r.text, prefixes)[:3])
            # the rows' HTML ids are positions in the list, never digests
            assert not re.search(r'id="p[0-9a-f]{12}"', r.text), (role, url)
            fragment = client.get(
                url, headers={"HX-Request": "true", "HX-Target": "collector-table"}
            )
            assert not _derived(fragment.text, prefixes), (role, url)
    # the collector records outcomes by handle: version and position, nothing else
    mine = clients["collector"].get(f"/collectors/{collector}").text
    handles = re.findall(r'data-row="([^"]+)"', mine)
    assert handles and all(re.fullmatch(r"[0-9a-z]{1,8}-[0-9]+", h) for h in handles)


# --------------------------------------------------------------- a hamlet shared by two


@pytest.fixture(scope="module")
def shared(app: Any, sqlite_db: Any) -> Iterator[dict[str, Any]]:
    """A collector who shares a hamlet with another collector, both with people there, and a
    login for them."""
    from baophu.operational.users import create_user

    snap = app.state.ctx.marts.get()
    pair = snap.one(
        "SELECT hamlet_code, min(owner_code) AS mine, max(owner_code) AS theirs "
        "FROM mart_potential_persons WHERE owner_type = 'collector' AND hamlet_code IN "
        "(SELECT hamlet_code FROM collectors GROUP BY 1 HAVING count(DISTINCT collector_code) > 1) "
        "GROUP BY 1 HAVING count(DISTINCT owner_code) > 1 ORDER BY 1 LIMIT 1"
    )
    assert pair is not None, "the test province has no hamlet shared by two collectors"
    create_user(
        sqlite_db, "thu.chung", "Nhân viên thu chung thôn", PASSWORD, "collector", pair["mine"]
    )

    def people(owner: str) -> list[dict[str, Any]]:
        return snap.rows(
            "SELECT person_id, phone, full_name FROM mart_potential_persons WHERE "
            "owner_type = 'collector' AND owner_code = ? AND hamlet_code = ?",
            [owner, pair["hamlet_code"]],
        )

    client = TestClient(app, follow_redirects=False)
    assert login(client, "thu.chung").status_code == 303
    yield {
        **pair,
        "client": client,
        "own": people(pair["mine"]),
        "other": people(pair["theirs"]),
    }
    client.close()


def test_a_collector_sees_only_their_own_people_in_a_shared_hamlet(shared: dict[str, Any]) -> None:
    c, hamlet = shared["client"], shared["hamlet_code"]
    own_ids = {r["person_id"] for r in shared["own"] if r["person_id"]}
    other_ids = {r["person_id"] for r in shared["other"] if r["person_id"]}
    other_phones = {r["phone"] for r in shared["other"] if r["phone"]}
    assert other_ids, "the other collector has no identified people in the shared hamlet"
    page = c.get(f"/units/{hamlet}/potential")
    assert page.status_code == 200
    seen = set(IDS.findall(page.text))
    assert not seen & other_ids, "another collector's people are shown"
    assert not any(p in page.text for p in other_phones)
    assert seen & own_ids, "the collector's own people are missing"
    fragment = c.get(
        f"/units/{hamlet}/potential?p=1",
        headers={"HX-Request": "true", "HX-Target": "potential-table"},
    )
    assert not set(IDS.findall(fragment.text)) & other_ids
    export = c.get(f"/units/{hamlet}/potential.xlsx")
    assert export.status_code == 200
    text = _xlsx_text(export.content)
    assert not set(IDS.findall(text)) & other_ids
    assert not any(p in text for p in other_phones)
    assert set(IDS.findall(text)) >= own_ids
    # the counts of the hamlet's page are theirs too
    unit = c.get(f"/units/{hamlet}").text
    people = re.search(r"Danh sách tiềm năng: ([\d.]+) người", unit)
    assert people and int(people.group(1).replace(".", "")) == len(shared["own"])


def test_phones_are_masked_like_ids(
    app: Any, clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    snap = app.state.ctx.marts.get()
    commune = demo_users["commune_official"]["scope_code"]
    phones = {
        r["phone"]
        for r in snap.rows(
            "SELECT phone FROM mart_potential_persons WHERE commune_code = ? AND phone IS NOT NULL",
            [commune],
        )
    }
    assert phones
    for role in ("province_admin", "province_analyst", "office_staff"):
        text = _xlsx_text(clients[role].get(f"/units/{commune}/potential.xlsx").content)
        assert not [p for p in phones if p in text], role
        assert re.search(r"\*{6}\d{4}", text), role  # masked: ******1234
    own = _xlsx_text(clients["commune_official"].get(f"/units/{commune}/potential.xlsx").content)
    assert [p for p in phones if p in own]  # the commune official confirms lists: full
    collector = demo_users["collector"]["scope_code"]
    theirs = clients["collector"].get(f"/collectors/{collector}").text
    office = clients["office_staff"].get(f"/collectors/{collector}").text
    shown = {p for p in phones if p in theirs}
    assert shown, "the collector does not see their own people's phones"
    assert not {p for p in shown if p in office}


# ------------------------------------------------------------------------ rejected rows

REJECTS = "zz20260101T000000-test__ho_so_dan_cu.csv"
ROWS = [
    # column header as the file had it, value, reason (Vietnamese), reason (English)
    ("CCCD", "075085000001", "Trùng số định danh 075085000001", "Duplicate ID 075085000001"),
    (
        "Số định danh cá nhân",
        "0750850000012345",
        "Số định danh phải có 12 chữ số: 0750850000012345",
        "The ID must have 12 digits: 0750850000012345",
    ),
    ("Điện thoại", "0912 345 678", "Số điện thoại không hợp lệ", "Invalid phone"),
    ("Mã số BHXH", "7512345678", "Mã số BHXH cũ: 7512345678", "Legacy code 7512345678"),
    ("", "9,075185000002,Trần Thị Bình,0987654321", "Dòng thiếu cột", "Short row"),
    ("Họ và tên", '=HYPERLINK("http://x")', "Tên không hợp lệ", "Invalid name"),
]
FULL = ["075085000001", "0750850000012345", "0912 345 678", "7512345678", "075185000002"]


@pytest.fixture(scope="module")
def rejects_file(workspace: Any) -> Iterator[str]:
    from baophu.ingest.rejects import HEADERS

    path = workspace.rejects_dir / REJECTS
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for i, (column, value, vi, en) in enumerate(ROWS, start=2):
            w.writerow(["ho_so_dan_cu.csv", i, column, value, "loại bỏ / rejected", "x", vi, en])
    yield REJECTS
    path.unlink()


def test_rejected_rows_are_masked_by_what_the_column_means(
    clients: dict[str, Any], rejects_file: str
) -> None:
    admin = clients["province_admin"]
    page = admin.get(f"/imports/rejects?file={rejects_file}")
    assert page.status_code == 200
    download = admin.get(f"/imports/rejects.csv?file={rejects_file}")
    assert download.status_code == 200
    text = download.content.decode("utf-8-sig")
    for shown in (page.text, text):
        leaked = [v for v in FULL if v in shown]
        assert not leaked, leaked
        assert "********0001" in shown  # the ID under the header "CCCD"
        assert "************2345" in shown  # a 16-digit value in the ID column, and its reason
        assert "******5678" in shown  # the legacy social-insurance code
        assert "**** **5 678" in shown  # the phone
        assert "********0002" in shown and "******4321" in shown  # inside the raw row
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][3] == "********0001" and rows[1][6] == "Trùng số định danh ********0001"
    assert rows[6][3].startswith("'=")  # written as text, never a formula
    # the page is in Vietnamese: no English reason column, no error codes
    assert "Duplicate ID" not in page.text and ">Reason<" not in page.text


def test_a_long_or_nul_file_name_is_refused_with_400(clients: dict[str, Any]) -> None:
    admin = clients["province_admin"]
    for name in ("a" * 300, "abc%00.csv", "%00"):
        for url in ("/imports/rejects", "/imports/rejects.csv"):
            r = admin.get(f"{url}?file={name}")
            assert r.status_code == 400, (url, name, r.status_code)
            assert "Tham số “file”" in r.text and "Internal Server Error" not in r.text


def test_the_ingest_field_column_decides_what_a_value_is(workspace: Any) -> None:
    """A header no contract knows ("Cột 7") whose canonical field the ingest names
    ("person_id") is masked by that meaning; a harmless field is shown as written."""
    from baophu.app.rejects_view import read_masked
    from baophu.ingest.rejects import HEADERS

    path = workspace.rejects_dir / "field-column-rejects.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerow(
            ["a.csv", 2, "Cột 7", "0750850000991", "loại bỏ", "x", "Sai", "Bad", "person_id"]
        )
        w.writerow(
            ["a.csv", 3, "Cột 8", "Nguyễn Văn An", "loại bỏ", "x", "Sai", "Bad", "full_name"]
        )
    try:
        data = read_masked(path, None)
        assert "0750850000991" not in data.rows[0][3] and data.rows[0][3].endswith("0991")
        assert data.rows[1][3] == "Nguyễn Văn An"
    finally:
        path.unlink()
