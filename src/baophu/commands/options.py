"""The options several ``baophu`` commands share, as Typer annotations: ``--json``,
``--workspace``, ``--date`` and ``--out``, with one bilingual help text each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON / print JSON")]
WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Thư mục không gian làm việc / workspace folder")
]

DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Ngày số liệu (YYYY-MM-DD); mặc định cuối tháng sổ thu mới nhất / reference date "
        "(default: the end of the latest contribution month)",
    ),
]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Thư mục ghi kết quả / output folder")]
