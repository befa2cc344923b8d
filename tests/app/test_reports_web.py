"""The reports as downloads: each role gets the reports of its own unit (Word or PDF), the
province-only reports are refused to the other roles, and every download is audited with
the user's role."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from sqlalchemy import select

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_commune_official_downloads_the_commune_report(
    clients: dict[str, Any], demo_users: dict[str, dict[str, Any]], sqlite_db: Any, app: Any
) -> None:
    from baophu.operational import AuditEvent

    commune = demo_users["commune_official"]["scope_code"]
    snap = app.state.ctx.marts.get()
    name = snap.scalar("SELECT unit_name FROM mart_coverage_by_unit WHERE unit_code = ?", [commune])
    r = clients["commune_official"].get(f"/units/{commune}/reports/monthly")
    assert r.status_code == 200 and r.headers["content-type"] == DOCX
    assert f"bao-cao-monthly-{commune}-" in r.headers["content-disposition"]
    text = _text(r.content)
    assert f"ỦY BAN NHÂN DÂN {name.upper()}" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    hamlets = {
        row["unit_code"]
        for row in snap.rows(
            "SELECT unit_code FROM mart_coverage_by_unit WHERE parent_code = ?", [commune]
        )
    }
    ranked = [
        row.cells[1].text
        for t in Document(io.BytesIO(r.content)).tables
        if t.rows[0].cells[0].text.startswith("Hạng")
        for row in t.rows[1:]
    ]
    assert ranked and set(ranked) <= hamlets
    with sqlite_db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.object == "report_monthly")).all()
    mine = [e for e in events if e.unit_code == commune and e.role == "commune_official"]
    assert mine and "tệp docx" in (mine[-1].detail or "")


def test_province_reports_are_for_the_province_roles(
    clients: dict[str, Any], demo_users: dict[str, dict[str, Any]]
) -> None:
    office = demo_users["office_staff"]["scope_code"]
    assert clients["office_staff"].get(f"/units/{office}/reports/monthly").status_code == 200
    assert clients["office_staff"].get("/units/75/reports/finance").status_code == 403
    assert clients["office_staff"].get(f"/units/{office}/reports/finance").status_code == 403
    r = clients["province_analyst"].get("/units/75/reports/finance")
    assert r.status_code == 200 and "Sở Tài chính" in _text(r.content)
    # a kind that does not exist, a format that does not exist
    assert clients["province_analyst"].get("/units/75/reports/weekly").status_code == 404
    assert (
        clients["province_analyst"].get("/units/75/reports/monthly?format=odt").status_code == 400
    )


def test_a_collector_gets_no_report(
    clients: dict[str, Any], demo_users: dict[str, dict[str, Any]], app: Any
) -> None:
    snap = app.state.ctx.marts.get()
    hamlet = snap.scalar(
        "SELECT min(hamlet_code) FROM collectors WHERE collector_code = ?",
        [demo_users["collector"]["scope_code"]],
    )
    r = clients["collector"].get(f"/units/{hamlet}/reports/monthly")
    assert r.status_code == 404  # in scope, but a hamlet has no report
    assert clients["collector"].get("/units/75/reports/monthly").status_code == 403


def test_the_pdf_download(clients: dict[str, Any]) -> None:
    r = clients["province_admin"].get("/units/75/reports/monthly?format=pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
