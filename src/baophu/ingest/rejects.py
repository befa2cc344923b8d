"""The rejects file: every rejected row and every warning of one import, with file, row,
column, value and the reason in Vietnamese and English, and the canonical name of the column
(``person_id``, ``phone``, …) so that a reader can mask it by meaning whatever its header.

Written as CSV with a byte-order mark so that Excel opens it with the Vietnamese text intact;
every text cell goes through ``vn.cells.text_cell`` so that a value such as ``=HYPERLINK(…)``
stays text.  ``read_rejects`` is the one way to read the file back (the web view and its
download use it); it returns the cells as written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from baophu.vn.cells import text_cell

HEADERS = [
    "Tệp / File",
    "Dòng / Row",
    "Cột / Column",
    "Giá trị / Value",
    "Mức độ / Severity",
    "Mã lỗi / Code",
    "Lý do",
    "Reason",
    "Trường / Field",
]
# Keys of the rows ``read_rejects`` yields, in the order of HEADERS.
FIELDS = (
    "file",
    "row",
    "column",
    "value",
    "severity",
    "code",
    "reason_vi",
    "reason_en",
    "field",
)


def _as_text_cells(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Every value through ``text_cell`` (each distinct value once)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values.cast(pa.string()))
    safe = pa.array([text_cell(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.take(safe, encoded.indices)


def _fields(columns: list[str | None], header_to_field: dict[str, str]) -> list[str]:
    """The canonical column of each issue's header ("" when it names none; several for a key
    of several columns)."""
    out = []
    for column in columns:
        if not column:
            out.append("")
        elif column in header_to_field:
            out.append(header_to_field[column])
        else:
            parts = [header_to_field.get(p) for p in column.split(", ")]
            out.append(", ".join(p for p in parts if p) if all(parts) else "")
    return out


def write_rejects(
    issues: pa.Table,
    source_file: Path,
    out: Path,
    header_to_field: dict[str, str] | None = None,
) -> Path:
    """Write ``issues`` (``validate.ISSUE_SCHEMA``) as the rejects file of ``source_file``;
    ``header_to_field`` maps a header as written in the file to its canonical column."""
    n = issues.num_rows
    severity = [
        "loại bỏ / rejected" if s == "reject" else "cảnh báo / warning"
        for s in issues.column("severity").to_pylist()
    ]
    fields = _fields(issues.column("column").to_pylist(), header_to_field or {})
    table = pa.table(
        [
            _as_text_cells(pa.array([source_file.name] * n, pa.string())),
            issues.column("row"),
            _as_text_cells(issues.column("column")),
            _as_text_cells(issues.column("value")),
            pa.array(severity, pa.string()),
            _as_text_cells(issues.column("reason_code")),
            _as_text_cells(issues.column("reason_vi")),
            _as_text_cells(issues.column("reason_en")),
            pa.array(fields, pa.string()),
        ],
        names=HEADERS,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        pacsv.write_csv(table, fh)
    return out


def read_rejects(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a rejects file as dicts keyed by ``FIELDS`` (cells as written; a file
    written before the ``field`` column existed gives "" for it)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            cells = row + [""] * (len(FIELDS) - len(row))
            yield dict(zip(FIELDS, cells[: len(FIELDS)], strict=True))
