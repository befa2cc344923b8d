"""The bad-input corpus (issue 11, items 15-23): every kind of broken or unusual file, one of
each per table where the kind applies, each against a small synthetic province.

Every file gets either a clear refusal — its code, the file named, row and column where there
is one, Vietnamese and English, nothing binary echoed — and then every table is exactly as
before; or a correct import whose result is stated by the case (rows rejected or warned, with
row, column and reason, and what the table holds afterwards).
"""

from __future__ import annotations

import datetime as dt
import filecmp
import io
import random
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from corpus.build import (
    FILES,
    SAMPLE_TABLES,
    Province,
    as_set,
    build_province,
    dummy_table,
    file_stem,
    fingerprint,
    headers_of,
    refused_rows,
    rejects_of,
    rows_of,
    run,
    sources,
    table_rows,
    write_csv,
    write_table,
    write_xlsx,
)

from baophu.contracts import CONTRACTS, fold_header
from baophu.ingest.importer import ImportResult, import_paths
from baophu.workspace import Workspace


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Province:
    return build_province(tmp_path_factory.mktemp("corpus"))


# ------------------------------------------------------------------------------ expectations


@dataclass
class Refused:
    """The import is refused with ``code``; the message names the file (and ``row`` and
    ``column`` where given) and says ``says`` (in either language)."""

    code: str
    row: int | None = None
    column: str | None = None
    says: tuple[str, ...] = ()


@dataclass
class Imported:
    """The import is committed; ``refused`` are the (row, code) of the rejected rows exactly,
    ``warned`` (row, column, code) that must be among the warnings, ``notices`` texts that must
    be among the notices; ``check`` looks at the workspace afterwards."""

    refused: set[tuple[int, str]] = field(default_factory=set)
    warned: set[tuple[int, str, str]] = field(default_factory=set)
    notices: tuple[str, ...] = ()
    check: Callable[[Workspace, ImportResult], None] | None = None


@dataclass
class Case:
    files: list[Path]
    expect: Refused | Imported
    options: dict[str, Any] = field(default_factory=dict)


CaseBuilder = Callable[[Province, Workspace, Path], Case]
CASES: dict[str, CaseBuilder] = {}


def case(name: str) -> Callable[[CaseBuilder], CaseBuilder]:
    def register(builder: CaseBuilder) -> CaseBuilder:
        assert name not in CASES
        CASES[name] = builder
        return builder

    return register


def assert_clear_refusal(result: ImportResult, files: list[Path], expect: Refused) -> None:
    assert not result.committed
    assert result.error_code == expect.code, result.error
    assert result.error and result.error_vi and result.error_en
    named = [p.name for p in files]
    assert any(result.error.startswith(f"tệp/file {n}") for n in named), result.error
    if expect.row is not None:
        assert f"dòng/row {expect.row}" in result.error, result.error
    if expect.column is not None:
        assert f"cột/column «{expect.column}»" in result.error, result.error
    for text in expect.says:
        assert text in result.error, result.error
    # Vietnamese and English, and nothing a terminal would choke on.
    assert result.error_vi != result.error_en
    assert len(result.error) < 4000
    assert all(unicodedata.category(ch) not in ("Cc", "Co", "Cs") for ch in result.error), repr(
        result.error
    )
    assert unicodedata.is_normalized("NFC", result.error_vi)


_ORIGINAL: dict[Path, tuple[tuple[int, int], dict[str, tuple[int, int]]]] = {}


def fingerprint_before(ws: Workspace, original: Path) -> dict[str, tuple[int, int]]:
    """The copy's fingerprint before its import: the original's (computed once) while the
    copy's file is still the original's as copied (same size and modification time, which
    the copy keeps), else its own (a case that imported something first)."""
    copied = (ws.root / ws.config.duckdb_file).stat()
    source = original / ws.config.duckdb_file
    if original not in _ORIGINAL:
        _ORIGINAL[original] = (
            (source.stat().st_size, source.stat().st_mtime_ns),
            fingerprint(Workspace.open(original)),
        )
    (size, mtime), prints = _ORIGINAL[original]
    if (copied.st_size, copied.st_mtime_ns) == (size, mtime):
        return prints
    return fingerprint(ws)


def unchanged(ws: Workspace, original: Path, before: dict[str, tuple[int, int]]) -> bool:
    """Whether the copy's tables are as ``before`` (``fingerprint_before``).  A refused
    import leaves the database file untouched: where ``before`` is the original's, a file
    byte for byte the original's (and no write-ahead log beside it) is the proof, without
    opening it; otherwise the fingerprints are compared."""
    db = ws.root / ws.config.duckdb_file
    if (
        before == _ORIGINAL[original][1]
        and not db.with_name(db.name + ".wal").exists()
        and filecmp.cmp(db, original / ws.config.duckdb_file, shallow=False)
    ):
        return True
    return fingerprint(ws) == before


def check_case(ws: Workspace, made: Case, original: Path) -> ImportResult:
    before = fingerprint_before(ws, original) if isinstance(made.expect, Refused) else {}
    result = run(ws, made.files, **made.options)
    if isinstance(made.expect, Refused):
        assert_clear_refusal(result, made.files, made.expect)
        assert unchanged(ws, original, before), "a refused import changed the workspace"
        return result
    assert result.committed, result.error
    assert refused_rows(result) == made.expect.refused
    warned = {
        (int(r["row"]), r["column"], r["code"])
        for r in rejects_of(result)
        if r["severity"].startswith("cảnh báo")
    }
    assert made.expect.warned <= warned, warned
    notices = " ".join(n for f in result.files for n in f.notices)
    for text in made.expect.notices:
        assert text in notices, notices
    for r in rejects_of(result):  # every issue names file, row and reason in both languages
        assert r["file"] in {p.name for p in made.files}
        assert int(r["row"]) >= 1 and r["reason_vi"] and r["reason_en"]
    if made.expect.check is not None:
        made.expect.check(ws, result)
    return result


