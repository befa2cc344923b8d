"""Voluntary social insurance (BHXH tự nguyện): gross contribution, state subsidy, amount payable.

Owns the monthly arithmetic for one participant:

* the chosen monthly income must lie between the rural poverty line
  (``poverty_line_rural``, 1,500,000) and ``voluntary.max_multiple`` × ``reference_level``
  (46,800,000); outside that range a ``RulesInputError`` says which bound was crossed;
* gross = ``voluntary.rate`` (22 %) × income;
* subsidy = share × 22 % × **rural poverty line** — on the poverty line, never on the
  chosen income; shares by group (``voluntary.subsidy.<group>``): from 2025-07-01 (Decree
  159/2025) poor 50 %, near-poor 40 %, ethnic minority 30 %, other 20 %; before that
  (Decree 134/2015) poor 30 %, near-poor 25 %, other 10 %;
* payable = gross − subsidy.

Before 2025-07-01 there was no separate ethnic-minority group: an ethnic-minority participant
who was not poor or near-poor received the share for everyone else.  The parameter file says
so with a dated ``voluntary.subsidy.ethnic_minority`` entry of 10 %, and the result carries a
note.  The subsidy stops after ``voluntary.subsidy_max_months`` (120) months of actual
participation; counting those months is the caller's job (``months_subsidised``).

Rounding (as stated in ``parameters.toml``): gross and subsidy are each rounded half-up to the
whole dong; payable is their difference.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from baophu.rules.errors import RulesInputError
from baophu.rules.money import check_amount, dec, round_vnd
from baophu.rules.parameters import Rules, as_date, resolve
from baophu.vn.formats import money
from baophu.vn.text import fold

GROUPS = ("poor", "near_poor", "ethnic_minority", "other")

GROUP_LABELS_VI = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "ethnic_minority": "Người dân tộc thiểu số",
    "other": "Đối tượng khác",
}

_GROUP_ALIASES = {
    "poor": "poor",
    "ngheo": "poor",
    "ho ngheo": "poor",
    "near poor": "near_poor",
    "can ngheo": "near_poor",
    "ho can ngheo": "near_poor",
    "ethnic minority": "ethnic_minority",
    "ethnic": "ethnic_minority",
    "dan toc thieu so": "ethnic_minority",
    "dtts": "ethnic_minority",
    "other": "other",
    "others": "other",
    "khac": "other",
    "doi tuong khac": "other",
}

_DECREE_159_FROM = date(2025, 7, 1)


def normalize_group(group: str) -> str:
    """``poor`` / ``near_poor`` / ``ethnic_minority`` / ``other`` from English or Vietnamese."""
    canonical = _GROUP_ALIASES.get(fold(group)) if isinstance(group, str) else None
    if canonical is None:
        raise RulesInputError(
            f"Nhóm đối tượng không hợp lệ: {group!r}; chọn một trong {', '.join(GROUPS)} "
            "(hoặc: nghèo, cận nghèo, dân tộc thiểu số, khác)",
            f"unknown group {group!r}; choose one of {', '.join(GROUPS)}",
        )
    return canonical


def income_bounds(on: date | datetime | str, rules: Rules | None = None) -> tuple[int, int]:
    """The lowest and highest monthly income a voluntary participant may choose on ``on``."""
    r = resolve(rules)
    day = as_date(on)
    low = int(r.value("poverty_line_rural", day))
    high = int(r.value("voluntary.max_multiple", day)) * int(r.value("reference_level", day))
    return low, high


def voluntary_bhxh(
    income: int,
    group: str,
    on: date | datetime | str,
    *,
    months_subsidised: int = 0,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """The monthly voluntary BHXH contribution on the chosen ``income`` for ``group`` on ``on``.

    ``months_subsidised`` is how many months the participant has already been subsidised;
    once it reaches ``voluntary.subsidy_max_months`` the subsidy is 0.

    Returns ``{"income", "group", "date", "rate", "subsidy_share", "poverty_line",
    "min_income", "max_income", "gross", "subsidy", "payable", "subsidy_max_months",
    "notes", "rule_version", "sources"}``.
    """
    r = resolve(rules)
    day = as_date(on)
    income = check_amount(income, "Thu nhập lựa chọn", "chosen income")
    canonical = normalize_group(group)
    months_subsidised = check_amount(
        months_subsidised, "Số tháng đã được hỗ trợ", "months already subsidised"
    )
    low, high = income_bounds(day, r)
    if income < low:
        raise RulesInputError(
            f"Thu nhập {money(income)} thấp hơn mức tối thiểu {money(low)} "
            "(chuẩn hộ nghèo khu vực nông thôn)",
            f"income {income} is below the minimum {low} (rural poverty line)",
        )
    if income > high:
        raise RulesInputError(
            f"Thu nhập {money(income)} cao hơn mức tối đa {money(high)} (20 lần mức tham chiếu)",
            f"income {income} is above the maximum {high} (20 × reference level)",
        )

    share_key = f"voluntary.subsidy.{canonical}"
    rate = float(r.value("voluntary.rate", day))
    share = float(r.value(share_key, day))
    max_months = int(r.value("voluntary.subsidy_max_months", day))
    notes: list[str] = []
    if months_subsidised >= max_months:
        share_applied = 0.0
        notes.append(
            f"Đã hưởng hỗ trợ đủ {max_months} tháng, không còn được hỗ trợ / "
            f"already subsidised for {max_months} months: no further subsidy"
        )
    else:
        share_applied = share
    if canonical == "ethnic_minority" and day < _DECREE_159_FROM:
        notes.append(
            "Trước 01/07/2025 không có nhóm dân tộc thiểu số riêng: áp dụng mức hỗ trợ của "
            "đối tượng khác (10%) / before 2025-07-01 there was no separate ethnic-minority "
            "group: the 'other' share (10%) applies"
        )

    gross = round_vnd(dec(income) * dec(rate))
    subsidy = round_vnd(dec(share_applied) * dec(rate) * dec(low))
    keys = [
        "voluntary.rate",
        share_key,
        "poverty_line_rural",
        "voluntary.max_multiple",
        "reference_level",
        "voluntary.subsidy_max_months",
    ]
    return {
        "income": income,
        "group": canonical,
        "group_vi": GROUP_LABELS_VI[canonical],
        "date": day.isoformat(),
        "rate": rate,
        "subsidy_share": share_applied,
        "poverty_line": low,
        "min_income": low,
        "max_income": high,
        "gross": gross,
        "subsidy": subsidy,
        "payable": gross - subsidy,
        "subsidy_max_months": max_months,
        "notes": notes,
        "rule_version": r.version,
        "sources": r.sources_for(keys, day),
    }
