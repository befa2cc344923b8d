"""Bad input gets a clear message naming file, row and column in both languages, the rejects
file lists every rejected row with its reason, and nothing is half-imported."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from baophu.ingest.importer import ImportOptions, import_paths

RES_HEADER = (
    "Số định danh cá nhân,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã hộ gia đình,"
    "Quan hệ với chủ hộ,Mã thôn/ấp,Số điện thoại,Mã số BHXH,Ngày mất"
)


def run(ws, paths, **options):  # type: ignore[no-untyped-def]
    with ws.store() as store:
        return import_paths(store, list(paths), ws.rejects_dir, ImportOptions(**options))


def rejects(result) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    rows: list[dict[str, str]] = []
    for f in result.files:
        if f.rejects_path:
            with open(f.rejects_path, encoding="utf-8-sig", newline="") as fh:
                rows += list(csv.DictReader(fh))
    return rows


def residents_count(ws) -> int:  # type: ignore[no-untyped-def]
    with ws.store() as store:
        return store.row_count("residents")


@pytest.fixture
def base(duckdb_workspace, tiny_inputs: Path):  # type: ignore[no-untyped-def]
    result = run(duckdb_workspace, [tiny_inputs])
    assert result.committed
    return duckdb_workspace


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_each_bad_value_is_rejected_with_row_column_and_reason(base, tmp_path: Path) -> None:
    lines = [
        RES_HEADER,
        "075085000001,Nguyễn Văn An,Nam,12/03/1985,Kinh,H1,Chủ hộ,26734001,,,",  # row 2 ok
        "075185000003,Lê Văn Cường,Nam,01/01/1985,Kinh,H1,Con,26734001,,,",  # 3: 4th digit 1=female
        "075015000004,Lê Thị Dung,Nữ,31/02/2015,Kinh,H1,Con,26734001,,,",  # 4: no 31 February
        "12345,Phạm Văn E,Nam,01/01/1990,Kinh,H2,Chủ hộ,26735001,,,",  # 5: not 12 digits
        "075090000009,Phạm Văn F,Nam,01/01/1990,Kinh,H9,Chủ hộ,26735001,,,",  # 6: no household H9
        "999090000010,Phạm Văn G,Nam,01/01/1990,Kinh,H2,Con,26735001,,,",  # 7: province 999
        "075092000011,Phạm Văn H,Nam,01/01/1990,Kinh,H2,Con,26735001,,,",  # 8: year 92 vs 1990
        "075090000012,,Nam,01/01/1990,Kinh,H2,Con,26735001,,,",  # 9: no name
        "075090000013,Phạm Văn K,Trai,01/01/1990,Kinh,H2,Con,26735001,,,",  # 10: sex not in list
        "075090000014,Phạm Văn L,Nam,01/01/1990,Kinh,H2,Con,26735001,,,",  # 11 ok
        "075090000014,Phạm Văn L,Nam,01/01/1990,Kinh,H2,Con,26735001,,,",  # 12: copy of 11
        "075090000015,Phạm Văn M,Nam,01/01/1990,Kinh,H2,Con,26735001,,,",  # 13: key clash …
        "075090000015,Phạm Văn N,Nam,01/01/1990,Kinh,H2,Con,26735001,,,",  # 14: … with 13
    ]
    path = write(tmp_path / "residents.csv", "\n".join(lines) + "\n")
    result = run(base, [path], max_reject_share=0.95)
    assert result.committed, result.error
    got = {(int(r["Dòng / Row"]), r["Cột / Column"], r["Mã lỗi / Code"]) for r in rejects(result)}
    assert got == {
        (3, "Số định danh cá nhân", "id_sex_mismatch"),
        (4, "Ngày sinh", "bad_date"),
        (4, "Số định danh cá nhân", "id_sex_mismatch"),  # 0 = male, but she is female
        # (row 4's birth year cannot be compared: its birth date is unreadable)
        (5, "Số định danh cá nhân", "id_not_12_digits"),
        (6, "Mã hộ gia đình", "unknown_reference"),
        (7, "Số định danh cá nhân", "id_unknown_province"),
        (8, "Số định danh cá nhân", "id_birth_year_mismatch"),
        (9, "Họ và tên", "required"),
        (10, "Giới tính", "not_allowed"),
        (12, "Số định danh cá nhân", "duplicate_row"),
        (13, "Số định danh cá nhân", "conflicting_key"),
        (14, "Số định danh cá nhân", "conflicting_key"),
    }
    # Kept: rows 2 and 11 only.
    assert result.files[0].rows_imported == 2
    assert result.files[0].rows_rejected == 11
    row4 = next(r for r in rejects(result) if r["Mã lỗi / Code"] == "bad_date")
    assert row4["Tệp / File"] == "residents.csv"
    assert row4["Giá trị / Value"] == "31/02/2015"
    assert "Ngày không hợp lệ" in row4["Lý do"] and "Invalid date" in row4["Reason"]
    dup = next(r for r in rejects(result) if r["Mã lỗi / Code"] == "duplicate_row")
    assert "dòng 11" in dup["Lý do"] and "row 11" in dup["Reason"]


def test_wrong_header_names_the_missing_columns(base, tmp_path: Path) -> None:
    path = write(
        tmp_path / "residents.csv",
        "Số định danh cá nhân,Họ và tên,Giới tính\n075085000001,Nguyễn Văn An,Nam\n",
    )
    result = run(base, [path])
    assert not result.committed
    assert "residents.csv" in result.error
    assert "Ngày sinh (birth_date)" in result.error_vi and "Thiếu cột" in result.error_vi
    assert "Required columns of table residents are missing" in result.error_en
    assert residents_count(base) == 5  # the previous good state survives


def test_unknown_file_is_refused_with_the_columns_found(base, tmp_path: Path) -> None:
    path = write(tmp_path / "misc.csv", "a,b,c\n1,2,3\n")
    result = run(base, [path])
    assert not result.committed
    assert "a, b, c" in result.error and "Cannot tell which table" in result.error


@pytest.mark.parametrize(
    ("name", "content", "code_vi"),
    [
        ("residents.csv", b"", "Tệp rỗng"),
        ("residents.csv", (RES_HEADER + "\n").encode(), "chỉ có dòng tiêu đề"),
        ("residents.parquet", b"PAR1 not really parquet", "bị hỏng"),
        ("residents.xlsx", b"PK\x03\x04 broken zip", "bị hỏng"),
        ("residents.ods", b"whatever", "không được hỗ trợ"),
    ],
)
def test_broken_files_get_a_clear_message(
    base, tmp_path: Path, name: str, content: bytes, code_vi: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run(base, [path])
    assert not result.committed
    assert code_vi in result.error_vi
    assert name in result.error
    assert residents_count(base) == 5


def test_a_file_cut_in_half_is_refused_and_names_the_last_row(
    base, tiny_inputs: Path, tmp_path: Path
) -> None:
    full = (tiny_inputs / "residents.csv").read_bytes()
    cut = full[: len(full) // 2 + 7]  # ends in the middle of a row, no newline
    assert not cut.endswith(b"\n")
    path = tmp_path / "residents.csv"
    path.write_bytes(cut)
    result = run(base, [path])
    assert not result.committed
    n_lines = cut.count(b"\n") + 1
    assert f"dòng/row {n_lines}" in result.error
    assert "cắt cụt" in result.error_vi and "cut off" in result.error_en
    assert residents_count(base) == 5


def test_legacy_windows_1258_csv_is_read_with_a_notice(
    base, tiny_inputs: Path, tmp_path: Path
) -> None:
    import unicodedata

    text = (tiny_inputs / "residents.csv").read_text(encoding="utf-8")
    # Windows-1258 has â, ê, ô, ơ, ư, ă, đ precomposed but tone marks as combining characters.
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (letter + tones).encode("cp1258")
    legacy = bytes(out)
    path = tmp_path / "residents.csv"
    path.write_bytes(legacy)
    result = run(base, [path])
    assert result.committed, result.error
    assert any("Windows-1258" in n for n in result.files[0].notices)
    with base.store() as store:
        names = set(store.table("residents").full_name.to_pyarrow().to_pylist())
    assert "Nguyễn Văn Cường" in names  # back to precomposed NFC
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_utf16_csv_is_read(base, tiny_inputs: Path, tmp_path: Path) -> None:
    text = (tiny_inputs / "residents.csv").read_text(encoding="utf-8")
    path = tmp_path / "residents.csv"
    path.write_bytes(text.encode("utf-16"))
    result = run(base, [path])
    assert result.committed, result.error
    assert result.files[0].status == "unchanged" or result.files[0].rows_imported == 5


def test_xlsx_with_title_rows_numbers_and_excel_dates(base, tmp_path: Path) -> None:
    path = tmp_path / "danh_sach_dan_cu.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("DS")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write(0, 0, "DANH SÁCH DÂN CƯ PHƯỜNG BIÊN HÒA")  # row 1: title
    ws.write(1, 0, "Tháng 11 năm 2026")  # row 2: subtitle; row 3 blank
    ws.write_row(3, 0, RES_HEADER.split(","))  # row 4: header
    # row 5: ID typed as a number (leading zero lost), birth date as a real Excel date
    ws.write_number(4, 0, 75085000001)
    ws.write_row(4, 1, ["Nguyễn Văn An", "Nam"])
    ws.write_datetime(4, 3, dt.datetime(1985, 3, 12), date_fmt)
    ws.write_row(4, 4, ["Kinh", "H1", "Chủ hộ", "26734001"])
    # row 6: a bad date typed as text
    ws.write_row(
        5, 0, ["075185000002", "Trần Thị Bình", "Nữ", "32/13/1985", "Kinh", "H1", "Vợ", "26734001"]
    )
    wb.close()
    result = run(base, [path], allow_shrink=True)
    assert result.committed, result.error
    assert result.files[0].table == "residents"
    got = {(int(r["Dòng / Row"]), r["Mã lỗi / Code"]) for r in rejects(result)}
    assert got == {(6, "bad_date")}
    with base.store() as store:
        rows = store.table("residents").to_pyarrow().to_pylist()
    assert [(r["person_id"], r["birth_date"]) for r in rows] == [
        ("075085000001", dt.date(1985, 3, 12))
    ]


def test_headers_without_diacritics_and_english_names_are_accepted(base, tmp_path: Path) -> None:
    path = write(
        tmp_path / "ho_gia_dinh.csv", "MA HO GIA DINH;ma thon/ap;address\nH3;26734001;1 Lê Lợi\n"
    )
    # (households H1 and H2 of the residents are dropped on purpose)
    result = run(base, [path], allow_shrink=True, allow_orphans=True)
    assert result.committed, result.error
    assert result.files[0].table == "households"


def test_one_bad_file_aborts_the_whole_batch(base, tiny_inputs: Path, tmp_path: Path) -> None:
    newer_units = write(
        tmp_path / "units.csv",
        (tiny_inputs / "units.csv").read_text(encoding="utf-8")
        + "26735002,Ấp 2,hamlet,26735,ấp,75\n",
    )
    full = (tiny_inputs / "residents.csv").read_bytes()
    broken = tmp_path / "residents.csv"
    broken.write_bytes(full[:-20])  # cut off in the last row
    result = run(base, [newer_units, broken])
    assert not result.committed
    assert {f.status for f in result.files} == {"rolled_back", "failed"}
    with base.store() as store:
        assert store.row_count("units") == 6  # the new hamlet was not kept
        assert store.row_count("residents") == 5


def test_too_many_rejects_refuses_the_file(base, tmp_path: Path) -> None:
    lines = [RES_HEADER] + [
        f"07509000{i:04d},Phạm Văn {i},Nam,01/01/1990,Kinh,H9,Con,26735001,,," for i in range(30)
    ]
    path = write(tmp_path / "residents.csv", "\n".join(lines) + "\n")
    result = run(base, [path])
    assert not result.committed
    assert "30/30" in result.error
    assert residents_count(base) == 5
    assert result.files[0].rejects_path and Path(result.files[0].rejects_path).exists()


def test_shrinking_extract_needs_confirmation(base, tmp_path: Path) -> None:
    header = "Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh\n"
    many = header + "".join(f"7{i:04d},Xã {i},commune,75,xã,75\n" for i in range(40))
    path = write(tmp_path / "units_big.csv", many)
    # (the hamlets of the tiny province's residents are dropped on purpose)
    assert run(base, [path], allow_shrink=True, allow_orphans=True).committed
    few = write(tmp_path / "units_small.csv", header + "75,Đồng Nai,province,,tỉnh,75\n")
    refused = run(base, [few], allow_orphans=True)
    assert not refused.committed and "allow-shrink" in refused.error
    with base.store() as store:
        assert store.row_count("units") == 40
    assert run(base, [few], allow_shrink=True, allow_orphans=True).committed


def test_amounts_with_vietnamese_thousand_separators(base, tmp_path: Path) -> None:
    officers = write(
        tmp_path / "officers.csv", "Mã cán bộ,Họ và tên,Mã BHXH cơ sở\nCB01,Ngô Thị Lan,75BH01\n"
    )
    employers = write(
        tmp_path / "employers.csv",
        "Mã đơn vị,Mã số thuế,Tên đơn vị,Loại hình sở hữu,Mã xã,Mã cán bộ chuyên quản,"
        "Vùng lương tối thiểu,Ngày đăng ký tham gia,Địa chỉ\n"
        "TA0001,3600000001,Công ty TNHH Phú Lý,Tư nhân,26735,CB01,2,01/01/2020,\n",
    )
    ledger = write(
        tmp_path / "so_phai_dong.csv",
        "Mã đơn vị,Tháng,Số lao động,Quỹ lương đóng,Phải đóng BHXH,Phải đóng BHYT,"
        "Phải đóng BHTN,Tổng phải đóng\n"
        'TA0001,01/2026,10,"50.000.000","12.750.000","2.250.000","1.000.000","16.000.000"\n'
        "TA0001,2026-02,10,50000000,-1,2250000,1000000,16000000\n",
    )
    result = run(base, [officers, employers, ledger])
    assert result.committed, result.error
    with base.store() as store:
        rows = store.table("contribution_ledger").to_pyarrow().to_pylist()
        employer = store.table("employers").to_pyarrow().to_pylist()[0]
    assert employer["ownership"] == "private"  # "Tư nhân" mapped
    assert len(rows) == 1
    assert rows[0]["period"] == dt.date(2026, 1, 1)
    assert rows[0]["declared_wage_bill"] == 50_000_000
    assert rows[0]["due_total"] == 16_000_000
    got = {(int(r["Dòng / Row"]), r["Mã lỗi / Code"]) for r in rejects(result)}
    assert got == {(3, "negative")}


def test_xlsx_rows_are_numbered_as_excel_shows_them(base, tmp_path: Path) -> None:
    # Rows 1-4 empty, header in row 5 starting at column B, data in rows 6 and 8 (7 blank).
    path = tmp_path / "ho_gia_dinh.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(4, 1, ["Mã hộ gia đình", "Mã thôn/ấp"])
    ws.write_row(5, 1, ["H7", "26734001"])
    ws.write_row(7, 1, ["H8", "99999999"])  # row 8: unknown hamlet
    wb.close()
    result = run(base, [path], allow_orphans=True)  # (residents' H1 and H2 dropped on purpose)
    assert result.committed, result.error
    got = {(int(r["Dòng / Row"]), r["Cột / Column"], r["Mã lỗi / Code"]) for r in rejects(result)}
    assert got == {(8, "Mã thôn/ấp", "unknown_reference")}


def test_header_only_part_is_an_empty_part_not_an_error(base, tmp_path: Path) -> None:
    # A commune with no near-poor household this year sends a list with only its header.
    header = (
        "Năm,Mã xã,Mã hộ gia đình,Phân loại hộ,STT thành viên,Số định danh cá nhân,"
        "Họ và tên,Giới tính,Ngày sinh,Từ ngày,Đến ngày\n"
    )
    path = write(tmp_path / "danh_sach_ho_26735.csv", header)
    result = run(base, [path])
    assert result.committed, result.error
    assert result.files[0].table == "household_classifications"
    assert result.files[0].rows_imported == 0
    assert any("rỗng" in n and "empty" in n for n in result.files[0].notices)


def test_duplicates_and_row_numbers_across_chunks(base, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # 7 rows read 2 at a time: the copy of row 1 sits in chunk 3, the clash of row 2 in chunk 4.
    ids = [
        "075085000001",
        "075185000002",
        "075215000003",
        "075090000006",
        "075085000001",
        "075192000007",
        "075185000002",
    ]
    names = [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Nguyễn Văn Cường",
        "Lê Văn Đức",
        "Nguyễn Văn An",
        "Phạm Thị Hoa",
        "Trần Thị Bích",
    ]
    sexes = ["male", "female", "male", "male", "male", "female", "female"]
    births = [
        dt.date(1985, 3, 12),
        dt.date(1985, 7, 1),
        dt.date(2015, 9, 1),
        dt.date(1990, 1, 1),
        dt.date(1985, 3, 12),
        dt.date(1992, 5, 5),
        dt.date(1985, 7, 1),
    ]
    households = ["H1", "H1", "H1", "H2", "H1", "H2", "H1"]
    hamlets = ["26734001", "26734001", "26734001", "26735001", "26734001", "26735001", "26734001"]
    table = pa.table(
        {
            "person_id": ids,
            "full_name": names,
            "sex": sexes,
            "birth_date": pa.array(births, pa.date32()),
            "household_id": households,
            "hamlet_code": hamlets,
        }
    )
    path = tmp_path / "residents.parquet"
    pq.write_table(table, path)
    result = run(base, [path], chunk_rows=2)
    assert result.committed, result.error
    got = {(int(r["Dòng / Row"]), r["Mã lỗi / Code"]) for r in rejects(result)}
    assert got == {(5, "duplicate_row"), (2, "conflicting_key"), (7, "conflicting_key")}
    with base.store() as store:
        kept = sorted(store.table("residents").person_id.to_pyarrow().to_pylist())
    # Row 1 kept (row 5 is its copy); rows 2 and 7 disagree on the name, so neither is kept.
    assert kept == ["075085000001", "075090000006", "075192000007", "075215000003"]
    assert result.files[0].rows_imported == 4 and result.files[0].rows_rejected == 3


def test_cli_refuses_orphans_unless_allowed(base, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from baophu.cli import app

    # Hamlet 26735001 (Ấp 1) is dropped: household H2 and two residents still live there.
    units = write(
        tmp_path / "units.csv",
        "Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh\n"
        "75,Đồng Nai,province,,tỉnh,75\n"
        "75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75\n"
        "26734,Phường Biên Hòa,commune,75BH01,phường,75\n"
        "26735,Xã Phú Lý,commune,75BH01,xã,75\n"
        "26734001,Khu phố 1,hamlet,26734,khu phố,75\n",
    )
    runner = CliRunner()
    refused = runner.invoke(app, ["import", str(units), "-w", str(base.root), "--json"])
    assert refused.exit_code == 1
    out = json.loads(refused.stdout)
    assert out["error_code"] == "orphans"
    assert "households.hamlet_code: 26735001" in out["error_vi"]
    assert "residents.hamlet_code: 26735001" in out["error_en"]
    with base.store() as store:
        assert store.row_count("units") == 6
    allowed = runner.invoke(
        app, ["import", str(units), "-w", str(base.root), "--allow-orphans", "--json"]
    )
    assert allowed.exit_code == 0, allowed.stdout
    with base.store() as store:
        assert store.row_count("units") == 5


def test_rejects_file_names_the_field_and_keeps_values_as_text(base, tmp_path: Path) -> None:
    from baophu.ingest.rejects import FIELDS, HEADERS, read_rejects

    lines = [
        RES_HEADER,
        '=HYPERLINK("x"),Nguyễn Văn An,Nam,12/03/1985,Kinh,H1,Chủ hộ,26734001,+84 9,,',
        "075085000001,@Lê Văn Bình,Nam,12/03/1985,Kinh,H1,Chủ hộ,26734001,,,",
    ]
    path = write(tmp_path / "residents.csv", "\n".join(lines) + "\n")
    result = run(base, [path], max_reject_share=0.9)
    assert result.committed, result.error
    rejects_path = Path(result.files[0].rejects_path or "")
    raw = rejects_path.read_text(encoding="utf-8-sig")
    assert raw.splitlines()[0] == ",".join(f'"{h}"' for h in HEADERS)
    rows = list(read_rejects(rejects_path))
    assert all(set(r) == set(FIELDS) for r in rows)
    by_code = {(r["code"], r["field"]): r for r in rows}
    bad_id = by_code[("id_not_12_digits", "person_id")]
    assert bad_id["row"] == "2" and bad_id["column"] == "Số định danh cá nhân"
    assert bad_id["value"] == '\'=HYPERLINK("x")'  # a spreadsheet shows it, never runs it
    phone = by_code[("bad_phone", "phone")]
    assert phone["value"] == "'+84 9" and phone["severity"] == "cảnh báo / warning"


def test_cli_shows_notices_with_brackets_as_written(base, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from baophu.cli import app

    # An extra column "[bold]Ghi chú[/]" is listed in a notice exactly as written.
    path = write(
        tmp_path / "ho_gia_dinh [1].csv",
        "Mã hộ gia đình,Mã thôn/ấp,[bold]Ghi chú[/]\nH1,26734001,x\nH2,26735001,y\n",
    )
    result = CliRunner().invoke(app, ["import", str(path), "-w", str(base.root)])
    assert result.exit_code == 0, result.stdout
    assert "[bold]Ghi chú[/]" in result.stdout
    assert "ho_gia_dinh [1].csv" in result.stdout