# --------------------------------------------------------------------------------- helpers


def inputs_text(p: Province, name: str) -> str:
    return (p.inputs / name).read_text(encoding="utf-8-sig")


def edited_csv(p: Province, d: Path, name: str, edits: dict[int, dict[str, str]]) -> Path:
    """An input CSV with some cells replaced: ``edits[i][header]`` for data row ``i`` (1 = the
    first data row, Excel row 2), written back with the same quoting rules."""
    import csv

    rows = list(csv.reader(io.StringIO(inputs_text(p, name))))
    header = rows[0]
    for i, cells in edits.items():
        for column, value in cells.items():
            rows[i][header.index(column)] = value
    path = d / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def same_content(p: Province, table: str) -> Callable[[Workspace, ImportResult], None]:
    original = as_set(rows_of(Workspace.open(p.workspace), table))

    def check(ws: Workspace, result: ImportResult) -> None:
        assert as_set(rows_of(ws, table)) == original

    return check


def largest_part(ws: Workspace, table: str) -> str:
    return sources(ws, table)[0][0]


# ----------------------------------------------------------------------- files that are not
# tables: said what they are, never echoed


def _refuse_kind(name: str, content: bytes, says: tuple[str, ...], code: str) -> CaseBuilder:
    def build(p: Province, ws: Workspace, d: Path) -> Case:
        path = d / name
        path.write_bytes(content)
        return Case([path], Refused(code, says=says))

    return build


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return buf.getvalue()


_JUNK = random.Random(11).randbytes(5000)
_KINDS = {
    "png-named-csv": (
        "residents.csv",
        b"\x89PNG\r\n\x1a\n" + _JUNK,
        ("ảnh PNG", "PNG image"),
        "file_not_table",
    ),
    "jpeg-named-xlsx": (
        "units.xlsx",
        b"\xff\xd8\xff\xe0" + _JUNK,
        ("ảnh JPEG", "JPEG image"),
        "file_not_table",
    ),
    "pdf-named-csv": (
        "payments.csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + _JUNK,
        ("tài liệu PDF", "PDF document"),
        "file_not_table",
    ),
    "zip-named-csv": (
        "households.csv",
        _zip({"households.csv": b"a,b\n1,2\n"}),
        ("tệp nén ZIP", "ZIP archive"),
        "file_not_table",
    ),
    "docx-named-xlsx": (
        "targets.xlsx",
        _zip({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}),
        ("văn bản Word", "Word document"),
        "file_not_table",
    ),
    "ods-named-xlsx": (
        "units.xlsx",
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""}),
        ("OpenDocument", "OpenDocument spreadsheet"),
        "file_not_table",
    ),
    "gzip-named-csv": (
        "residents.csv",
        b"\x1f\x8b\x08\x00" + _JUNK,
        ("GZIP",),
        "file_not_table",
    ),
    "binary-junk-csv": (
        "employers.csv",
        _JUNK,
        ("dữ liệu nhị phân", "binary data"),
        "file_not_table",
    ),
    "binary-junk-parquet": (
        "residents.parquet",
        _JUNK,
        ("dữ liệu nhị phân", "binary data"),
        "file_not_table",
    ),
    "html-named-xlsx": (
        "residents.xlsx",
        "<html><body><table><tr><td>Họ và tên</td></tr></table></body></html>".encode(),
        ("trang HTML", "HTML page"),
        "file_not_table",
    ),
    "xls-97-2003": (
        "units.xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "Workbook".encode("utf-16-le"),
        ("Excel 97-2003", ".xls"),
        "file_not_table",
    ),
    "broken-xlsx-zip": (
        "residents.xlsx",
        b"PK\x03\x04 broken zip" + _JUNK[:100],
        ("bị hỏng", "damaged"),
        "file_corrupt",
    ),
    "empty-file": ("residents.csv", b"", ("Tệp rỗng", "empty"), "file_empty"),
    "whitespace-only": ("units.csv", b"  \n\n \r\n", ("Tệp rỗng", "empty"), "file_empty"),
    "unsupported-suffix": (
        "residents.ods",
        b"whatever",
        ("không được hỗ trợ",),
        "file_unsupported",
    ),
    "unknown-header": (
        "misc.csv",
        b"a,b,c\n1,2,3\n",
        ("a, b, c", "Cannot tell which table"),
        "unknown_table",
    ),
}
for _name, (_file, _content, _says, _code) in _KINDS.items():
    case(_name)(_refuse_kind(_file, _content, _says, _code))


@case("password-protected-workbook")
def _password(p: Province, ws: Workspace, d: Path) -> Case:
    # Written with msoffcrypto-tool (password "matkhau123"): an encrypted OOXML package.
    path = d / "households.xlsx"
    path.write_bytes((FILES / "households_password.xlsx").read_bytes())
    return Case([path], Refused("file_password", says=("mật khẩu", "password-protected")))


