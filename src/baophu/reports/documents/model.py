"""What a document is before it is rendered: its kind, the administrative frame (issuing
body, number and symbol, place and date, title), its stamp, its text, tables and charts.

The builders (``monthly``, ``year_end``, ``quarterly``) fill a ``Document`` from the marts;
``render`` puts it into the kind's template.  Table cells are text as printed, so a test can
compare a document's tables with the marts cell by cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class DocumentError(Exception):
    """A report cannot be made (message in Vietnamese and English)."""


@dataclass(frozen=True)
class DocStamp:
    """What the figures were computed from (printed at the foot of every document)."""

    state_id: str
    reference_date: dt.date
    rule_version: str

    def line(self) -> str:
        return (
            f"Số liệu tính đến ngày {self.reference_date:%d/%m/%Y} từ trạng thái dữ liệu nhập "
            f"{self.state_id}, phiên bản quy định {self.rule_version}."
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "state_id": self.state_id,
            "reference_date": self.reference_date.isoformat(),
            "rule_version": self.rule_version,
        }


@dataclass
class DocTable:
    """A table as printed: headers, relative column widths, rows of text; ``bold_rows`` are
    totals."""

    headers: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)
    empty_text: str = "Không có số liệu."


@dataclass
class Frame:
    """The administrative frame of Decree 30/2020/NĐ-CP."""

    parent_body: str  # the line above the issuing body ("BẢO HIỂM XÃ HỘI VIỆT NAM")
    issuing_body: str  # "BẢO HIỂM XÃ HỘI TỈNH ĐỒNG NAI"
    symbol: str  # "BC-BHXH": printed "Số:      /BC-BHXH" (the number is given when issued)
    place: str  # "Đồng Nai"
    issued: dt.date
    title: str  # "BÁO CÁO"
    subtitle: str  # "Kết quả thực hiện chỉ tiêu BHXH, BHYT tháng 10 năm 2026"
    signer_authority: str = "KT. GIÁM ĐỐC"
    signer_title: str = "PHÓ GIÁM ĐỐC"
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận", without "Lưu: VT"


@dataclass
class Document:
    kind: str
    unit_code: str
    unit_name: str
    frame: Frame
    stamp: DocStamp
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    tables: dict[str, DocTable] = field(default_factory=dict)
    charts: dict[str, Path] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # scalars the template prints

    def file_stem(self) -> str:
        return f"{self.kind}-{self.unit_code}-{self.stamp.reference_date.isoformat()}"
