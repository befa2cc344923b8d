"""Readers: turn an xlsx, csv or parquet file into an Arrow table with the file's own headers.

A reader finds the header row (Excel and CSV exports often carry title rows above it), detects
the text encoding of CSV files (UTF-8, UTF-16, or the legacy Windows-1258), notices a file that
was cut off, and remembers which line of the file each row came from, so that every message can
name the row a person would see in Excel.  Readers do not validate values: text stays text.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
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

HEADER_SCAN_ROWS = 30


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


def read_file(path: Path, known_headers: AbstractSet[str]) -> RawFile:
    """Read any supported file; ``known_headers`` (folded) locate the header row."""
    if not path.exists():
        raise ImportFileError("file_missing", path)
    if path.stat().st_size == 0:
        raise ImportFileError("file_empty", path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, known_headers)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, known_headers)
    raise ImportFileError("file_unsupported", path, suffix=suffix or "(none)")


def _unique_headers(headers: Iterable[object]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        name = str(h).strip() if h is not None and str(h).strip() else f"__blank_{i}"
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
        raise ImportFileError("file_corrupt", path, detail=str(exc)[:200]) from exc
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
        raise ImportFileError("file_corrupt", path, detail=str(exc)[:200]) from exc
    best: tuple[int, int, int, list[str]] | None = None  # (score, sheet, header row, cells)
    for sheet_index in range(len(reader.sheet_names)):
        try:
            head = reader.load_sheet(
                sheet_index, header_row=None, n_rows=HEADER_SCAN_ROWS, dtypes="string"
            ).to_arrow()
        except Exception as exc:
            raise ImportFileError("file_corrupt", path, detail=str(exc)[:200]) from exc
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


def _first_used_row(path: Path, sheet_index: int) -> int:
    """1-based row number of the first cell holding a value in a sheet.

    The Excel reader starts its ranges at the first used cell; messages must name the row a
    person sees in Excel, so the offset is read from the sheet's XML (first 4 MiB).
    """
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
            with zf.open(name) as fh:
                head = fh.read(4 << 20).decode("utf-8", "replace")
    except (KeyError, IndexError, zipfile.BadZipFile, OSError):
        return 1
    found = re.search(
        r'<c r="[A-Z]+(\d+)"[^>]*?(?<!/)>\s*(?:<f[^>]*>.*?</f>\s*)?<(?:v|is)\b', head, re.S
    )
    return int(found.group(1)) if found else 1


def _read_xlsx(path: Path, known: AbstractSet[str]) -> RawFile:
    """One parse of the sheet: all cells as text, the header row found among the first rows."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # calamine raises its own error types for broken zips
        raise ImportFileError("file_corrupt", path, detail=str(exc)[:200]) from exc
    best: tuple[int, int, int] | None = None  # (score, sheet, header row index)
    sheets: dict[int, pa.Table] = {}
    for sheet_index in range(len(reader.sheet_names)):
        try:
            batch = reader.load_sheet(sheet_index, header_row=None, dtypes="string").to_arrow()
        except Exception as exc:
            raise ImportFileError("file_corrupt", path, detail=str(exc)[:200]) from exc
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
    first = _first_used_row(path, sheet_index) + header_index + 1
    rows = pa.array(range(first, first + table.num_rows), pa.int64())
    keep = _non_blank(table)
    table, rows = table.filter(keep), rows.filter(keep)
    return RawFile(
        path=path,
        file_format="xlsx",
        headers=headers,
        data=table,
        rows=rows,
        typed=False,
        file_hash=file_hash(path),
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
    return pc.invert(blank)


# -------------------------------------------------------------------------------------- csv


def _decode(path: Path, raw: bytes) -> tuple[str, list[tuple[str, str]]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), [
            ("Tệp dùng bảng mã UTF-16; đã chuyển sang UTF-8", "File was UTF-16; converted")
        ]
    try:
        return raw.decode("utf-8", errors="strict"), []
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1258", errors="strict")
    except UnicodeDecodeError as exc:
        raise ImportFileError("file_encoding", path) from exc
    import unicodedata

    text = unicodedata.normalize("NFC", text)
    return text, [
        (
            "Tệp không phải UTF-8; đã đọc theo bảng mã Windows-1258 (tiếng Việt cũ)",
            "File was not UTF-8; read as Windows-1258 (legacy Vietnamese)",
        )
    ]


def _read_csv(path: Path, known: AbstractSet[str]) -> RawFile:
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFileError("file_empty", path)
    text, notices = _decode(path, raw)
    head_lines = text.splitlines()[:HEADER_SCAN_ROWS]
    try:
        dialect = csv.Sniffer().sniff("\n".join(head_lines[:10]), delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    parsed = list(csv.reader(head_lines, delimiter=delimiter))
    scores = [_header_score(row, known) for row in parsed]
    header_index = max(range(len(parsed)), key=lambda i: (scores[i], -i)) if parsed else 0
    if not parsed or scores[header_index] == 0:
        header_index = next((i for i, row in enumerate(parsed) if any(c.strip() for c in row)), 0)
    headers = _unique_headers(parsed[header_index]) if parsed else []
    # A cut-off file ends without a newline in the middle of a row.
    stripped = text.rstrip("\r\n")
    last_line = stripped.splitlines()[-1] if stripped else ""
    total_lines = len(stripped.splitlines())
    if not text.endswith(("\n", "\r")) and total_lines > header_index + 1:
        fields = next(csv.reader([last_line], delimiter=delimiter), [])
        if len(fields) < len(headers) or last_line.count('"') % 2 == 1:
            raise ImportFileError("file_truncated", path, row=total_lines)
    # Blank lines are dropped here, remembering the file line of every line kept, so that
    # each row (and each malformed row) can be named by its line in the file.
    all_lines = text.splitlines()
    kept = [i for i in range(header_index + 1, len(all_lines)) if all_lines[i].strip()]
    body = "\n".join(all_lines[i] for i in kept).encode("utf-8")
    bad_rows: list[tuple[int, int, int, str]] = []
    bad_index: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        index = (row.number or 1) - 1  # 1-based position in the body
        bad_index.append(index)
        line = kept[index] + 1 if 0 <= index < len(kept) else 0
        bad_rows.append((line, row.expected_columns, row.actual_columns, row.text or ""))
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
            raise ImportFileError("file_corrupt", path, detail=str(exc)[:200]) from exc
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
    )


def peek_headers(path: Path, known: AbstractSet[str]) -> list[str]:
    """The header of a file without reading its rows (used to order a batch by table)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportFileError("file_missing", path)
    if path.stat().st_size == 0:
        raise ImportFileError("file_empty", path)
    if suffix == ".parquet":
        try:
            return list(pq.read_schema(path).names)
        except (pa.ArrowInvalid, OSError) as exc:
            raise ImportFileError("file_corrupt", path, detail=str(exc)[:200]) from exc
    if suffix in (".csv", ".txt", ".tsv"):
        with open(path, "rb") as fh:
            head = fh.read(65536)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = head.decode("utf-16", errors="ignore")
        else:
            cut = head.rfind(b"\n")
            head = head[: cut + 1] if cut > 0 else head
            try:
                text, _ = _decode(path, head)
            except ImportFileError:
                text = head.decode("utf-8", errors="replace")
        lines = text.splitlines()[:HEADER_SCAN_ROWS]
        try:
            delimiter = csv.Sniffer().sniff("\n".join(lines[:10]), delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        parsed = list(csv.reader(lines, delimiter=delimiter))
        if not parsed:
            raise ImportFileError("file_empty", path)
        best = max(range(len(parsed)), key=lambda i: (_header_score(parsed[i], known), -i))
        return _unique_headers(parsed[best])
    if suffix in (".xlsx", ".xlsm"):
        return _locate_xlsx_header(path, known)[3]
    raise ImportFileError("file_unsupported", path, suffix=suffix or "(none)")


SUPPORTED_SUFFIXES = (".parquet", ".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".xml")  # xml: claims
