"""The reports on the small province: each opens in LibreOffice (converted to PDF and read
back as text), every figure of their tables equals the same figure in the marts (read here
with plain SQL and formatted here), they are stamped and reproducible, a unit's report keeps
to the unit, and a report from marts of another date or state is refused."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from documents_fixtures import open_workspace, province_copy
from docx import Document as WordDocument
from pypdf import PdfReader

from baophu.reports.documents import KINDS, DocumentError, make_reports
from baophu.reports.documents.pdf import to_text


@pytest.fixture(scope="module")
def documents_province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return province_copy(tmp_path_factory)


@pytest.fixture(scope="module")
def documents_workspace(documents_province: Path) -> Any:
    return open_workspace(documents_province)


def vn_int(value: Any) -> str:
    return "" if value is None else f"{round(value):,}".replace(",", ".")


def vn_pct(value: Any) -> str:
    return "" if value is None else f"{value * 100:.2f}%".replace(".", ",")


def tables_of(path: Path) -> list[list[list[str]]]:
    doc = WordDocument(str(path))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def table_with(path: Path, first_header: str, contains: str | None = None) -> list[list[str]]:
    for t in tables_of(path):
        if t and t[0][0].startswith(first_header) and (contains is None or contains in t[0]):
            return t
    raise AssertionError(f"no table headed {first_header!r} in {path.name}")


@pytest.fixture(scope="module")
def sql(documents_workspace: Any) -> Any:
    con = duckdb.connect(str(documents_workspace.root / "baophu.duckdb"), read_only=True)
    yield lambda q, *p: [
        dict(zip([d[0] for d in con.description], r, strict=True))
        for r in con.execute(q, list(p)).fetchall()
    ]
    con.close()


@pytest.fixture(scope="module")
def reports(documents_workspace: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("reports")
    with documents_workspace.store(read_only=True) as store:
        files = make_reports(store, list(KINDS), out)
    return {f.kind: f for f in files}


@pytest.mark.libreoffice  # the reports fixture converts every document to PDF
def test_every_report_opens_in_libreoffice(reports: dict[str, Any]) -> None:
    assert set(reports) == set(KINDS)
    for kind, f in reports.items():
        assert f.pdf is not None and f.pdf.stat().st_size > 5_000, kind
        assert len(PdfReader(str(f.pdf)).pages) >= 1
        text = to_text(f.docx)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, kind
        assert "Độc lập - Tự do - Hạnh phúc" in text
        assert "Nơi nhận:" in text and "Lưu: VT." in text
        assert f"/{f.document.frame.symbol}" in text
        day = dt.date.fromisoformat(f.stamp["reference_date"])
        assert f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}" in text
        assert f.stamp["state_id"] in text and f.stamp["rule_version"] in text
        assert "{{" not in text and "{%" not in text, kind  # every tag rendered


@pytest.mark.libreoffice  # the reports fixture converts every document to PDF
def test_monthly_targets_equal_the_mart(reports: dict[str, Any], sql: Any) -> None:
    f = reports["monthly"]
    day = dt.date.fromisoformat(f.stamp["reference_date"])
    rows = sql(
        "SELECT * FROM mart_achievement_by_unit WHERE hierarchy='units' AND level='province' "
        "AND year=? ORDER BY indicator",
        day.year,
    )
    assert rows, "the demo province has targets"
    table = table_with(f.docx, "Chỉ tiêu", "Chỉ tiêu năm (người)")
    printed = {r[2]: r for r in table[1:]}  # by target in people
    for r in rows:
        line = printed[vn_int(r["target_people"])]
        assert line[3] == vn_int(r["achieved"])
        assert line[5] == vn_pct(r["achievement_ratio"])
        assert line[6] == vn_int(r["gap"])
        assert line[8] == vn_int(r["needed_per_week"]) and line[9] == vn_int(r["needed_per_day"])
        assert line[7].endswith(vn_int(abs(r["behind_plan"])))


@pytest.mark.libreoffice  # the reports fixture converts every document to PDF
def test_monthly_ranking_equals_the_mart(reports: dict[str, Any], sql: Any) -> None:
    f = reports["monthly"]
    day = dt.date.fromisoformat(f.stamp["reference_date"])
    rows = sql(
        "SELECT a.*, c.bhyt_rate FROM mart_achievement_by_unit a JOIN mart_coverage_by_unit c "
        "USING (unit_code) WHERE a.hierarchy='units' AND a.level='commune' AND "
        "a.indicator='bhyt_rate' AND a.year=? ORDER BY a.rank, a.unit_code",
        day.year,
    )
    table = table_with(f.docx, "Hạng")
    assert len(table) - 1 == len(rows)
    for line, r in zip(table[1:], rows, strict=True):
        assert line[:8] == [
            vn_int(r["rank"]),
            r["unit_code"],
            r["unit_name"],
            vn_pct(r["bhyt_rate"]),
            vn_int(r["target_people"]),
            vn_int(r["achieved"]),
            vn_pct(r["achievement_ratio"]),
            vn_int(r["gap"]),
        ]
        assert line[8] == ("X" if r["is_lowest"] else "")
    called = [r["unit_name"] for r in rows if r["is_lowest"]]
    text = to_text(f.docx)
    assert "báo cáo, giải trình tại cuộc họp: " + ", ".join(called) in " ".join(text.split())


@pytest.mark.libreoffice  # the reports fixture converts every document to PDF
def test_monthly_arrears_equal_the_marts(reports: dict[str, Any], sql: Any) -> None:
    f = reports["monthly"]
    (row,) = sql("SELECT * FROM mart_arrears_by_unit WHERE dimension='province'")
    table = {r[0]: r for r in table_with(f.docx, "Nội dung")[1:]}
    assert table["Số đơn vị chậm đóng từ 3 tháng trở lên"][1] == vn_int(row["employers_late_3plus"])
    assert table["Số tiền chậm đóng (đồng)"][1] == vn_int(row["late_amount"])
    assert table["Tỷ lệ chậm đóng so với số phải thu"][1] == vn_pct(row["arrears_ratio"])
    late = sql(
        "SELECT * FROM mart_employer_balance WHERE late_3plus ORDER BY late_amount DESC, "
        "employer_code LIMIT 20"
    )
    printed = table_with(f.docx, "STT", "Số tháng chậm")[1:]
    assert [r[1] for r in printed] == [r["employer_code"] for r in late]
    assert [r[5] for r in printed] == [vn_int(r["late_amount"]) for r in late]


@pytest.mark.libreoffice  # the reports fixture converts every document to PDF
def test_monthly_potential_equals_the_mart(reports: dict[str, Any], sql: Any) -> None:
    from baophu.contracts.vocabularies import REASON_VI

    rows = sql("SELECT reason, sum(persons) AS persons FROM mart_potential_summary GROUP BY reason")
    printed = {r[0]: r[1] for r in table_with(reports["monthly"].docx, "Lý do cần vận động")[1:]}
    for r in rows:
        label = REASON_VI.get(r["reason"], "Tổng số người (mỗi người tính một lần)")
        assert printed[label] == vn_int(r["persons"])


@pytest.mark.libreoffice  # the reports fixture converts every document to PDF
def test_year_end_and_inspection_equal_the_marts(reports: dict[str, Any], sql: Any) -> None:
    f = reports["year_end"]
    day = dt.date.fromisoformat(f.stamp["reference_date"])
    offices = sql(
        "SELECT * FROM mart_achievement_by_unit WHERE hierarchy='units' AND level='office' "
        "AND year=? ORDER BY rank, unit_code",
        day.year,
    )
    tables = [t for t in tables_of(f.docx) if t and t[0][0] == "Hạng"]
    office_table = tables[0]
    assert [r[1] for r in office_table[1:]] == [r["unit_code"] for r in offices]
    assert [r[6] for r in office_table[1:]] == [vn_pct(r["achievement_ratio"]) for r in offices]
    listed = sql("SELECT * FROM mart_inspection_list ORDER BY list_rank, entity_key LIMIT 100")
    printed = table_with(reports["inspection"].docx, "STT", "Điểm rủi ro")[1:]
    assert [r[2] for r in printed] == [r["tax_code"] or "" for r in listed]
    assert [r[6] for r in printed] == [vn_int(r["total_score"]) for r in listed]
    assert [r[7] for r in printed] == [vn_int(r["estimated_monthly_evaded"]) for r in listed]


@pytest.mark.libreoffice  # the reports fixture converts every document to PDF
def test_finance_equals_the_mart(reports: dict[str, Any], sql: Any) -> None:
    f = reports["finance"]
    day = dt.date.fromisoformat(f.stamp["reference_date"])
    quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    totals = sql(
        "SELECT department_name, sum(amount_due) AS due, sum(amount_paid) AS paid, "
        "sum(outstanding) AS outstanding FROM mart_budget_arrears WHERE level='quarter' AND "
        "quarter=? GROUP BY department_name",
        quarter,
    )
    assert totals
    printed = {r[0]: r for r in table_with(f.docx, "Cơ quan chi trả")[1:] if r[1] == "Cộng"}
    for t in totals:
        line = printed[t["department_name"]]
        assert line[3:6] == [vn_int(t["due"]), vn_int(t["paid"]), vn_int(t["outstanding"])]


@pytest.mark.libreoffice  # the reports fixture converts every document to PDF
def test_health_without_claims_says_so(reports: dict[str, Any], sql: Any) -> None:
    text = " ".join(to_text(reports["health"].docx).split())
    assert "Chưa có số liệu chi khám bệnh, chữa bệnh BHYT" in text
    total = sql("SELECT sum(insured) AS n FROM mart_bhyt_by_group WHERE level='province'")[0]["n"]
    printed = {r[0]: r for r in table_with(reports["health"].docx, "Nhóm đối tượng")[1:]}
    assert printed["Tổng số"][2] == vn_int(total)


def test_health_reads_the_claims_mart_when_present(
    documents_province: Path, tmp_path: Path
) -> None:
    import ibis

    from baophu.workspace import Workspace

    copy = tmp_path / "ws"
    shutil.copytree(documents_province, copy)
    ws = Workspace.open(copy)
    with ws.store() as store:
        day = store.mart_entry("coverage_by_unit").reference_day  # type: ignore[union-attr]
        claims = ibis.memtable(
            {
                "month": [dt.date(day.year, 1, 1), dt.date(day.year, 2, 1)],
                "spending": [1_234_000_000, 2_000_000_000],
                "estimate": [1_500_000_000, 1_500_000_000],
            }
        )
        store.write_mart("claims_spending_monthly", claims, store.stamp(day))
        (f,) = make_reports(store, ["health"], tmp_path / "out", with_pdf=False)
    table = table_with(f.docx, "Tháng")
    assert table[1:] == [
        [f"01/{day.year}", "1.234.000.000", "1.500.000.000"],
        [f"02/{day.year}", "2.000.000.000", "1.500.000.000"],
    ]


def test_same_marts_same_bytes(documents_workspace: Any, tmp_path: Path) -> None:
    with documents_workspace.store(read_only=True) as store:
        (a,) = make_reports(store, ["monthly"], tmp_path / "a", with_pdf=False)
        (b,) = make_reports(store, ["monthly"], tmp_path / "b", with_pdf=False)
    assert a.docx.read_bytes() == b.docx.read_bytes()


def test_a_commune_report_keeps_to_the_commune(
    documents_workspace: Any, sql: Any, tmp_path: Path
) -> None:
    (commune,) = sql(
        "SELECT unit_code, unit_name FROM mart_coverage_by_unit WHERE level='commune' "
        "ORDER BY unit_code LIMIT 1"
    )
    with documents_workspace.store(read_only=True) as store:
        (f,) = make_reports(
            store, ["monthly"], tmp_path, unit_code=commune["unit_code"], with_pdf=False
        )
        with pytest.raises(DocumentError, match="chỉ lập cho cấp tỉnh"):
            make_reports(store, ["finance"], tmp_path, unit_code=commune["unit_code"])
    hamlets = {
        r["unit_code"]
        for r in sql(
            "SELECT unit_code FROM mart_coverage_by_unit WHERE parent_code=?", commune["unit_code"]
        )
    }
    ranking = table_with(f.docx, "Hạng")[1:]
    assert ranking and {r[1] for r in ranking} <= hamlets
    assert f.document.frame.issuing_body.startswith("BAN CHỈ ĐẠO")
    assert commune["unit_name"].upper() in f.document.frame.parent_body


def test_another_date_is_refused(documents_workspace: Any, tmp_path: Path) -> None:
    with (
        documents_workspace.store(read_only=True) as store,
        pytest.raises(DocumentError, match="baophu run"),
    ):
        make_reports(store, ["monthly"], tmp_path, reference_date=dt.date(2001, 1, 31))
