"""Readers: turn an xlsx, csv or parquet file into an Arrow table with the file's own headers.

A file is read as what its content is (``sniff``), whatever its name says; a file that holds no
table is refused saying what it is.  A reader finds the header row (Excel and CSV exports often
carry title rows above it), detects the text encoding of CSV files (UTF-8, UTF-16 with or
without a byte-order mark, the legacy Windows-1258; TCVN3 and garbled UTF-8 are named and
refused), honours Excel's ``sep=;`` first line, notices a file that was cut off, reports merged
cells and formulas without a computed value by the cell's name, and remembers which line of the
file each row came from, so that every message can name the row a person would see in Excel.
Readers do not validate values: text stays text.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from baophu.contracts import fold_header
from baophu.ingest.errors import ImportFileError
from baophu.ingest.messages import printable
from baophu.ingest.messages import text as message_text
from baophu.ingest.sniff import (
    MOJIBAKE_PATTERN,
    decode_tcvn3,
    legacy_encoding,
    refuse_unless_table,
    repair_mojibake,
    sniff,
    suffix_notice,
    tcvn3_reading,
    utf16_without_bom,
)

HEADER_SCAN_ROWS = 30
# Rows of a CSV or Excel file looked at for garbled or legacy-encoded text.
ENCODING_SAMPLE_ROWS = 2_000
# Python's csv module refuses fields over 128 KiB; a long field is the validator's business
# (it names the row and column), never a crash.
csv.field_size_limit(1 << 30)


@dataclass(frozen=True)
class CellIssue:
    """A problem a reader found in one cell (a merged cell, a formula without a value, a row
    cut off): reported like a validation problem, and its row refused if ``severity`` says so."""

    row: int
    column: str  # header as written
    value: str
    code: str
    severity: str = "warning"
    kwargs: tuple[tuple[str, str], ...] = ()


@dataclass
class RawFile:
    """A file as read: its rows, its headers as written, and where each row sits in the file.

    CSV and Excel files are read whole (they are small); Parquet files are read lazily, chunk
    by chunk, so that a 10-million-row register never sits in memory at once.
    """

    path: Path
    file_format: str  # xlsx | csv | parquet
    headers: list[str]
    data: pa.Table  # columns named by ``headers`` (made unique); empty for lazy Parquet
    rows: pa.Array  # for each data row, its row number in the file (1-based, as Excel shows it)
    typed: bool  # parquet: columns carry their own types
    file_hash: str
    notices: list[tuple[str, str]] = field(default_factory=list)  # (vi, en)
    bad_rows: list[tuple[int, int, int, str]] = field(default_factory=list)  # row, exp, got, text
    parquet: pq.ParquetFile | None = None
    cell_issues: list[CellIssue] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return self.parquet.metadata.num_rows if self.parquet is not None else self.data.num_rows

    def columns(self, headers: list[str]) -> pa.Table:
        """Some columns over the whole file (the key columns, for finding duplicates)."""
        if self.parquet is not None:
            return self.parquet.read(columns=headers)
        return self.data.select(headers)

    def chunks(self, size: int) -> Iterator[RawFile]:
        """The file as consecutive pieces of about ``size`` rows, each a RawFile (a Parquet
        file's own row groups when none exceeds twice ``size``)."""
        if self.parquet is not None:
            start = 0
            meta = self.parquet.metadata
            groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
            if groups and max(groups) <= 2 * size:
                # Whole row groups decode faster than re-cut record batches.
                pieces: Iterator[pa.Table] = (
                    self.parquet.read_row_group(i) for i in range(len(groups))
                )
            else:
                pieces = (
                    pa.Table.from_batches([b]) for b in self.parquet.iter_batches(batch_size=size)
                )
            for table in pieces:
                rows = pa.array(np.arange(start + 1, start + 1 + table.num_rows, dtype=np.int64))
                start += table.num_rows
                yield replace(self, data=table, rows=rows, parquet=None, bad_rows=[])
            return
        for start in range(0, max(self.data.num_rows, 1), size):
            yield replace(
                self,
                data=self.data.slice(start, size),
                rows=self.rows.slice(start, size),
                bad_rows=[],
            )


@functools.lru_cache(maxsize=4096)
def _cached_hash(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (cached while the file's size and mtime are unchanged)."""
    stat = path.stat()
    return _cached_hash(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def _check_suffix(path: Path) -> None:
    if not path.exists():
        raise ImportFileError("file_missing", path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFileError("file_unsupported", path, suffix=suffix or "(none)")


def read_file(path: Path, known_headers: AbstractSet[str]) -> RawFile:
    """Read any supported file as what its content is; ``known_headers`` (folded) locate the
    header row."""
    _check_suffix(path)
    kind = sniff(path)
    refuse_unless_table(path, kind)
    if kind.code == "parquet":
        raw = _read_parquet(path)
    elif kind.code == "xlsx":
        raw = _read_xlsx(path, known_headers)
        _refuse_garbled_cells(raw)
    else:
        raw = _read_csv(path, known_headers)
        _refuse_garbled_cells(raw)
    notice = suffix_notice(path, kind)
    if notice is not None:
        raw.notices.insert(0, notice)
    return raw


def _unique_headers(headers: Iterable[object]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        name = printable(str(h).strip(), 200) if h is not None and str(h).strip() else ""
        name = name or f"__blank_{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}__{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _header_score(cells: Iterable[object], known: AbstractSet[str]) -> int:
    return sum(1 for c in cells if c is not None and fold_header(str(c)) in known)


# ---------------------------------------------------------------------------------- parquet


def _read_parquet(path: Path) -> RawFile:
    try:
        handle = pq.ParquetFile(path)
        schema = handle.schema_arrow
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFileError("file_corrupt", path, detail=printable(str(exc), 200)) from exc
    return RawFile(
        path=path,
        file_format="parquet",
        headers=list(schema.names),
        data=schema.empty_table(),
        rows=pa.array([], pa.int64()),
        typed=True,
        file_hash=file_hash(path),
        parquet=handle,
    )


# ------------------------------------------------------------------------------------- xlsx


def _locate_xlsx_header(path: Path, known: AbstractSet[str]) -> tuple[Any, int, int, list[str]]:
    """(reader, sheet index, header row index, header cells) of the best-matching sheet."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # calamine raises its own error types for broken zips
        raise ImportFileError("file_corrupt", path, detail=printable(str(exc), 200)) from exc
    best: tuple[int, int, int, list[str]] | None = None  # (score, sheet, header row, cells)
    for sheet_index in range(len(reader.sheet_names)):
        try:
            head = reader.load_sheet(
                sheet_index, header_row=None, n_rows=HEADER_SCAN_ROWS, dtypes="string"
            ).to_arrow()
        except Exception as exc:
            raise ImportFileError("file_corrupt", path, detail=printable(str(exc), 200)) from exc
        if head.num_rows == 0:
            continue
        columns = [head.column(i).to_pylist() for i in range(head.num_columns)]
        for r in range(head.num_rows):
            cells = [col[r] for col in columns]
            score = _header_score(cells, known)
            if best is None or score > best[0]:
                best = (score, sheet_index, r, cells)
    if best is None:
        raise ImportFileError("file_empty", path)
    score, sheet_index, header_index, cells = best
    if score == 0:
        # No known header anywhere: take the first row so the error can list it.
        header_index = 0
    return reader, sheet_index, header_index, _unique_headers(cells)


def _sheet_xml(path: Path, sheet_index: int) -> bytes:
    """The XML of a workbook's sheet (empty when the workbook's parts cannot be found)."""
    import re
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            ids = re.findall(r"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
            targets = dict(re.findall(r'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
            targets.update(
                {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
            )
            target = targets[ids[sheet_index]].lstrip("/")
            name = target if target.startswith("xl/") else f"xl/{target}"
            return zf.read(name)
    except (KeyError, IndexError, zipfile.BadZipFile, OSError):
        return b""


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass
class _Layout:
    """Where a sheet's used range starts, its merged ranges and its formulas without values."""

    first_row: int = 1  # 1-based row of the first cell holding a value
    first_col: int = 0  # 0-based column of the first cell holding a value
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    empty_formulas: list[tuple[int, int, str]] = field(default_factory=list)  # row, col, text


_CELL = r'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?:/>|>(.*?)</c>)'
_VALUE = r"<v>[^<]+</v>|<is>"


def _sheet_layout(path: Path, sheet_index: int) -> _Layout:
    """The Excel reader starts its ranges at the first used cell; messages must name the row
    and cell a person sees in Excel, so the offsets are read from the sheet's XML.  The whole
    sheet is scanned only when it has merged cells or formulas, or does not start in column A."""
    import html
    import re

    xml = _sheet_xml(path, sheet_index)
    layout = _Layout()
    head = xml[: 4 << 20].decode("utf-8", "replace")
    for match in re.finditer(_CELL, head, re.S):
        letters, row_text, inner = match.groups()
        if re.search(_VALUE, inner or ""):
            layout.first_row = int(row_text)
            if letters == "A" and b"<mergeCell " not in xml and b"<f" not in xml:
                return layout
            break
    text = xml.decode("utf-8", "replace")
    first_col: int | None = None
    first_row: int | None = None
    for letters, row_text, inner in re.findall(_CELL, text, re.S):
        inner = inner or ""
        col, row = _column_index(letters), int(row_text)
        if re.search(_VALUE, inner):
            first_col = col if first_col is None else min(first_col, col)
            first_row = row if first_row is None else min(first_row, row)
        elif "<f" in inner:
            formula = re.search(r"<f[^>]*>(.*?)</f>", inner, re.S)
            shown = html.unescape(formula.group(1)) if formula else ""
            layout.empty_formulas.append((row, col, "=" + shown))
    layout.first_col = first_col or 0
    layout.first_row = first_row or layout.first_row
    for ref in re.findall(r'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', text):
        c1, r1, c2, r2 = _column_index(ref[0]), int(ref[1]), _column_index(ref[2]), int(ref[3])
        layout.merges.append((r1, c1, r2, c2))
    return layout


def _apply_layout(
    table: pa.Table, rows: pa.Array, headers: list[str], header_row: int, layout: _Layout
) -> tuple[pa.Table, list[CellIssue]]:
    """Report formulas without values (their rows are refused: the value is unknown) and
    merged cells under the header: a merge within one column gives its value to the cells it
    covers (a household's code merged over its members), one across columns is only reported."""
    issues: list[CellIssue] = []
    position = {int(r): i for i, r in enumerate(rows.to_pylist())}

    def header_of(col: int) -> str | None:
        j = col - layout.first_col
        return headers[j] if 0 <= j < len(headers) else None

    for row, col, formula in layout.empty_formulas:
        header = header_of(col)
        if row > header_row and header is not None and row in position:
            cell = f"{column_letters(col)}{row}"
            issues.append(
                CellIssue(
                    row,
                    header,
                    printable(formula, 200),
                    "formula_no_value",
                    "reject",
                    (("cell", cell),),
                )
            )
    fills: dict[int, list[object]] = {}
    for r1, c1, r2, c2 in layout.merges:
        if r2 <= header_row:
            continue
        span = f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}"
        source = f"{column_letters(c1)}{r1}"
        for col in range(c1, c2 + 1):
            header = header_of(col)
            if header is None:
                continue
            j = col - layout.first_col
            for row in range(max(r1, header_row + 1), r2 + 1):
                if (row, col) == (r1, c1) or row not in position:
                    continue
                cell = f"{column_letters(col)}{row}"
                if c1 == c2 and r1 > header_row and r1 in position:
                    values = fills.setdefault(j, table.column(j).to_pylist())
                    values[position[row]] = values[position[r1]]
                    code = "merged_cell"
                else:
                    code = "merged_cell_across"
                issues.append(
                    CellIssue(
                        row,
                        header,
                        "",
                        code,
                        "warning",
                        (("cell", cell), ("range", span), ("source", source)),
                    )
                )
    for j, values in fills.items():
        table = table.set_column(j, table.field(j), pa.array(values, table.field(j).type))
    return table, issues


def _read_xlsx(path: Path, known: AbstractSet[str]) -> RawFile:
    """One parse of the sheet: all cells as text, the header row found among the first rows."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # calamine raises its own error types for broken zips
        raise ImportFileError("file_corrupt", path, detail=printable(str(exc), 200)) from exc
    best: tuple[int, int, int] | None = None  # (score, sheet, header row index)
    sheets: dict[int, pa.Table] = {}
    for sheet_index in range(len(reader.sheet_names)):
        try:
            batch = reader.load_sheet(sheet_index, header_row=None, dtypes="string").to_arrow()
        except Exception as exc:
            raise ImportFileError("file_corrupt", path, detail=printable(str(exc), 200)) from exc
        table = pa.Table.from_batches([batch])
        if table.num_rows == 0:
            continue
        sheets[sheet_index] = table
        head = table.slice(0, HEADER_SCAN_ROWS)
        columns = [head.column(i).to_pylist() for i in range(head.num_columns)]
        for r in range(head.num_rows):
            score = _header_score((col[r] for col in columns), known)
            if best is None or score > best[0]:
                best = (score, sheet_index, r)
        if best is not None and best[0] >= 3 and best[1] == sheet_index:
            break  # a sheet with a clear header: later sheets are notes or pivots
    if best is None:
        raise ImportFileError("file_empty", path)
    score, sheet_index, header_index = best
    if score == 0:
        header_index = 0  # no known header anywhere: the first row, so the error can list it
    table = sheets[sheet_index]
    header_cells = [table.column(i)[header_index].as_py() for i in range(table.num_columns)]
    headers = _unique_headers(header_cells)
    table = table.slice(header_index + 1).rename_columns(headers)
    layout = _sheet_layout(path, sheet_index)
    header_row = layout.first_row + header_index
    rows = pa.array(range(header_row + 1, header_row + 1 + table.num_rows), pa.int64())
    keep = _non_blank(table)
    table, rows = table.filter(keep).combine_chunks(), rows.filter(keep)
    issues: list[CellIssue] = []
    if layout.merges or layout.empty_formulas:
        table, issues = _apply_layout(table, rows, headers, header_row, layout)
    return RawFile(
        path=path,
        file_format="xlsx",
        headers=headers,
        data=table,
        rows=rows,
        typed=False,
        file_hash=file_hash(path),
        cell_issues=issues,
    )


def _non_blank(table: pa.Table) -> pa.Array:
    """Rows with at least one non-blank cell (Excel keeps formatted empty rows)."""
    import pyarrow.compute as pc

    blank = pa.array([True] * table.num_rows, pa.bool_())
    for col in table.columns:
        if pa.types.is_null(col.type):
            continue  # an all-empty column leaves every row's blankness as it was
        text = pc.utf8_trim_whitespace(col.cast(pa.string()))
        is_blank = pc.fill_null(pc.equal(text, ""), True)
        blank = pc.and_(blank, is_blank)
    keep = pc.invert(blank)
    # One array, not chunks: row numbers filtered by it must stay a plain array.
    return keep.combine_chunks() if isinstance(keep, pa.ChunkedArray) else keep


# -------------------------------------------------------------------------------------- csv

_UTF16_NOTICE = ("Tệp dùng bảng mã UTF-16; đã chuyển sang UTF-8", "File was UTF-16; converted")


def _decode(path: Path, raw: bytes) -> tuple[str, list[tuple[str, str]]]:
    """The text of a CSV file and a notice on how it was decoded; TCVN3 text is refused."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8", errors="strict"), []
        except UnicodeDecodeError as exc:
            raise ImportFileError("file_encoding", path) from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), [_UTF16_NOTICE]
    utf16 = utf16_without_bom(raw[:65536])
    if utf16 is not None:
        return raw[: len(raw) - len(raw) % 2].decode(utf16, errors="replace"), [_UTF16_NOTICE]
    try:
        return raw.decode("utf-8", errors="strict"), []
    except UnicodeDecodeError:
        pass
    if legacy_encoding(raw) == "tcvn3":
        found = re.search(rb"[^\s,;\t|\"]*[\x80-\xff][^\s,;\t|\"]*", raw)
        word = found.group(0) if found else raw[:20]  # the first word with a legacy letter
        line = raw[: found.start()].count(b"\n") + 1 if found else None
        raise ImportFileError(
            "file_tcvn3",
            path,
            row=line,
            sample=printable(word.decode("cp1258", errors="replace"), 30),
            decoded=printable(decode_tcvn3(word), 30),
        )
    import unicodedata

    text = unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace"))
    return text, [
        (
            "Tệp không phải UTF-8; đã đọc theo bảng mã Windows-1258 (tiếng Việt cũ)",
            "File was not UTF-8; read as Windows-1258 (legacy Vietnamese)",
        )
    ]


def _lines(text: str) -> list[str]:
    """Lines split at CR, LF or CRLF only: U+2028, U+0085 and other breaks that
    ``str.splitlines`` honours are ordinary characters inside a CSV field."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_SEP_LINE = re.compile(r'^\ufeff?\s*"?sep=(.)"?\s*$', re.IGNORECASE)


@dataclass
class _CsvLayout:
    delimiter: str
    header_index: int  # index in the file's lines
    headers: list[str]
    parsed: list[list[str]]  # the first lines, parsed
    first: int  # index of the first line after a ``sep=`` line


def _csv_layout(lines: list[str], known: AbstractSet[str]) -> _CsvLayout:
    """Delimiter and header row of a CSV file from its first lines."""
    first = 0
    delimiter: str | None = None
    if lines:
        sep = _SEP_LINE.match(lines[0])
        if sep is not None:  # Excel's "sep=;" line names the delimiter
            delimiter, first = sep.group(1), 1
    head = lines[first : first + HEADER_SCAN_ROWS]
    if delimiter is None:
        try:
            # Long fields are cut: the sniffer's patterns are slow on megabytes of text.
            sample = "\n".join(line[:2000] for line in head[:10])
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    parsed = list(csv.reader(head, delimiter=delimiter))
    scores = [_header_score(row, known) for row in parsed]
    index = max(range(len(parsed)), key=lambda i: (scores[i], -i)) if parsed else 0
    if not parsed or scores[index] == 0:
        index = next((i for i, row in enumerate(parsed) if any(c.strip() for c in row)), 0)
    headers = _unique_headers(parsed[index]) if parsed else []
    return _CsvLayout(delimiter, first + index, headers, parsed, first)


def _head_cells(layout: _CsvLayout) -> list[tuple[int, list[tuple[str, str]]]]:
    """(line number, [(header, value)]) of the first parsed lines, the header line included."""
    out = []
    for i, row in enumerate(layout.parsed):
        line = layout.first + i + 1
        names = layout.headers if line > layout.header_index + 1 else [""] * len(row)
        out.append((line, list(zip(names, row, strict=False))))
    return out


def _read_csv(path: Path, known: AbstractSet[str]) -> RawFile:
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFileError("file_empty", path)
    text, notices = _decode(path, raw)
    all_lines = _lines(text)
    layout = _csv_layout(all_lines, known)
    _refuse_garbled(path, _head_cells(layout))
    delimiter, header_index, headers = layout.delimiter, layout.header_index, layout.headers
    # Blank lines are dropped here, remembering the file line of every line kept, so that
    # each row (and each malformed row) can be named by its line in the file.
    kept = [i for i in range(header_index + 1, len(all_lines)) if all_lines[i].strip()]
    cell_issues: list[CellIssue] = []
    if kept and not text.endswith(("\n", "\r")):
        # A cut-off file ends without a newline in the middle of a row.
        last = all_lines[kept[-1]]
        fields = next(csv.reader([last], delimiter=delimiter), [])
        if len(fields) < len(headers) or last.count('"') % 2 == 1:
            raise ImportFileError("file_truncated", path, row=kept[-1] + 1)
        others = [len(all_lines[i]) for i in kept[:-1]]
        if len(others) >= 2 and len(last) < min(others):
            # Cut inside its last value (2983296 stored as 298): the row is kept, flagged.
            row = kept[-1] + 1
            cell_issues.append(
                CellIssue(
                    row, headers[len(fields) - 1], printable(fields[-1], 200), "last_row_short"
                )
            )
            notices.append(message_text("truncated_last_row", row=row))
    body = "\n".join(all_lines[i] for i in kept).encode("utf-8")
    bad_rows: list[tuple[int, int, int, str]] = []
    bad_index: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        index = (row.number or 1) - 1  # 1-based position in the body
        bad_index.append(index)
        line = kept[index] + 1 if 0 <= index < len(kept) else 0
        bad_rows.append(
            (line, row.expected_columns, row.actual_columns, printable(row.text or "", 200))
        )
        return "skip"

    if not kept:
        table = pa.table({h: pa.array([], pa.string()) for h in headers})
    else:
        try:
            table = pacsv.read_csv(
                io.BytesIO(body),
                read_options=pacsv.ReadOptions(
                    column_names=headers, use_threads=False, block_size=1 << 24
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={h: pa.string() for h in headers},
                    strings_can_be_null=True,
                    null_values=[""],
                ),
            )
        except pa.ArrowInvalid as exc:
            raise ImportFileError("file_corrupt", path, detail=printable(str(exc), 200)) from exc
    skipped = set(bad_index)
    lines = [kept[i] + 1 for i in range(len(kept)) if i not in skipped]
    if table.num_rows != len(lines):  # a quoted value spanning lines: fall back to positions
        lines = list(range(header_index + 2, header_index + 2 + table.num_rows))
    return RawFile(
        path=path,
        file_format="csv",
        headers=headers,
        data=table,
        rows=pa.array(lines, pa.int64()),
        typed=False,
        file_hash=hashlib.sha256(raw).hexdigest(),
        notices=notices,
        bad_rows=bad_rows,
        cell_issues=cell_issues,
    )


# ----------------------------------------------------------------------- garbled or legacy text


def _refuse_garbled(path: Path, rows: Iterable[tuple[int, list[tuple[str, str]]]]) -> None:
    """Refuse text that is UTF-8 read as Latin-1 (``Nguyá»…n``) or TCVN3 shown as Latin-1
    (``NguyÔn``), naming the first such cell."""
    for line, cells in rows:
        for header, value in cells:
            if value is None or value.isascii():
                continue
            fixed = repair_mojibake(value)
            column = header or None
            if fixed is not None:
                raise ImportFileError(
                    "file_mojibake",
                    path,
                    row=line,
                    column=column,
                    value=printable(value, 40),
                    fixed=printable(fixed, 40),
                )
            decoded = tcvn3_reading(value)
            if decoded is not None:
                raise ImportFileError(
                    "file_tcvn3",
                    path,
                    row=line,
                    column=column,
                    sample=printable(value, 40),
                    decoded=printable(decoded, 40),
                )


def _refuse_garbled_cells(raw: RawFile) -> None:
    """The garbled-text check over the first rows of a CSV or Excel file."""
    import pyarrow.compute as pc

    sample = raw.data.slice(0, ENCODING_SAMPLE_ROWS)
    rows = raw.rows.slice(0, ENCODING_SAMPLE_ROWS).to_pylist()
    for header in raw.headers:
        column = sample.column(header)
        if not pa.types.is_string(column.type) or column.null_count == len(column):
            continue
        suspect = pc.fill_null(
            pc.or_(
                pc.match_substring_regex(column, MOJIBAKE_PATTERN),
                pc.match_substring_regex(column, "[a-z\u00e0-\u00ff][\u00c0-\u00de]"),
            ),
            False,
        )
        if not pc.any(suspect).as_py():
            continue
        values = column.to_pylist()
        hits = [
            (rows[i], [(header, values[i])]) for i, flag in enumerate(suspect.to_pylist()) if flag
        ]
        _refuse_garbled(raw.path, hits)


def peek_headers(path: Path, known: AbstractSet[str]) -> list[str]:
    """The header of a file without reading its rows (used to order a batch by table); a file
    that holds no table, or garbled text, is refused here already."""
    _check_suffix(path)
    kind = sniff(path)
    refuse_unless_table(path, kind)
    if kind.code == "parquet":
        try:
            return list(pq.read_schema(path).names)
        except (pa.ArrowInvalid, OSError) as exc:
            raise ImportFileError("file_corrupt", path, detail=printable(str(exc), 200)) from exc
    if kind.code == "xlsx":
        return _locate_xlsx_header(path, known)[3]
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if len(head) == 1 << 20 and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        cut = head.rfind(b"\n")  # a whole number of lines (and of UTF-8 characters)
        head = head[: cut + 1] if cut > 0 else head
    text, _ = _decode(path, head)
    if not text.strip():
        raise ImportFileError("file_empty", path)
    layout = _csv_layout(_lines(text), known)
    if not layout.parsed:
        raise ImportFileError("file_empty", path)
    _refuse_garbled(path, _head_cells(layout))
    return layout.headers


SUPPORTED_SUFFIXES = (".parquet", ".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".xml")  # xml: claims
