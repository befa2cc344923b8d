"""The rejects file: every rejected row and every warning of one import, with file, row,
column, value and the reason in Vietnamese and English.  Written as CSV with a byte-order mark
so that Excel opens it with the Vietnamese text intact."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

HEADERS = [
    "Tệp / File",
    "Dòng / Row",
    "Cột / Column",
    "Giá trị / Value",
    "Mức độ / Severity",
    "Mã lỗi / Code",
    "Lý do",
    "Reason",
]


def write_rejects(issues: pa.Table, source_file: Path, out: Path) -> Path:
    n = issues.num_rows
    severity = [
        "loại bỏ / rejected" if s == "reject" else "cảnh báo / warning"
        for s in issues.column("severity").to_pylist()
    ]
    table = pa.table(
        [
            pa.array([source_file.name] * n, pa.string()),
            issues.column("row"),
            issues.column("column"),
            issues.column("value"),
            pa.array(severity, pa.string()),
            issues.column("reason_code"),
            issues.column("reason_vi"),
            issues.column("reason_en"),
        ],
        names=HEADERS,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        pacsv.write_csv(table, fh)
    return out
