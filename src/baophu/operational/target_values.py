"""Checking a target set by hand before it is stored: what people type, read the way they
write it, and refused when it cannot be a target.

The web form and ``baophu targets set`` both call ``validated_target``; the message of a
refusal is Vietnamese and English (``TargetValueError.vi`` is the Vietnamese half for a web
page).

* Values: a rate as ``96%``, ``96,5%``, ``96`` (a bare number above 1 is a percentage) or a
  fraction ``0,96`` / ``0.96``; a number of people as ``1.115.590``, ``1,115,590`` or
  ``1115590``.  ASCII digits only: ``١`` (Arabic-Indic one), ``²``, ``1e3``, ``NaN``,
  ``inf`` are refused, as is anything negative or zero.
* A rate lies in (0, 100 %]; a number of people is whole and at most the unit's bound.
* An official denominator is a whole number of people above zero and at most the bound.
* The bound of a unit is the largest of its population, the indicator's current denominator
  (the labour force, the people required to participate — counted at the workplace, so an
  industrial ward may have more than its residents) and what it has already achieved: a
  target of 1.000.000 people for a hamlet of 40 is a typing mistake, never a target.  Units
  without coverage figures (agents, officers) have no bound.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from baophu.vn import formats

_GROUPED = re.compile(r"[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*")
_PLAIN = re.compile(r"[0-9]{1,15}")
_DECIMAL = re.compile(r"[0-9]{1,15}(?:[.,][0-9]{1,9})?")


class TargetValueError(ValueError):
    """A target value or denominator that cannot be stored."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi = vi
        self.en = en


@dataclass(frozen=True)
class UnitFigures:
    """What a unit has, for the bound on its targets (None: not known)."""

    population: int | None = None
    denominator: int | None = None
    achieved: int | None = None

    @property
    def bound(self) -> int | None:
        known = [
            int(v) for v in (self.population, self.denominator, self.achieved) if v is not None
        ]
        return max(known) if known else None


def figures_from_row(row: dict[str, Any] | None, numerator: str, denominator: str) -> UnitFigures:
    """``UnitFigures`` from a ``coverage_by_unit`` row and the indicator's columns."""
    if not row:
        return UnitFigures()

    def whole(key: str) -> int | None:
        value = row.get(key)
        return None if value is None else int(value)

    return UnitFigures(whole("population"), whole(denominator), whole(numerator))


def _clean(text: str) -> str:
    return text.strip().replace(" ", "").replace("\u00a0", "")


def parse_people(text: str, what_vi: str = "Giá trị", what_en: str = "value") -> int:
    """A whole number of people: ``1.115.590``, ``1,115,590`` or ``1115590``."""
    raw = _clean(text)
    if _GROUPED.fullmatch(raw):
        raw = raw.replace(".", "").replace(",", "")
    if raw.startswith(("-", "−")):
        raise TargetValueError(
            f"{what_vi} không được âm: {text}", f"{what_en} must not be negative: {text}"
        )
    if not _PLAIN.fullmatch(raw):
        raise TargetValueError(
            f"{what_vi} phải là số người viết bằng chữ số 0–9 (ví dụ 1.115.590): {text}",
            f"{what_en} must be a whole number of people in digits 0-9: {text}",
        )
    return int(raw)


def parse_target_value(text: str, is_rate: bool) -> float:
    """The value typed for a target: a fraction for a rate indicator, people otherwise."""
    if text is None or not str(text).strip():
        raise TargetValueError("Chưa nhập giá trị chỉ tiêu", "no target value")
    raw = _clean(str(text))
    if not is_rate:
        return float(parse_people(raw))
    percent = raw.endswith("%")
    raw = raw[:-1] if percent else raw
    if raw.startswith(("-", "−")):
        raise TargetValueError(
            f"Tỷ lệ không được âm: {text}", f"a rate must not be negative: {text}"
        )
    if not _DECIMAL.fullmatch(raw):
        raise TargetValueError(
            f"Tỷ lệ phải viết bằng chữ số 0–9, ví dụ 96% hoặc 0,96: {text}",
            f"a rate must be written in digits 0-9, e.g. 96% or 0.96: {text}",
        )
    value = float(raw.replace(",", "."))
    if percent or value > 1:
        value /= 100
    return value


def check_target_value(
    value: float,
    *,
    is_rate: bool,
    denominator: int | None,
    figures: UnitFigures,
    unit_code: str = "",
) -> None:
    """Refuse a value (``parse_target_value``'s) or denominator that cannot be a target."""
    if not math.isfinite(value):
        raise TargetValueError("Giá trị phải là một số hữu hạn", "the value must be finite")
    if value <= 0:
        raise TargetValueError("Chỉ tiêu phải lớn hơn 0", "a target must be greater than zero")
    bound = figures.bound
    where_vi = f" của {unit_code}" if unit_code else ""
    if is_rate:
        if value > 1:
            raise TargetValueError("Tỷ lệ không được vượt quá 100%", "a rate must not exceed 100%")
    else:
        if value != int(value):
            raise TargetValueError(
                "Chỉ tiêu số người phải là số nguyên", "a number of people must be whole"
            )
        if bound is not None and value > bound:
            raise TargetValueError(
                f"Chỉ tiêu {formats.number(value)} người vượt quá dân số{where_vi} "
                f"({formats.number(bound)} người)",
                f"a target of {int(value):,} people exceeds the unit's population ({bound:,})",
            )
    if denominator is not None:
        if denominator <= 0:
            raise TargetValueError(
                "Mẫu số phải lớn hơn 0", "the denominator must be greater than zero"
            )
        if bound is not None and denominator > bound:
            raise TargetValueError(
                f"Mẫu số {formats.number(denominator)} vượt quá dân số{where_vi} "
                f"({formats.number(bound)} người)",
                f"the denominator {denominator:,} exceeds the unit's population ({bound:,})",
            )


def validated_target(
    value_text: str,
    *,
    is_rate: bool,
    denominator: str | int | None,
    figures: UnitFigures,
    unit_code: str = "",
) -> tuple[float, int | None]:
    """Parse and check what a person typed: (target value, denominator or None)."""
    value = parse_target_value(value_text, is_rate)
    den: int | None
    if denominator is None or (isinstance(denominator, str) and not denominator.strip()):
        den = None
    elif isinstance(denominator, int):
        den = denominator
    else:
        den = parse_people(denominator, "Mẫu số", "the denominator")
    check_target_value(
        value, is_rate=is_rate, denominator=den, figures=figures, unit_code=unit_code
    )
    return value, den
