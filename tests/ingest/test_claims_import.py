"""Claims in: the Ministry's XML files and monthly extracts through one all-or-nothing import.

Every expected value is written by hand from the claims built in ``claims_build.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import claims_build as cb

from baophu.ingest.importer import ImportOptions, import_paths

pytestmark = pytest.mark.timeout(300)


def run(ws, paths, **options):  # type: ignore[no-untyped-def]
    with ws.store() as store:
        return import_paths(store, list(paths), ws.rejects_dir, ImportOptions(**options))


def rows(ws, table: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with ws.store() as store:
        data = store.table(table).to_pyarrow().to_pylist()
    return sorted(
        ({k: v for k, v in r.items() if not k.startswith("_")} for r in data),
        key=lambda r: (r["facility_code"], r["claim_code"], r.get("line_no") or 0),
    )


def rejects(result) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    out = []
    for f in result.files:
        if f.rejects_path:
            with open(f.rejects_path, encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    out.append({"table": f.table, **row})
    return out


@pytest.fixture
def base(tiny_inputs: Path) -> Path:
    cb.write_base(tiny_inputs)
    return tiny_inputs


# Bình's card is renewed during her stay: two cards, validity and registrations ';'-joined.
RENEWED = {
    "HO_TEN": "Trần Thị Bình",
    "SO_CCCD": "075185000002",
    "NGAY_SINH": "198507010000",
    "GIOI_TINH": "2",
    "MA_THE_BHYT": "HS4755185000002;GD4755185000002",
    "MA_DKBD": "75001;75002",
    "GT_THE_TU": "20250101;20250301",
    "GT_THE_DEN": "20250228;20251231",
    "MA_LOAI_KCB": "03",
    "NGAY_VAO": "202502250800",
    "NGAY_VAO_NOI_TRU": "202502250930",
    "NGAY_RA": "202503051000",
    "SO_NGAY_DTRI": "9",  # 25/02 → 05/03/2025: 8 days apart, + 1
    "MA_BENH_CHINH": "K35.8",
    "T_TONGCHI_BV": "6500000",
    "T_TONGCHI_BH": "6500000",
    "T_BNCCT": "1300000",
    "T_BHTT": "5200000",
}
# A stay of exactly four hours; a card that ends on the discharge day.
FOUR_HOURS = {
    "NGAY_VAO": "202503120800",
    "NGAY_RA": "202503121200",
    "MA_LOAI_KCB": "03",
    "NGAY_VAO_NOI_TRU": "202503120800",
    "SO_NGAY_DTRI": "1",
}
CARD_ENDS = {
    "GT_THE_DEN": "20250315",
    "NGAY_VAO": "202503140700",
    "NGAY_RA": "202503151600",
    "MA_LOAI_KCB": "03",
    "NGAY_VAO_NOI_TRU": "202503140700",
    "SO_NGAY_DTRI": "2",
}


def good_records() -> list[str]:
    return [
        cb.record(
            cb.claim("A1"),
            [cb.drug("A1", 1), cb.drug("A1", 2, MA_THUOC="40.30")],
            [cb.service("A1", 1)],
        ),
        cb.record(
            cb.claim("B1", **RENEWED),
            [cb.drug("B1", 1, NGAY_YL="202502260800")],
            [
                cb.service(
                    "B1",
                    1,
                    MA_NHOM="15",
                    MA_DICH_VU="K01.1910",
                    MA_GIUONG="H012",
                    SO_LUONG="9",
                    DON_GIA_BH="300000",
                    THANH_TIEN_BH="2700000",
                ),
                cb.service("B1", 2, MA_DICH_VU="", MA_VAT_TU="N03.01.070", MA_NHOM="10"),
            ],
        ),
        cb.record(cb.claim("C4", **FOUR_HOURS)),
        cb.record(cb.claim("D1", **CARD_ENDS)),
    ]


def test_xml_file_fills_claims_and_lines(base: Path, workspace, tmp_path: Path) -> None:
    (base / "giamdinh_75001_2025_03.xml").write_text(cb.envelope(good_records()), "utf-8")
    result = run(workspace, [base])
    assert result.committed, result.error
    by_table = {f.table: f for f in result.files}
    assert by_table["claims"].rows_imported == 4
    assert by_table["claim_drugs"].rows_imported == 3
    assert by_table["claim_services"].rows_imported == 3
    claims = {r["claim_code"]: r for r in rows(workspace, "claims")}
    a1 = claims["A1"]
    assert a1["facility_code"] == "75001"
    assert a1["full_name"] == "Nguyễn Văn An"
    assert a1["person_id"] == "075085000001"
    assert a1["birth_date"] == dt.date(1985, 3, 12)
    assert a1["sex"] == "male"
    assert a1["care_type"] == "01"
    assert a1["admitted_at"] == dt.datetime(2025, 3, 10, 8, 0)
    assert a1["discharged_at"] == dt.datetime(2025, 3, 10, 10, 0)
    assert a1["inpatient_at"] is None
    assert a1["total_insured"] == 200000.0 and a1["fund_paid"] == 160000.0
    assert (a1["settlement_year"], a1["settlement_month"]) == (2025, 3)
    assert a1["card_number"] == a1["card_number_last"] == "GD4755085000001"
    assert a1["card_count"] == 1
    b1 = claims["B1"]
    assert b1["card_numbers"] == "HS4755185000002;GD4755185000002"  # raw text kept
    assert b1["card_number"] == "HS4755185000002"
    assert b1["card_number_last"] == "GD4755185000002"
    assert b1["card_count"] == 2
    assert b1["card_valid_from"] == dt.date(2025, 1, 1)  # first card's GT_THE_TU
    assert b1["card_valid_to"] == dt.date(2025, 12, 31)  # last card's GT_THE_DEN
    assert b1["registered_facility"] == "75002"
    assert b1["sex"] == "female" and b1["care_type"] == "03" and b1["treatment_days"] == 9
    assert b1["inpatient_at"] == dt.datetime(2025, 2, 25, 9, 30)
    c4 = claims["C4"]
    assert c4["discharged_at"] - c4["admitted_at"] == dt.timedelta(hours=4)
    d1 = claims["D1"]
    assert d1["card_valid_to"] == d1["discharged_at"].date() == dt.date(2025, 3, 15)
    drugs = rows(workspace, "claim_drugs")
    assert [(d["claim_code"], d["line_no"], d["drug_code"]) for d in drugs] == [
        ("A1", 1, "40.17"),
        ("A1", 2, "40.30"),
        ("B1", 1, "40.17"),
    ]
    # XML2 does not repeat MA_CSKCB: the line takes its record's facility.
    assert {d["facility_code"] for d in drugs} == {"75001"}
    assert drugs[0]["quantity"] == 10.0 and drugs[0]["unit_price"] == 12000.0
    assert drugs[0]["tender_info"] == "QĐ 123/QĐ-SYT;G1;N4;2025"
    assert drugs[2]["ordered_at"] == dt.datetime(2025, 2, 26, 8, 0)
    services = {(s["claim_code"], s["line_no"]): s for s in rows(workspace, "claim_services")}
    bed = services[("B1", 1)]
    assert (bed["bed_code"], bed["group_code"], bed["quantity"]) == ("H012", "15", 9.0)
    assert bed["amount_insured"] == 2700000.0
    supply = services[("B1", 2)]
    assert supply["service_code"] is None and supply["supply_code"] == "N03.01.070"


def test_every_reviewer_check_names_file_record_and_field(
    base: Path, duckdb_workspace, tmp_path: Path
) -> None:
    records = [
        *good_records(),
        cb.record(cb.claim("E1", T_BHTT="150000")),  # 200,000 − 40,000 = 160,000
        cb.record(cb.claim("F1", NGAY_RA="202503090800")),  # discharged before admitted
        cb.record(
            cb.claim("G1", MA_LOAI_KCB="03", NGAY_VAO_NOI_TRU="202503100700", SO_NGAY_DTRI="1")
        ),
        cb.record(cb.claim("H1", MA_THE_BHYT="GD4759999999999", SO_CCCD="")),
        cb.record(cb.claim("I1", SO_NGAY_DTRI="3")),  # an outpatient visit counts 0 days
        cb.record(cb.claim("J1"), [cb.drug("ZZ", 1)], [cb.service("J1", 1, MA_GIUONG="X12")]),
        cb.record(cb.claim("K1", MA_THE_BHYT="GD4755085000001;GD4755085000001")),
    ]
    path = base / "giamdinh_75001_2025_03.xml"
    path.write_text(cb.envelope(records), "utf-8")
    result = run(duckdb_workspace, [base])
    assert result.committed, result.error
    found = {
        (r["table"], r["Mã lỗi / Code"], r["Dòng / Row"], r["Cột / Column"]): r
        for r in rejects(result)
        if r["Tệp / File"] == path.name
    }
    # Row = the record's position (HOSO number) in the file.
    expected = {
        ("claims", "claim_totals_mismatch", "5", "T_BHTT"): "loại bỏ / rejected",
        ("claims", "discharge_before_admission", "6", "NGAY_RA"): "loại bỏ / rejected",
        ("claims", "inpatient_before_admission", "7", "NGAY_VAO_NOI_TRU"): "loại bỏ / rejected",
        ("claims", "card_unknown", "8", "MA_THE_BHYT"): "cảnh báo / warning",
        ("claims", "treatment_days_mismatch", "9", "SO_NGAY_DTRI"): "cảnh báo / warning",
        ("claim_drugs", "line_without_claim", "10", "MA_LK"): "loại bỏ / rejected",
        ("claim_services", "bad_bed_code", "10", "MA_GIUONG"): "cảnh báo / warning",
        ("claims", "card_parts_mismatch", "11", "GT_THE_TU"): "loại bỏ / rejected",
        ("claims", "card_parts_mismatch", "11", "GT_THE_DEN"): "loại bỏ / rejected",
    }
    assert {k: v["Mức độ / Severity"] for k, v in found.items()} == expected
    totals = found[("claims", "claim_totals_mismatch", "5", "T_BHTT")]
    assert "MA_LK E1" in totals["Lý do"] and "160000" in totals["Lý do"]
    assert "MA_LK E1" in totals["Reason"]
    orphan = found[("claim_drugs", "line_without_claim", "10", "MA_LK")]
    assert orphan["Giá trị / Value"] == "ZZ" and "75001" in orphan["Reason"]
    claims = {r["claim_code"] for r in rows(duckdb_workspace, "claims")}
    assert claims == {"A1", "B1", "C4", "D1", "H1", "I1", "J1"}  # warnings keep the row
    assert {r["claim_code"] for r in rows(duckdb_workspace, "claim_drugs")} == {"A1", "B1"}


def bad_corpus() -> dict[str, tuple[str, str]]:
    """file name -> (content, reason code expected)."""
    good = cb.record(cb.claim("A1"), [cb.drug("A1", 1)])
    whole = cb.envelope([good, cb.record(cb.claim("A2"))])
    return {
        "cut_off.xml": (whole[: len(whole) // 2], "xml_not_well_formed"),
        "wrong_root.xml": ("<HOSOKCB><HOSO/></HOSOKCB>", "xml_not_claims"),
        "bad_base64.xml": (
            cb.envelope([good, cb.record(cb.claim("A2"), raw={"XML2": "!!!not base64***"})]),
            "xml_bad_base64",
        ),
        "inner_broken.xml": (
            cb.envelope(
                [
                    good,
                    cb.record(
                        cb.claim("A2"), raw={"XML2": cb.b64("<CHITIEU_CHITIET_THUOC><DSACH")}
                    ),
                ]
            ),
            "xml_inner_not_well_formed",
        ),
        "inner_wrong_root.xml": (
            cb.envelope(
                [cb.record(None, raw={"XML1": cb.b64("<TONGHOP><MA_LK>A9</MA_LK></TONGHOP>")})]
            ),
            "xml_inner_wrong_root",
        ),
        "no_content.xml": (
            cb.envelope(["<HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO></FILEHOSO></HOSO>"]),
            "xml_missing_content",
        ),
        "count.xml": (cb.envelope([good], declared=2), "xml_record_count"),
        "empty_list.xml": (cb.envelope([]), "xml_no_records"),
        "no_ma_lk.xml": (
            cb.envelope([cb.record(cb.claim("")), cb.record(cb.claim(""))]),
            "too_many_rejects",
        ),
    }


@pytest.mark.parametrize("name", sorted(bad_corpus()))
def test_bad_xml_is_refused_and_nothing_is_imported(
    name: str, base: Path, duckdb_workspace, tmp_path: Path
) -> None:
    content, code = bad_corpus()[name]
    (base / "giamdinh_75001_2025_03.xml").write_text(cb.envelope(good_records()), "utf-8")
    (base / name).write_text(content, "utf-8")
    result = run(duckdb_workspace, [base])
    assert not result.committed
    assert name in (result.error or "")
    assert result.error_vi and result.error_en
    from baophu.ingest.messages import REASONS

    template_en = REASONS[code][1]
    assert template_en.split("{")[0][:15] in result.error_en
    with duckdb_workspace.store() as store:
        assert store.row_count("claims") == 0  # the good file of the batch is not kept either
        assert store.row_count("units") == 0


def test_bad_base64_error_names_the_record_and_its_ma_lk(base: Path, duckdb_workspace) -> None:
    content, _ = bad_corpus()["bad_base64.xml"]
    (base / "bad.xml").write_text(content, "utf-8")
    result = run(duckdb_workspace, [base])
    assert result.error is not None
    assert "dòng/row 2" in result.error  # the second HOSO
    assert "MA_LK A2" in result.error and "XML2" in result.error


def test_entities_are_never_resolved(base: Path, duckdb_workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", "utf-8")
    text = (
        cb.envelope(good_records())
        .replace(
            "<GIAMDINHHS>",
            f'<!DOCTYPE GIAMDINHHS [<!ENTITY x SYSTEM "file://{secret}">]>\n<GIAMDINHHS>',
        )
        .replace("<MACSKCB>75001</MACSKCB>", "<MACSKCB>&x;</MACSKCB>")
    )
    (base / "giamdinh.xml").write_text(text, "utf-8")
    result = run(duckdb_workspace, [base])
    assert "SECRET" not in str(result.error)
    if result.committed:
        assert all(r["facility_code"] != "SECRET" for r in rows(duckdb_workspace, "claim_drugs"))


def test_documents_outside_the_plain_shape_read_the_same(base: Path, tmp_path: Path) -> None:
    """CDATA, comments, attributes and pretty-printing go through lxml: same rows."""
    from baophu.workspace import Workspace, init_workspace

    plain = base / "giamdinh_plain.xml"
    plain.write_text(cb.envelope(good_records()), "utf-8")
    fancy_records = []
    for rec in good_records():
        fancy_records.append(rec)
    fancy = cb.envelope(fancy_records)
    # Re-encode every table with CDATA names, a comment and indentation.
    import base64
    import re

    def dress(match: re.Match[str]) -> str:
        text = base64.b64decode(match.group(1)).decode("utf-8")
        text = text.replace("<HO_TEN>", "<HO_TEN><![CDATA[").replace("</HO_TEN>", "]]></HO_TEN>")
        text = text.replace("><", ">\n  <").replace("<MA_LK>", "<!-- mã liên kết -->\n<MA_LK>")
        return "<NOIDUNGFILE>" + base64.b64encode(text.encode("utf-8")).decode() + "</NOIDUNGFILE>"

    fancy = re.sub(r"<NOIDUNGFILE>([^<]*)</NOIDUNGFILE>", dress, fancy)
    out = {}
    for name, content in (("plain", None), ("fancy", fancy)):
        folder = tmp_path / name
        folder.mkdir()
        for f in base.iterdir():
            if f.suffix == ".csv":
                (folder / f.name).write_bytes(f.read_bytes())
        (folder / "giamdinh.xml").write_text(content or plain.read_text("utf-8"), "utf-8")
        init_workspace(tmp_path / f"ws-{name}")
        ws = Workspace.open(tmp_path / f"ws-{name}")
        result = run(ws, [folder])
        assert result.committed, result.error
        out[name] = {t: rows(ws, t) for t in ("claims", "claim_drugs", "claim_services")}
    assert out["fancy"] == out["plain"]
    assert out["plain"]["claims"][0]["full_name"] == "Nguyễn Văn An"


def _extract_rows(kind: str) -> list[dict[str, str]]:
    """The good claims as an appraisal-system extract would list them (Ministry names)."""
    import base64
    import re

    envelope = cb.envelope(good_records())
    out: list[dict[str, str]] = []
    for facility_kind, text in re.findall(
        r"<LOAIHOSO>(XML\d)</LOAIHOSO><NOIDUNGFILE>([^<]*)</NOIDUNGFILE>", envelope
    ):
        if facility_kind != kind:
            continue
        doc = base64.b64decode(text).decode("utf-8")
        record = (
            "TONG_HOP"
            if kind == "XML1"
            else ("CHI_TIET_THUOC" if kind == "XML2" else "CHI_TIET_DVKT")
        )
        for block in re.findall(rf"<{record}>(.*?)</{record}>", doc, re.S):
            row = dict(re.findall(r"<([A-Z_0-9]+)>([^<]*)</\1>", block))
            row.setdefault("MA_CSKCB", "75001")
            out.append(row)
    return out


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_monthly_extracts_read_as_the_xml(fmt: str, base: Path, tmp_path: Path) -> None:
    from baophu.workspace import Workspace, init_workspace

    xml_folder = tmp_path / "xml"
    xml_folder.mkdir()
    for f in base.iterdir():
        (xml_folder / f.name).write_bytes(f.read_bytes())
    (xml_folder / "giamdinh.xml").write_text(cb.envelope(good_records()), "utf-8")
    names = {
        "XML1": "claims_2025_03",
        "XML2": "claim_drugs_2025_03",
        "XML3": "claim_services_2025_03",
    }
    headers = {"XML1": cb.CLAIM_FIELDS, "XML2": cb.DRUG_FIELDS, "XML3": cb.SERVICE_FIELDS}
    for kind, stem in names.items():
        table_rows = _extract_rows(kind)
        columns = [*headers[kind], *(["MA_CSKCB"] if kind != "XML1" else [])]
        data = {c: [r.get(c) or None for r in table_rows] for c in columns}
        table = pa.table({c: pa.array(v, pa.string()) for c, v in data.items()})
        if fmt == "parquet":
            pq.write_table(table, base / f"{stem}.parquet")
        elif fmt == "csv":
            with open(base / f"{stem}.csv", "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(columns)
                for r in table_rows:
                    writer.writerow([r.get(c, "") for c in columns])
        else:
            import openpyxl

            book = openpyxl.Workbook()
            sheet = book.active
            sheet.append(["BẢNG TỔNG HỢP CHI PHÍ KCB BHYT THÁNG 03/2025"])
            sheet.append(columns)
            for r in table_rows:
                sheet.append([r.get(c) or None for c in columns])
            book.save(base / f"{stem}.xlsx")
    out = {}
    for name, folder in (("extract", base), ("xml", xml_folder)):
        init_workspace(tmp_path / f"ws-{name}")
        ws = Workspace.open(tmp_path / f"ws-{name}")
        result = run(ws, [folder])
        assert result.committed, result.error
        out[name] = {t: rows(ws, t) for t in ("claims", "claim_drugs", "claim_services")}
    assert len(out["extract"]["claims"]) == 4
    for table in ("claims", "claim_drugs", "claim_services"):
        assert out["extract"][table] == out["xml"][table], table


def test_importing_the_same_xml_twice_changes_nothing(base: Path, duckdb_workspace) -> None:
    (base / "giamdinh.xml").write_text(cb.envelope(good_records()), "utf-8")
    first = run(duckdb_workspace, [base])
    second = run(duckdb_workspace, [base])
    assert first.committed and second.committed
    xml = [f for f in second.files if f.path.endswith(".xml")]
    assert [f.status for f in xml] == ["unchanged"] * 3
    assert len({f.snapshot_id for f in first.files}) == len(first.files)  # one per table
    assert len(rows(duckdb_workspace, "claims")) == 4


@pytest.mark.spark
def test_duckdb_and_spark_store_the_same_claims(base: Path, tmp_path: Path) -> None:
    from baophu.workspace import Workspace, init_workspace

    (base / "giamdinh.xml").write_text(cb.envelope(good_records()), "utf-8")
    out = {}
    for backend in ("duckdb", "pyspark"):
        init_workspace(tmp_path / backend, backend=backend)  # type: ignore[arg-type]
        ws = Workspace.open(tmp_path / backend)
        result = run(ws, [base])
        assert result.committed, result.error
        out[backend] = {t: rows(ws, t) for t in ("claims", "claim_drugs", "claim_services")}
    assert out["duckdb"] == out["pyspark"]


def test_card_lookup_is_text_equality() -> None:
    """The enrolments' cards kept as sorted numbers (``KnownCards``) find exactly the values
    a plain set of the texts finds: leading zeros, 10 and 12 digits that share their
    numbers, malformed and non-ASCII values, empty text and nulls."""
    from baophu.ingest.claims_rules import KnownCards

    known = [
        "0000012345",  # 10 digits with leading zeros
        "000000012345",  # 12 digits, the same number
        "075085000001",
        "7512345678",
        "07508500000X",  # a malformed ID
        "12345",  # a code of another length
        "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic digits: not ASCII
        "",
    ]
    probes = [
        "0000012345",
        "000000012345",
        "00000012345",  # 11 digits: neither
        "12345",
        "0000012346",
        "075085000001",
        "075085000002",
        "7512345678",
        "07508500000X",
        "٠١٢٣٤٥٦٧٨٩",
        "0123456789",
        "",
        None,
    ]
    got = KnownCards(pa.array([*known, None], pa.string())).contains(pa.array(probes, pa.string()))
    expected = [p is not None and p in set(known) for p in probes]
    assert got.to_pylist() == expected
    # and a known set without any 10-digit value
    only_twelve = KnownCards(pa.array(["075085000001"], pa.string()))
    assert only_twelve.contains(pa.array(["0750850000", "075085000001"])).to_pylist() == [
        False,
        True,
    ]
