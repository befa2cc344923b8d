"""The marts a document reads, checked to come from one computation.

A document is made from one imported state, one reference date and one rule version: the
``coverage_by_unit`` mart sets them, and every other mart a document reads must carry the
same stamp (the same reference date for the dated ones), or the document is refused with
the command that brings the marts in step.  Optional marts (the campaign, BHYT spending)
that are absent or from another computation are left out and the document says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ibis.expr.types import Table

from baophu.backends import MartEntry, Store
from baophu.reports.documents.model import DocStamp, DocumentError

BASE_MART = "coverage_by_unit"
# Marts computed for no particular date (their stamp's date is the day they were computed).
UNDATED = frozenset(
    {
        "unit_ancestors",
        "linked_spells",
        "person_links",
        "enrolment_links",
        "enrolment_link_review",
        "enrolment_other_ids",
    }
)


class MartSet:
    """The marts of one computation: ``read(name)`` (refused when out of step),
    ``optional(name)`` (None then)."""

    def __init__(self, store: Store, reference_date: dt.date | None = None) -> None:
        self.store = store
        base = store.mart_entry(BASE_MART)
        if base is None:
            raise DocumentError(
                "Chưa tính tỷ lệ bao phủ: chạy `baophu run -w WS` trước khi lập báo cáo / "
                "coverage was never computed: run `baophu run -w WS` before making a report"
            )
        if reference_date is not None and base.reference_day != reference_date:
            raise DocumentError(
                f"Số liệu đang tính cho ngày {base.reference_day:%d/%m/%Y}; chạy `baophu run "
                f"-w WS --date {reference_date.isoformat()}` để lập báo cáo ngày "
                f"{reference_date:%d/%m/%Y} / the marts were computed for "
                f"{base.reference_date}; run `baophu run -w WS --date "
                f"{reference_date.isoformat()}` first"
            )
        if base.state_id != store.state_id():
            raise DocumentError(
                "Dữ liệu đã nhập thay đổi sau lần tính gần nhất: chạy `baophu run -w WS` trước "
                "khi lập báo cáo / the imported data changed since the marts were computed: "
                "run `baophu run -w WS` first"
            )
        self.base = base
        self.day = base.reference_day
        self._entries = {m["mart"]: m for m in store.marts()}
        self._units: dict[str | None, dict[str, Any]] = {}
        self.stamp = DocStamp(base.state_id, base.reference_day, base.rule_version)

    def _in_step(self, entry: MartEntry | None) -> str | None:
        """Why ``entry`` is not of this computation (None when it is)."""
        if entry is None:
            return "chưa tính / not computed"
        if entry.state_id != self.base.state_id:
            return "tính từ dữ liệu nhập khác / from other imported data"
        if entry.rule_version != self.base.rule_version:
            return f"quy định khác / other rules ({entry.rule_version})"
        if entry.mart not in UNDATED and entry.reference_date != self.base.reference_date:
            return f"tính cho ngày khác / for another date ({entry.reference_date})"
        return None

    def entry(self, name: str) -> MartEntry | None:
        m = self._entries.get(name)
        if m is None:
            return None
        return MartEntry.of(m)

    def read(self, name: str) -> Table:
        why = self._in_step(self.entry(name))
        if why is not None:
            raise DocumentError(
                f"Bảng {name}: {why}; chạy `baophu run -w WS` để tính lại / mart {name}: "
                f"{why}; run `baophu run -w WS`"
            )
        return self.store.read_mart(name)

    def optional(self, name: str, same_date: bool = True) -> Table | None:
        entry = self.entry(name)
        if entry is None:
            return None
        if not same_date and entry.state_id == self.base.state_id:
            return self.store.read_mart(name)
        return None if self._in_step(entry) is not None else self.store.read_mart(name)

    def rows(self, table: Table) -> list[dict[str, Any]]:
        return table.to_pyarrow().to_pylist()

    def unit(self, code: str | None) -> dict[str, Any]:
        """The ``coverage_by_unit`` row of ``code`` (default: the province)."""
        if code in self._units:
            return self._units[code]
        t = self.read(BASE_MART)
        t = t.filter(t.level == "province") if code is None else t.filter(t.unit_code == code)
        found = self.rows(t.limit(1))
        if not found:
            raise DocumentError(
                f"Không có đơn vị {code} / no unit {code}"
                if code
                else "Không có cấp tỉnh / no province row in coverage_by_unit"
            )
        self._units[code] = found[0]
        return found[0]