@case("truncated-parquet")
def _truncated_parquet(p: Province, ws: Workspace, d: Path) -> Case:
    data = (p.inputs / "residents.parquet").read_bytes()
    path = d / "residents.parquet"
    path.write_bytes(data[: len(data) // 2])
    return Case([path], Refused("file_corrupt", says=("bị hỏng",)))


@case("truncated-xlsx")
def _truncated_xlsx(p: Province, ws: Workspace, d: Path) -> Case:
    source = max((p.inputs / "household_lists").glob("*.xlsx"), key=lambda q: q.stat().st_size)
    data = source.read_bytes()
    path = d / source.name
    path.write_bytes(data[: len(data) // 2])
    return Case([path], Refused("file_corrupt", says=("bị hỏng",)))


# ------------------------------------------------------------------------- text encodings


@case("tcvn3-csv")
def _tcvn3_csv(p: Province, ws: Workspace, d: Path) -> Case:
    # Written by glibc iconv (TCVN5712-1) from a UTF-8 residents file: "Số định danh" is
    # b"S\xe8 \xae\xdenh danh", which Windows-1258 would read as "Sè ®Þnh danh".
    path = d / "residents.csv"
    path.write_bytes((FILES / "residents_tcvn3.csv").read_bytes())
    return Case([path], Refused("file_tcvn3", row=1, says=("TCVN3", "«Sè» là «Số»")))


@case("tcvn3-font-xlsx")
def _tcvn3_xlsx(p: Province, ws: Workspace, d: Path) -> Case:
    # A workbook typed with a .VnTime font: its cells hold the TCVN3 bytes as Latin-1 letters.
    lines = (FILES / "residents_tcvn3.csv").read_bytes().decode("latin-1").splitlines()
    canonical = [h for h in CONTRACTS["residents"].names]  # ASCII headers: the data is garbled
    rows = [line.split(",") for line in lines[1:]]
    path = write_xlsx(d / "residents.xlsx", canonical, rows)
    return Case(
        [path],
        Refused(
            "file_tcvn3", row=2, column="full_name", says=("«NguyÔn V¨n An» là «Nguyễn Văn An»",)
        ),
    )


def _mojibake(text: str, codec: str) -> str:
    """UTF-8 read as ``codec`` (bytes it lacks read as Latin-1) and written again."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode(codec))
        except UnicodeDecodeError:
            out.append(bytes([byte]).decode("latin-1"))
    return "".join(out)


@case("mojibake-latin1-header")
def _mojibake_header(p: Province, ws: Workspace, d: Path) -> Case:
    path = d / "payments.csv"
    path.write_text(_mojibake(inputs_text(p, "payments.csv"), "latin-1"), encoding="utf-8")
    return Case([path], Refused("file_mojibake", row=1, says=("«Số chứng từ»", "Latin-1")))


@case("mojibake-cp1252-cells-xlsx")
def _mojibake_cells(p: Province, ws: Workspace, d: Path) -> Case:
    residents = rows_of(ws, "residents").slice(0, 20)
    contract = CONTRACTS["residents"]
    rows = table_rows(contract, residents, typed=False)
    name_at = residents.column_names.index("full_name")
    for row in rows:
        row[name_at] = _mojibake(row[name_at], "cp1252")
    path = write_xlsx(d / "residents.xlsx", residents.column_names, rows)
    first = residents.column("full_name")[0].as_py()
    return Case(
        [path],
        Refused("file_mojibake", row=2, column="full_name", says=(f"«{first}»",)),
    )


def _recode(text: str, encoding: str, bom: bytes = b"") -> bytes:
    return bom + text.encode(encoding)


def _encoded_targets(encoding: str, bom: bytes, notice: str) -> CaseBuilder:
    def build(p: Province, ws: Workspace, d: Path) -> Case:
        path = d / "targets.csv"
        path.write_bytes(_recode(inputs_text(p, "targets.csv"), encoding, bom))
        return Case([path], Imported(notices=(notice,), check=same_content(p, "targets")))

    return build


case("utf16-le-bom")(_encoded_targets("utf-16-le", b"\xff\xfe", "UTF-16"))
case("utf16-be-bom")(_encoded_targets("utf-16-be", b"\xfe\xff", "UTF-16"))
case("utf16-le-no-bom")(_encoded_targets("utf-16-le", b"", "UTF-16"))
case("utf8-no-bom")(_encoded_targets("utf-8", b"", ""))


@case("windows-1258")
def _cp1258(p: Province, ws: Workspace, d: Path) -> Case:
    text = inputs_text(p, "units.csv")
    out = bytearray()
    for ch in text:  # tone marks as combining characters, as Windows-1258 keeps them
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (letter + tones).encode("cp1258")
    path = d / "units.csv"
    path.write_bytes(bytes(out))
    return Case([path], Imported(notices=("Windows-1258",), check=same_content(p, "units")))


# --------------------------------------------------------------------- formats and dialects


@case("excel-sep-line-semicolon")
def _sep_line(p: Province, ws: Workspace, d: Path) -> Case:
    targets = rows_of(ws, "targets", "targets.csv")
    path = d / "targets.csv"
    contract = CONTRACTS["targets"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("sep=;\n")
    with path.open("a", encoding="utf-8", newline="") as fh:
        import csv

        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(headers_of(contract, targets.column_names))
        # a decimal comma would clash with nothing here: ";" separates
        writer.writerows(table_rows(contract, targets, typed=False))
    return Case([path], Imported(check=same_content(p, "targets")))


@case("tab-separated-txt")
def _tsv(p: Province, ws: Workspace, d: Path) -> Case:
    path = d / "units.txt"
    path.write_text(inputs_text(p, "units.csv").replace(",", "\t"), encoding="utf-8")
    return Case([path], Imported(check=same_content(p, "units")))


@case("classic-mac-line-endings")
def _cr_only(p: Province, ws: Workspace, d: Path) -> Case:
    path = d / "units.csv"
    path.write_bytes(inputs_text(p, "units.csv").replace("\n", "\r").encode("utf-8"))
    return Case([path], Imported(check=same_content(p, "units")))


@case("xlsx-renamed-csv")
def _xlsx_as_csv(p: Province, ws: Workspace, d: Path) -> Case:
    contract = CONTRACTS["targets"]
    path = d / "targets.csv"
    tmp = write_table(d / "t.xlsx", contract, rows_of(ws, "targets", "targets.csv"), "xlsx")
    path.write_bytes(tmp.read_bytes())
    tmp.unlink()
    return Case(
        [path],
        Imported(notices=("nội dung là bảng tính Excel",), check=same_content(p, "targets")),
    )


@case("csv-renamed-xlsx")
def _csv_as_xlsx(p: Province, ws: Workspace, d: Path) -> Case:
    path = d / "units.xlsx"
    path.write_text(inputs_text(p, "units.csv"), encoding="utf-8")
    return Case([path], Imported(notices=("tệp văn bản CSV",), check=same_content(p, "units")))


@case("parquet-renamed-csv")
def _parquet_as_csv(p: Province, ws: Workspace, d: Path) -> Case:
    path = d / "residents.csv"
    path.write_bytes((p.inputs / "residents.parquet").read_bytes())
    return Case([path], Imported(notices=("tệp Parquet",), check=same_content(p, "residents")))


@case("unknown-extra-columns")
def _extra_columns(p: Province, ws: Workspace, d: Path) -> Case:
    text = inputs_text(p, "units.csv").splitlines()
    lines = [text[0] + ",Ghi chú,Người lập"] + [line + ",,Nguyễn Văn A" for line in text[1:]]
    path = d / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case(
        [path],
        Imported(notices=("Ghi chú, Người lập",), check=same_content(p, "units")),
    )


@case("line-separators-inside-fields")
def _line_separators(p: Province, ws: Workspace, d: Path) -> Case:
    lines = inputs_text(p, "targets.csv").splitlines()
    # The "Căn cứ" (source) of the first target holds U+2028 and U+0085 inside its text.
    lines[1] = lines[1].replace("Nghị quyết", "Nghị\u2028quyết\u0085")
    path = d / "targets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    n = len(lines) - 1

    def check(ws: Workspace, result: ImportResult) -> None:
        sources_ = rows_of(ws, "targets").column("source").to_pylist()
        assert len(sources_) == n
        assert sum(1 for s in sources_ if s and "Nghị\u2028quyết\u0085" in s) == 1

    return Case([path], Imported(check=check))


@case("duplicate-header-columns")
def _duplicate_headers(p: Province, ws: Workspace, d: Path) -> Case:
    lines = inputs_text(p, "units.csv").splitlines()
    lines = [line + (",Tên đơn vị" if i == 0 else ",X") for i, line in enumerate(lines)]
    path = d / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case([path], Refused("duplicate_columns", says=("Tên đơn vị",)))


# -------------------------------------------------------------- cut, long, odd values (19, 20)


@case("cut-mid-row")
def _cut_mid_row(p: Province, ws: Workspace, d: Path) -> Case:
    text = inputs_text(p, "payments.csv")
    lines = text.splitlines()
    cut = "\n".join(lines[:-1]) + "\n" + lines[-1].split(",")[0]  # only the first field left
    path = d / "payments.csv"
    path.write_text(cut, encoding="utf-8")
    return Case([path], Refused("file_truncated", row=len(lines), says=("cắt cụt", "cut off")))


@case("cut-inside-last-number")
def _cut_last_number(p: Province, ws: Workspace, d: Path) -> Case:
    text = inputs_text(p, "payments.csv").rstrip("\n")
    lines = text.split("\n")
    last_amount = lines[-1].rsplit(",", 1)[1]
    kept = last_amount[: len(last_amount) // 2]  # 34564800 -> 3456
    path = d / "payments.csv"
    path.write_text(text[: len(text) - len(last_amount) + len(kept)], encoding="utf-8")
    row = len(lines)
    return Case(
        [path],
        Imported(
            warned={(row, "Số tiền", "last_row_short")},
            notices=(f"Dòng cuối ({row})", "cut off"),
        ),
    )


@case("field-of-two-million-characters")
def _huge_field(p: Province, ws: Workspace, d: Path) -> Case:
    path = edited_csv(p, d, "business_registry.csv", {1: {"Địa chỉ": "Ấp 1, " * 333_334}})
    return Case([path], Imported(refused={(2, "too_long")}))


@case("header-of-two-million-characters")
def _huge_header(p: Province, ws: Workspace, d: Path) -> Case:
    lines = inputs_text(p, "units.csv").splitlines()
    lines[0] = lines[0].replace("Tên đơn vị", "A" * 2_000_000)
    path = d / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case([path], Refused("missing_columns", says=("Tên đơn vị (unit_name)",)))


@case("payment-dates-2099-2999-1800")
def _payment_dates(p: Province, ws: Workspace, d: Path) -> Case:
    dates = {1: "07/12/2099", 2: "2999-01-01", 3: "01/01/1800"}
    path = edited_csv(p, d, "payments.csv", {i: {"Ngày nộp": v} for i, v in dates.items()})
    expect = {(2, "implausible_date"), (3, "implausible_date"), (4, "implausible_date")}
    return Case([path], Imported(refused=expect))


@case("budget-paid-dates-implausible")
def _budget_dates(p: Province, ws: Workspace, d: Path) -> Case:
    edits = {1: {"Ngày chuyển": "12/02/2099"}, 2: {"Ngày chuyển": "16/02/1800"}}
    path = edited_csv(p, d, "budget_obligations.csv", edits)
    return Case([path], Imported(refused={(2, "implausible_date"), (3, "implausible_date")}))


@case("birth-year-1800")
def _birth_1800(p: Province, ws: Workspace, d: Path) -> Case:
    residents = pq.read_table(p.inputs / "residents.parquet")
    births = residents.column("birth_date").to_pylist()
    births[4] = dt.date(1800, 5, 5)  # row 5: a Parquet file's rows are numbered from 1
    table = residents.set_column(
        residents.column_names.index("birth_date"), "birth_date", pa.array(births, pa.date32())
    )
    path = d / "residents.parquet"
    pq.write_table(table, path)

    def check(ws: Workspace, result: ImportResult) -> None:
        rows = {(int(r["row"]), r["column"], r["code"]) for r in rejects_of(result)}
        assert {r for r in rows if r[0] == 5} == {
            (5, "birth_date", "implausible_date"),
            (5, "person_id", "id_birth_year_mismatch"),
        }

    refused = {(5, "implausible_date"), (5, "id_birth_year_mismatch")}
    return Case([path], Imported(refused=refused, check=check))


@case("rate-target-as-percent")
def _rate_96(p: Province, ws: Workspace, d: Path) -> Case:
    lines = inputs_text(p, "targets.csv").splitlines()
    i = next(i for i, line in enumerate(lines) if "_rate" in line)
    # "Giá trị chỉ tiêu": 96 where 0.96 is meant
    path = edited_csv(p, d, "targets.csv", {i: {"Giá trị chỉ tiêu": "96"}})
    return Case([path], Imported(refused={(i + 1, "rate_not_fraction")}))


@case("rate-target-written-with-percent-sign")
def _rate_percent_sign(p: Province, ws: Workspace, d: Path) -> Case:
    lines = inputs_text(p, "targets.csv").splitlines()
    i = next(i for i, line in enumerate(lines) if "_rate" in line)
    value = float(lines[i].split(",")[3])
    path = edited_csv(p, d, "targets.csv", {i: {"Giá trị chỉ tiêu": f"{value * 100:g}%"}})
    return Case([path], Imported(check=same_content(p, "targets")))


@case("whole-numbers-over-1e10-as-float64")
def _big_floats(p: Province, ws: Workspace, d: Path) -> Case:
    ledger = pq.read_table(p.inputs / "contribution_ledger.parquet")
    at = ledger.column_names.index("declared_wage_bill")
    big = pc.add(ledger.column(at).cast(pa.int64()), 30_000_000_000)  # every one over 1e10
    table = ledger.set_column(at, "declared_wage_bill", big.cast(pa.float64()))
    path = d / "contribution_ledger.parquet"
    pq.write_table(table, path)
    expected = sorted(big.to_pylist())

    def check(ws: Workspace, result: ImportResult) -> None:
        got = sorted(rows_of(ws, "contribution_ledger").column("declared_wage_bill").to_pylist())
        assert got == expected

    return Case([path], Imported(check=check))


@case("fractions-in-a-whole-number-column")
def _fraction_ints(p: Province, ws: Workspace, d: Path) -> Case:
    ledger = pq.read_table(p.inputs / "contribution_ledger.parquet")
    at = ledger.column_names.index("declared_headcount")
    values = ledger.column(at).cast(pa.float64()).to_pylist()
    values[0] += 0.5
    table = ledger.set_column(at, "declared_headcount", pa.array(values, pa.float64()))
    path = d / "contribution_ledger.parquet"
    pq.write_table(table, path)
    return Case([path], Imported(refused={(1, "bad_int")}))


@case("person-ids-stored-as-numbers")
def _int_ids(p: Province, ws: Workspace, d: Path) -> Case:
    residents = pq.read_table(p.inputs / "residents.parquet")
    at = residents.column_names.index("person_id")
    as_int = residents.column(at).cast(pa.int64())  # 064... loses its leading zero
    table = residents.set_column(at, "person_id", as_int)
    path = d / "residents.parquet"
    pq.write_table(table, path)
    return Case([path], Imported(check=same_content(p, "residents")))


@case("bad-phone-numbers")
def _phones(p: Province, ws: Workspace, d: Path) -> Case:
    edits = {1: {"Số điện thoại": "12345"}, 2: {"Số điện thoại": "090 123 4567"}}
    path = edited_csv(p, d, "collectors.csv", edits)
    return Case([path], Imported(warned={(2, "Số điện thoại", "bad_phone")}))


@case("row-with-too-many-fields")
def _too_many_fields(p: Province, ws: Workspace, d: Path) -> Case:
    lines = inputs_text(p, "payments.csv").splitlines()
    lines[3] += ",extra"
    path = d / "payments.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case([path], Imported(refused={(4, "bad_row_shape")}))


@case("formula-injection-values")
def _formula_values(p: Province, ws: Workspace, d: Path) -> Case:
    edits = {1: {"Số tiền": '=HYPERLINK("http://x")'}, 2: {"Số tiền": "@SUM(1)"}}
    path = edited_csv(p, d, "payments.csv", edits)

    def check(ws: Workspace, result: ImportResult) -> None:
        raw = Path(result.files[0].rejects_path or "").read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK" in raw and "'@SUM(1)" in raw
        assert ',"=HYPERLINK' not in raw and ",=HYPERLINK" not in raw

    return Case([path], Imported(refused={(2, "bad_int"), (3, "bad_int")}, check=check))


@case("too-many-rejected-rows")
def _too_many(p: Province, ws: Workspace, d: Path) -> Case:
    lines = inputs_text(p, "payments.csv").splitlines()
    lines = [lines[0]] + [line.rsplit(",", 1)[0] + ",abc" for line in lines[1:]]
    path = d / "payments.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    n = len(lines) - 1
    return Case([path], Refused("too_many_rejects", says=(f"{n}/{n}",)))


@case("shrinking-register")
def _shrink(p: Province, ws: Workspace, d: Path) -> Case:
    residents = pq.read_table(p.inputs / "residents.parquet")
    path = d / "residents.parquet"
    pq.write_table(residents.slice(0, residents.num_rows // 10), path)
    return Case([path], Refused("shrink_guard", says=("--allow-shrink",)))


# ------------------------------------------------------------------- wrong table (item 15)


@case("residents-parquet-missing-person-id")
def _residents_as_households(p: Province, ws: Workspace, d: Path) -> Case:
    # Without its ID the register's columns hold every column of households.
    residents = pq.read_table(p.inputs / "residents.parquet").drop_columns(["person_id"])
    path = d / "residents.parquet"
    pq.write_table(residents, path)
    return Case(
        [path],
        Refused(
            "missing_columns",
            says=("Số định danh cá nhân (person_id)", "table residents", "households"),
        ),
    )


@case("household-list-missing-classification")
def _household_list_missing(p: Province, ws: Workspace, d: Path) -> Case:
    part = largest_part(ws, "household_classifications")
    table = rows_of(ws, "household_classifications", part).drop_columns(["classification"])
    path = write_table(d / part, CONTRACTS["household_classifications"], table, "xlsx")
    return Case(
        [path],
        Refused(
            "missing_columns", says=("Phân loại hộ (classification)", "household_classifications")
        ),
    )


@case("neutral-name-residents-missing-name")
def _neutral_name(p: Province, ws: Workspace, d: Path) -> Case:
    residents = rows_of(ws, "residents").drop_columns(["full_name"])
    path = write_table(d / "export_2026.csv", CONTRACTS["residents"], residents, "csv")
    return Case(
        [path], Refused("missing_columns", says=("Họ và tên (full_name)", "table residents"))
    )


# ---------------------------------------------------------------------- orphans (item 18)


def _drop_keys(
    table: str, column: str, referenced_by: str, ref_column: str, n: int, fmt: str
) -> CaseBuilder:
    def build(p: Province, ws: Workspace, d: Path) -> Case:
        rows = rows_of(ws, table)
        used = set(rows_of(ws, referenced_by).column(ref_column).to_pylist())
        drop = sorted(v for v in rows.column(column).to_pylist() if v in used)[:n]
        kept = rows.filter(pc.invert(pc.is_in(rows.column(column), pa.array(drop))))
        path = write_table(d / f"{file_stem(CONTRACTS[table])}.{fmt}", CONTRACTS[table], kept, fmt)
        return Case(
            [path],
            Refused(
                "orphans", says=(f"{referenced_by}.{ref_column}: {drop[0]}", "--allow-orphans")
            ),
        )

    return build


case("units-drop-hamlets-of-residents")(
    _drop_keys("units", "unit_code", "residents", "hamlet_code", 3, "csv")
)
case("units-drop-hamlets-of-collectors")(
    _drop_keys("units", "unit_code", "collectors", "hamlet_code", 2, "xlsx")
)
case("households-drop-households-of-residents")(
    _drop_keys("households", "household_id", "residents", "household_id", 2, "parquet")
)
case("employers-drop-employers-of-ledger")(
    _drop_keys("employers", "employer_code", "contribution_ledger", "employer_code", 1, "parquet")
)
case("agents-drop-agents-of-collectors")(
    _drop_keys("agents", "agent_code", "collectors", "agent_code", 1, "csv")
)
case("officers-drop-officers-of-employers")(
    _drop_keys("officers", "officer_code", "employers", "officer_code", 1, "csv")
)


@case("units-drop-hamlets-allowed")
def _orphans_allowed(p: Province, ws: Workspace, d: Path) -> Case:
    made = _drop_keys("units", "unit_code", "residents", "hamlet_code", 3, "csv")(p, ws, d)
    expected = rows_of(ws, "units").num_rows - 3

    def check(ws: Workspace, result: ImportResult) -> None:
        assert rows_of(ws, "units").num_rows == expected

    return Case(made.files, Imported(check=check), {"allow_orphans": True})


# ------------------------------------------------------------------- emptied part (item 23)


@case("header-only-household-list-over-a-full-part")
def _emptied_part(p: Province, ws: Workspace, d: Path) -> Case:
    part, n = sources(ws, "household_classifications")[0]
    contract = CONTRACTS["household_classifications"]
    path = write_xlsx(d / part, headers_of(contract, contract.names), [])
    return Case([path], Refused("part_emptied", says=(f"có {n} dòng", f"had {n}")))


@case("header-only-household-list-allowed")
def _emptied_allowed(p: Province, ws: Workspace, d: Path) -> Case:
    part, n = sources(ws, "household_classifications")[0]
    contract = CONTRACTS["household_classifications"]
    path = write_xlsx(d / part, headers_of(contract, contract.names), [])
    total = rows_of(ws, "household_classifications").num_rows

    def check(ws: Workspace, result: ImportResult) -> None:
        assert rows_of(ws, "household_classifications").num_rows == total - n

    return Case([path], Imported(check=check), {"allow_shrink": True})


# ------------------------------------------------------------- Excel oddities (item 16)


def _household_list_rows(ws: Workspace) -> tuple[str, pa.Table, list[list[Any]], list[str]]:
    part = largest_part(ws, "household_classifications")
    contract = CONTRACTS["household_classifications"]
    table = rows_of(ws, "household_classifications", part)
    return (
        part,
        table,
        table_rows(contract, table, typed=True),
        headers_of(contract, table.column_names),
    )


@case("xlsx-merged-household-code")
def _merged(p: Province, ws: Workspace, d: Path) -> Case:
    part, table, rows, header = _household_list_rows(ws)
    col = table.column_names.index("household_id")
    # Two members of one household, next to each other: their code merged as Excel users do.
    r = next(i for i in range(len(rows) - 1) if rows[i][col] == rows[i + 1][col])
    path = d / part
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet()
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value not in (None, "") and not (c == col and i == r + 2):
                sheet.write(i, c, value)
    sheet.merge_range(r + 1, col, r + 2, col, rows[r][col])
    wb.close()
    return Case(
        [path],
        Imported(
            warned={(r + 3, "Mã hộ gia đình", "merged_cell")},
            check=same_content(p, "household_classifications"),
        ),
    )


@case("xlsx-name-merged-across-columns")
def _merged_across(p: Province, ws: Workspace, d: Path) -> Case:
    part, table, rows, header = _household_list_rows(ws)
    name_at = table.column_names.index("full_name")
    sex_at = table.column_names.index("sex")
    assert sex_at == name_at + 1
    path = d / part
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet()
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value not in (None, "") and not (i == 1 and c == sex_at):
                sheet.write(i, c, value)
    # Row 2: the name merged over the sex column, so the sex cell reads as empty.
    sheet.merge_range(1, name_at, 1, sex_at, rows[0][name_at])
    wb.close()
    sex_cell = f"{chr(ord('A') + sex_at)}2"

    def check(ws: Workspace, result: ImportResult) -> None:
        text = " ".join(r["reason_vi"] for r in rejects_of(result))
        assert f"Ô {sex_cell} thuộc vùng ô gộp" in text
        assert rows_of(ws, "household_classifications", part).num_rows == table.num_rows - 1

    return Case(
        [path],
        Imported(
            refused={(2, "required")},
            warned={(2, "Giới tính", "merged_cell_across")},
            check=check,
        ),
    )


@case("ambiguous-header-neutral-name")
def _ambiguous(p: Province, ws: Workspace, d: Path) -> Case:
    # A sheet of units with their targets: every required column of units and of targets
    # alike, under a name that claims neither.
    path = d / "bao_cao_2026.csv"
    path.write_text(
        "Mã đơn vị,Tên đơn vị,Cấp,Mã tỉnh,Năm,Chỉ tiêu,Giá trị chỉ tiêu\n"
        "52,Gia Lai,province,52,2026,bhyt_rate,0.96\n",
        encoding="utf-8",
    )
    return Case([path], Refused("ambiguous_table", says=("targets, units", "targets.csv")))


@case("xlsx-formula-without-value")
def _formula(p: Province, ws: Workspace, d: Path) -> Case:
    import openpyxl

    part, table, rows, header = _household_list_rows(ws)
    col = table.column_names.index("full_name")
    path = d / part
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.cell(row=3, column=col + 1).value = '=UPPER("an")'  # openpyxl keeps no value
    wb.save(path)
    letter = chr(ord("A") + col)

    def check(ws: Workspace, result: ImportResult) -> None:
        kept = rows_of(ws, "household_classifications", part)
        assert kept.num_rows == table.num_rows - 1
        text = " ".join(r["reason_vi"] for r in rejects_of(result))
        assert f"Ô {letter}3 chứa công thức" in text

    return Case([path], Imported(refused={(3, "formula_no_value"), (3, "required")}, check=check))


@case("xlsx-formula-with-cached-value")
def _formula_cached(p: Province, ws: Workspace, d: Path) -> Case:
    part, table, rows, header = _household_list_rows(ws)
    col = table.column_names.index("full_name")
    path = d / part
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet()
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value in (None, ""):
                continue
            if c == col and i == 1:
                sheet.write_formula(i, c, f'=TRIM("{value}")', None, value)
            else:
                sheet.write(i, c, value)
    wb.close()
    return Case([path], Imported(check=same_content(p, "household_classifications")))


# ------------------------------------------------------------------- per table: every one


def _per_table_wrong_content(table: str) -> CaseBuilder:
    """A file named for ``table`` that holds another table's rows."""

    def build(p: Province, ws: Workspace, d: Path) -> Case:
        other = next(t for t in SAMPLE_TABLES if t != table and not _fits(t, table))
        rows = rows_of(ws, other).slice(0, 5)
        path = write_table(d / f"{file_stem(CONTRACTS[table])}.csv", CONTRACTS[other], rows, "csv")
        return Case([path], Refused("missing_columns", says=(f"bảng {table}", f"table {table}")))

    return build


def _fits(content_table: str, claimed: str) -> bool:
    """Whether a file of ``content_table``'s columns has every required column of ``claimed``."""
    folded = {fold_header(c.vi) for c in CONTRACTS[content_table].columns}
    return all(folded & c.header_keys() for c in CONTRACTS[claimed].required_headers)


def _per_table_header_only(table: str) -> CaseBuilder:
    def build(p: Province, ws: Workspace, d: Path) -> Case:
        contract = CONTRACTS[table]
        header = headers_of(contract, contract.names)
        if contract.load_mode == "full":
            path = write_csv(d / f"{file_stem(contract)}.csv", header, [])
            return Case([path], Refused("file_no_rows", says=("chỉ có dòng tiêu đề",)))
        part, n = sources(ws, table)[0]
        path = d / part
        write_table(
            path.with_suffix(".tmp"), contract, rows_of(ws, table, part).slice(0, 0), "xlsx"
        )
        path.write_bytes(path.with_suffix(".tmp").read_bytes())
        path.with_suffix(".tmp").unlink()
        return Case([path], Refused("part_emptied", says=(f"{n}",)))

    return build


def _per_table_repeated_key(table: str) -> CaseBuilder:
    """The table (or its largest part) again as a workbook, with row 1 copied exactly and row 2
    copied with another value: the copy of row 1 and both versions of row 2 are refused, every
    other row is imported as before."""

    def build(p: Province, ws: Workspace, d: Path) -> Case:
        contract = CONTRACTS[table]
        part = sources(ws, table)[0][0] if contract.load_mode == "parts" else None
        rows = rows_of(ws, table, part)
        free = _free_column(table)
        listed = rows.to_pylist()
        changed = dict(listed[1])
        value = changed[free]
        dtype = contract.column(free).dtype
        changed[free] = (value or 0) + 1 if dtype == "int" else f"{value or ''} (bản khác)"
        extra = pa.Table.from_pylist([listed[0], changed], schema=rows.schema)
        table_out = pa.concat_tables([rows, extra])
        name = part or f"{file_stem(contract)}.xlsx"
        path = d / name
        tmp = write_table(d / "tmp.xlsx", contract, table_out, "xlsx")
        path.write_bytes(tmp.read_bytes())
        tmp.unlink()
        n = rows.num_rows
        # Excel rows: header 1, data 2..n+1, the copies n+2 and n+3.
        refused = {(n + 2, "duplicate_row"), (3, "conflicting_key"), (n + 3, "conflicting_key")}
        key = {tuple(listed[1][k] for k in contract.key)}
        expected = [r for r in as_set(rows_of(ws, table))]
        key_of = [contract.names.index(k) for k in contract.key]
        expected = [r for r in expected if tuple(r[i] for i in key_of) not in key]

        def check(ws: Workspace, result: ImportResult) -> None:
            assert as_set(rows_of(ws, table)) == expected

        options = {"allow_orphans": True}  # (row 2's key is gone on purpose)
        return Case([path], Imported(refused=refused, check=check), options)

    return build


def _free_column(table: str) -> str:
    """A column whose value can change without breaking a rule: free text, or a count."""
    contract = CONTRACTS[table]
    person = contract.person
    for column in contract.columns:
        if (
            column.name not in contract.key
            and column.dtype == "string"
            and column.check is None
            and column.allowed is None
            and column.references is None
            and not (person and column.name in (person.id_column,))
        ):
            return column.name
    return next(
        c.name
        for c in contract.columns
        if c.name not in contract.key and c.dtype == "int" and c.references is None
    )


for _table in SAMPLE_TABLES:
    case(f"table-{_table}-named-but-other-content")(_per_table_wrong_content(_table))
    case(f"table-{_table}-header-only")(_per_table_header_only(_table))
    case(f"table-{_table}-xlsx-repeated-key")(_per_table_repeated_key(_table))


# ------------------------------------------------------------------- the corpus, file by file


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_file(name: str, province: Province, tmp_path: Path) -> None:
    ws = province.copy(tmp_path)
    files = tmp_path / "files"
    files.mkdir()
    check_case(ws, CASES[name](province, ws, files), province.workspace)


# ---------------------------------------------- every table, every required column (item 15)


@pytest.mark.parametrize("table", sorted(CONTRACTS))
def test_each_required_column_removed_is_refused_naming_it(
    table: str, province: Province, tmp_path: Path
) -> None:
    """A file named for its table, in each format, without one required column: refused with
    that column named (never read as another table), and the workspace unchanged."""
    ws = province.copy(tmp_path)
    contract = CONTRACTS[table]
    before = fingerprint_before(ws, province.workspace)
    tried = 0
    # One store for every file (a refused import leaves it usable for the next): opening the
    # workspace was three quarters of each refusal's time, hundreds of times over.
    with ws.store() as store:
        for column in contract.required_headers:
            names = [c for c in contract.names if c != column.name]
            for fmt in ("csv", "xlsx", "parquet"):
                folder = tmp_path / f"{column.name}-{fmt}"
                folder.mkdir()
                path = write_table(
                    folder / f"{file_stem(contract)}.{fmt}",
                    contract,
                    dummy_table(contract, names),
                    fmt,
                )
                result = import_paths(store, [path], ws.rejects_dir)
                says = (f"{column.vi} ({column.name})", f"table {table}")
                assert_clear_refusal(result, [path], Refused("missing_columns", says=says))
                tried += 1
    assert tried == 3 * len(contract.required_headers) > 0
    assert unchanged(ws, province.workspace, before)


def test_the_province_fills_every_sampled_table(province: Province) -> None:
    ws = Workspace.open(province.workspace)
    assert set(SAMPLE_TABLES) <= set(CONTRACTS)
    assert all(rows_of(ws, t).num_rows >= 3 for t in SAMPLE_TABLES)


def test_the_corpus_is_broad(province: Province) -> None:
    # 3 files per required column of every table, plus the kinds and per-table cases.
    per_column = 3 * sum(len(c.required_headers) for c in CONTRACTS.values())
    assert len(CASES) + per_column >= 150
    assert len(CASES) >= 100
