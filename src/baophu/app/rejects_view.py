"""The rejects file of an import as the web shows and downloads it: personal data masked by
what each column *means*, not by its header.

A rejects file (``ingest.rejects``) has one row per problem: the file, row, column (the
header as the imported file wrote it), value, severity, code and the reason in Vietnamese and
English.  The column header is matched against the contract of the table the file was
imported into (``contracts``: headers, aliases and canonical names all fold to the same key),
so a value in "CCCD", "Số định danh" or "so_dinh_danh_ca_nhan" is masked alike; when the table
is not known every contract is asked.  The value of a personal-data column is masked whole
(a mistyped ID is still an ID), the reasons that quote it have it masked where quoted, and
every other cell — a rejected row's raw text, a file name — goes through free-text masking.

Columns are found by the words of their headers (``ingest.rejects.HEADERS``: "Tệp / File",
"Giá trị / Value", "Lý do", "Reason"…), never by position, so a column the ingest adds later is
kept (and masked as free text).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field
from pathlib import Path

from baophu.vn.cells import csv_row
from baophu.vn.masking import SensitiveKind, column_kind, mask_quoted, mask_text, mask_value
from baophu.vn.text import nfc

# What each known column of a rejects file is, by the words of its header ("Tệp / File",
# "Lý do", "Reason"…), so a column the ingest adds or moves never shifts the others.
_ROLE_WORDS = {
    "tệp": "file",
    "file": "file",
    "dòng": "row",
    "row": "row",
    "cột": "column",
    "column": "column",
    "giá trị": "value",
    "value": "value",
    "mức độ": "severity",
    "severity": "severity",
    "mã lỗi": "code",
    "code": "code",
    "lý do": "reason_vi",
    "reason": "reason_en",
    "trường": "field",
    "field": "field",
}


def _role_of(header: str) -> str | None:
    """Which known column ``header`` is (file, row, column, value, severity, code, reason_vi,
    reason_en), or None for a column this module does not know."""
    text = nfc(header.strip().lstrip("\ufeff")).lower()
    first = text.split(" / ")[0].strip()
    if first in _ROLE_WORDS:
        return _ROLE_WORDS[first]
    return None


@functools.lru_cache(maxsize=4096)
def sensitive_kind(table: str | None, header: str) -> SensitiveKind | None:
    """What the column ``header`` of a file of ``table`` holds, if personal data."""
    from baophu.contracts import CONTRACTS, fold_header

    key = fold_header(header or "")
    if not key:
        return None
    contracts = [CONTRACTS[table]] if table in CONTRACTS else list(CONTRACTS.values())
    for contract in contracts:
        for column in contract.columns:
            if key in column.header_keys():
                kind = column_kind(column.name, column.check)
                if kind is not None or table in CONTRACTS:
                    return kind
    return column_kind(key.replace(" ", "_")) or _kind_by_words(key)


def _kind_by_words(folded: str) -> SensitiveKind | None:
    """A header no contract knows, by its (folded) Vietnamese words."""
    if any(w in folded for w in ("dien thoai", "sdt", "so dt")):
        return "phone"
    if any(w in folded for w in ("dinh danh", "cccd", "cmnd", "can cuoc")):
        return "person_id"
    if "bhxh" in folded and ("ma so" in folded or "so so" in folded):
        return "si_code"
    return None


@dataclass
class RejectsTable:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    total: int = 0


def read_masked(
    path: Path, table: str | None, *, full: bool = False, limit: int | None = None
) -> RejectsTable:
    """The rejects file with personal data masked (unless ``full``): the header and at most
    ``limit`` rows (``total`` counts them all)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        roles = [_role_of(h) for h in header]
        col_at = roles.index("column") if "column" in roles else None
        value_at = roles.index("value") if "value" in roles else None
        field_at = roles.index("field") if "field" in roles else None
        out = RejectsTable(header=[mask_text(h) for h in header])
        for row in reader:
            out.total += 1
            if limit is not None and len(out.rows) >= limit:
                continue
            out.rows.append(
                row if full else _mask_row(row, roles, col_at, value_at, field_at, table)
            )
    return out


def _mask_row(
    row: list[str],
    roles: list[str | None],
    col_at: int | None,
    value_at: int | None,
    field_at: int | None,
    table: str | None,
) -> list[str]:
    column = row[col_at] if col_at is not None and col_at < len(row) else ""
    value = row[value_at] if value_at is not None and value_at < len(row) else ""
    # The canonical column the ingest names (``Trường / Field``) decides first; the header
    # as the file wrote it, matched against the contracts, for files without that column.
    canonical = row[field_at] if field_at is not None and field_at < len(row) else ""
    kind = column_kind(canonical) if canonical else None
    if kind is None and column:
        kind = sensitive_kind(table, column)
    quoted = [value] if kind is not None and value else []
    out = []
    for i, cell in enumerate(row):
        role = roles[i] if i < len(roles) else None
        if role == "value" and kind is not None:
            out.append(mask_value(cell))
        elif role in ("row", "severity", "code", "column", "field"):
            out.append(cell)
        else:
            out.append(mask_quoted(cell, quoted))
    return out


def masked_csv(path: Path, table: str | None, *, full: bool = False) -> bytes:
    """The rejects file as a download: masked (unless ``full``), every cell written as text
    (``vn.cells``), with a byte-order mark for Excel."""
    data = read_masked(path, table, full=full)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_row(data.header))
    for row in data.rows:
        writer.writerow(csv_row(row))
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def vietnamese_view(data: RejectsTable) -> tuple[list[str], list[list[str]]]:
    """The table a page shows: Vietnamese only — the Vietnamese half of bilingual headers and
    severities, without the English reason and the error code."""
    keep = []
    header = []
    for i, h in enumerate(data.header):
        role = _role_of(h)
        if role in ("reason_en", "code", "field"):
            continue
        keep.append(i)
        header.append(h.split(" / ")[0])
    rows = [
        [
            (row[i].split(" / ")[0] if _role_of(data.header[i]) == "severity" else row[i])
            for i in keep
            if i < len(row)
        ]
        for row in data.rows
    ]
    return header, rows
