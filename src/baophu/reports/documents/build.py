"""Make a set of reports: read the marts once (``MartSet``), build each document, render it
to Word and convert them all to PDF in one LibreOffice call."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from baophu.backends import Store
from baophu.reports.documents import pdf
from baophu.reports.documents.model import Document, DocumentError
from baophu.reports.documents.monthly import build_monthly
from baophu.reports.documents.quarterly import build_finance, build_health, build_inspection
from baophu.reports.documents.render import render
from baophu.reports.documents.sources import MartSet
from baophu.reports.documents.year_end import build_year_end

Builder = Callable[[MartSet, str | None, Path, dt.date | None], Document]

KINDS: dict[str, Builder] = {
    "monthly": build_monthly,
    "year_end": build_year_end,
    "finance": build_finance,
    "health": build_health,
    "inspection": build_inspection,
}
KIND_VI = {
    "monthly": "Báo cáo tháng gửi Ban Chỉ đạo",
    "year_end": "Báo cáo năm gửi UBND tỉnh",
    "finance": "Báo cáo quý gửi Sở Tài chính",
    "health": "Báo cáo quý gửi Sở Y tế",
    "inspection": "Danh sách đề nghị thanh tra, kiểm tra",
}
# Kinds made for the whole province only (their figures have no unit below it).
PROVINCE_ONLY = frozenset({"year_end", "finance", "health"})


@dataclass
class ReportFile:
    kind: str
    unit_code: str
    docx: Path
    pdf: Path | None
    stamp: dict[str, str]
    document: Document

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "unit_code": self.unit_code,
            "docx": str(self.docx),
            "pdf": str(self.pdf) if self.pdf else None,
            **self.stamp,
        }


def make_reports(
    store: Store,
    kinds: Sequence[str],
    out_dir: Path,
    unit_code: str | None = None,
    reference_date: dt.date | None = None,
    with_pdf: bool = True,
    template_dir: Path | None = None,
    issued: dt.date | None = None,
) -> list[ReportFile]:
    """Write the reports of ``kinds`` for ``unit_code`` (default: the province) as .docx
    (and .pdf) into ``out_dir``; refused when the marts are not of one computation for
    ``reference_date``."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise DocumentError(
            f"Không có loại báo cáo {', '.join(unknown)}; có: {', '.join(KINDS)} / unknown "
            f"report kind {', '.join(unknown)}; kinds: {', '.join(KINDS)}"
        )
    marts = MartSet(store, reference_date)
    province = marts.unit(None)
    if unit_code is not None and unit_code != province["unit_code"]:
        only = [k for k in kinds if k in PROVINCE_ONLY]
        if only:
            raise DocumentError(
                f"Báo cáo {', '.join(only)} chỉ lập cho cấp tỉnh / the {', '.join(only)} "
                "reports are made for the province only"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[ReportFile] = []
    with tempfile.TemporaryDirectory(prefix="baophu-charts-") as work:
        for kind in kinds:
            doc = KINDS[kind](marts, unit_code, Path(work), issued)
            path = render(doc, out_dir / f"{doc.file_stem()}.docx", template_dir)
            files.append(ReportFile(kind, doc.unit_code, path, None, doc.stamp.as_dict(), doc))
    if with_pdf and files:
        for f, p in zip(files, pdf.to_pdf([f.docx for f in files], out_dir), strict=True):
            f.pdf = p
    return files
