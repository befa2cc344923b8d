"""The short text of a report, generated from its figures: better or worse than last month,
on or off the pace needed to reach the year's target, arrears against their ceiling.

Every sentence states a comparison the figures make and quotes them; nothing is said that a
figure does not show, and a figure that is missing yields no sentence (never a guess).  The
functions take plain numbers, so the text is tested on hand-built cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from baophu.reports.documents.fmt import num, pct, points

# A change smaller than this (a fraction: 0.005 percentage points) reads as "unchanged".
STEADY = 0.00005


@dataclass(frozen=True)
class IndicatorFigures:
    """One indicator of a unit: its rate and people now and at the previous month-end, and
    its standing against the year's target (from ``achievement_by_unit``)."""

    name_vi: str
    rate: float | None = None
    rate_last_month: float | None = None
    achieved: int | None = None
    achieved_last_month: int | None = None
    target_people: int | None = None
    gap: int | None = None  # people still needed for the year's target (<= 0: reached)
    behind_plan: int | None = None  # people behind the plan to date (< 0: ahead of it)
    needed_per_week: int | None = None


@dataclass(frozen=True)
class ArrearsFigures:
    """Arrears of a unit now and at the previous month-end."""

    ratio: float | None
    ratio_last_month: float | None
    ceiling: float | None  # None where no ceiling was set for the period (before 2025)
    late_3plus: int | None
    late_3plus_last_month: int | None


def month_change(f: IndicatorFigures) -> str | None:
    """ "tăng 0,31 điểm phần trăm so với tháng trước (từ 93,10% lên 93,41%), thêm 1.234
    người" — or "giảm …", "không đổi …"; None without last month's rate."""
    if f.rate is None or f.rate_last_month is None:
        return _people_change(f)
    delta = f.rate - f.rate_last_month
    people = ""
    if f.achieved is not None and f.achieved_last_month is not None:
        diff = f.achieved - f.achieved_last_month
        if diff > 0:
            people = f", thêm {num(diff)} người"
        elif diff < 0:
            people = f", ít hơn {num(-diff)} người"
    if abs(delta) < STEADY:
        return f"không đổi so với tháng trước ({pct(f.rate)}){people}"
    verb = "tăng" if delta > 0 else "giảm"
    return (
        f"{verb} {points(delta)} điểm phần trăm so với tháng trước "
        f"(từ {pct(f.rate_last_month)} {'lên' if delta > 0 else 'xuống'} {pct(f.rate)}){people}"
    )


def _people_change(f: IndicatorFigures) -> str | None:
    """ "tăng 120 người so với tháng trước (từ 11.020 lên 11.140)" for an indicator counted
    in people; None without last month's figure."""
    if f.achieved is None or f.achieved_last_month is None:
        return None
    diff = f.achieved - f.achieved_last_month
    if diff == 0:
        return f"không đổi so với tháng trước ({num(f.achieved)} người)"
    verb, way = ("tăng", "lên") if diff > 0 else ("giảm", "xuống")
    return (
        f"{verb} {num(abs(diff))} người so với tháng trước "
        f"(từ {num(f.achieved_last_month)} {way} {num(f.achieved)})"
    )


def pace(f: IndicatorFigures) -> str | None:
    """Where the indicator stands against the year's target and the plan to date; None
    without a target."""
    if f.gap is None:
        return None
    if f.gap <= 0:
        reached = f" ({num(f.achieved)}/{num(f.target_people)} người)" if f.achieved else ""
        return f"đã đạt chỉ tiêu năm{reached}"
    if f.behind_plan is None:
        return f"còn thiếu {num(f.gap)} người để đạt chỉ tiêu năm"
    week = (
        f", bình quân {num(f.needed_per_week)} người mỗi tuần"
        if f.needed_per_week is not None
        else ""
    )
    if f.behind_plan > 0:
        return (
            f"chậm tiến độ: thấp hơn kế hoạch đến nay {num(f.behind_plan)} người; "
            f"còn thiếu {num(f.gap)} người để đạt chỉ tiêu năm{week}"
        )
    ahead = f" (vượt kế hoạch đến nay {num(-f.behind_plan)} người)" if f.behind_plan < 0 else ""
    return f"đúng tiến độ{ahead}; còn {num(f.gap)} người để đạt chỉ tiêu năm{week}"


def indicator_sentence(f: IndicatorFigures) -> str | None:
    """ "Tỷ lệ bao phủ BHYT: tăng …; chậm tiến độ: …." (None when nothing can be said)."""
    parts = [p for p in (month_change(f), pace(f)) if p]
    if not parts:
        return None
    return f"{f.name_vi}: {'; '.join(parts)}."


def arrears_sentence(a: ArrearsFigures) -> str | None:
    """The arrears ratio against the ceiling and last month, and the employers late 3+
    months against last month (seed 004: their number must not grow)."""
    parts: list[str] = []
    if a.ratio is not None:
        text = f"Tỷ lệ chậm đóng {pct(a.ratio)}"
        if a.ceiling is not None:
            side = "vượt" if a.ratio > a.ceiling else "dưới"
            text += f", {side} mức trần {pct(a.ceiling)}"
        if a.ratio_last_month is not None:
            delta = a.ratio - a.ratio_last_month
            if abs(delta) < STEADY:
                text += " và không đổi so với tháng trước"
            else:
                verb = "tăng" if delta > 0 else "giảm"
                text += (
                    f"; {verb} {points(delta)} điểm phần trăm so với tháng trước "
                    f"({pct(a.ratio_last_month)})"
                )
        parts.append(text)
    if a.late_3plus is not None:
        text = f"{num(a.late_3plus)} đơn vị chậm đóng từ 3 tháng trở lên"
        if a.late_3plus_last_month is not None:
            diff = a.late_3plus - a.late_3plus_last_month
            if diff > 0:
                text += f", tăng {num(diff)} đơn vị so với tháng trước (cần ngăn phát sinh tăng)"
            elif diff < 0:
                text += f", giảm {num(-diff)} đơn vị so với tháng trước"
            else:
                text += ", không tăng so với tháng trước"
        parts.append(text)
    return "; ".join(parts) + "." if parts else None


def on_pace(f: IndicatorFigures) -> bool:
    """The year's target reached, or the plan to date met."""
    if f.gap is None:
        return False
    return f.gap <= 0 or (f.behind_plan is not None and f.behind_plan <= 0)


def overall_sentence(indicators: list[IndicatorFigures]) -> str | None:
    """How many indicators are on pace and how many improved on last month."""
    paced = [f for f in indicators if f.gap is not None and f.behind_plan is not None]
    deltas: list[float] = []
    for f in indicators:
        if f.rate is not None and f.rate_last_month is not None:
            deltas.append(f.rate - f.rate_last_month)
        elif f.achieved is not None and f.achieved_last_month is not None:
            deltas.append(float(f.achieved - f.achieved_last_month))
    parts: list[str] = []
    if paced:
        on = sum(1 for f in paced if on_pace(f))
        parts.append(f"{on}/{len(paced)} chỉ tiêu đạt hoặc đúng tiến độ")
    if deltas:
        up = sum(1 for d in deltas if d >= STEADY)
        down = sum(1 for d in deltas if d <= -STEADY)
        parts.append(f"{up} chỉ tiêu tăng, {down} chỉ tiêu giảm so với tháng trước")
    return ("Tổng quát: " + "; ".join(parts) + ".") if parts else None


def lowest_sentence(names: list[str], level_vi: str) -> str | None:
    """The units called to report at the meeting (seed 004 §3.1(2)(iii))."""
    if not names:
        return None
    return (
        f"Đề nghị {len(names)} {level_vi} đạt thấp nhất báo cáo, giải trình tại cuộc họp: "
        f"{', '.join(names)}."
    )


def summary(
    indicators: list[IndicatorFigures],
    arrears: ArrearsFigures | None,
    lowest: list[str],
    level_vi: str,
) -> list[str]:
    """The paragraphs of the report's short text, in order."""
    out = [s for s in (indicator_sentence(f) for f in indicators) if s]
    for extra in (
        overall_sentence(indicators),
        arrears_sentence(arrears) if arrears else None,
        lowest_sentence(lowest, level_vi),
    ):
        if extra:
            out.append(extra)
    return out


def units_reached_sentence(reached: int, total: int, level_vi: str, indicator_vi: str) -> str:
    """ "12/14 BHXH cơ sở đạt chỉ tiêu Tỷ lệ bao phủ BHYT; 2 đơn vị chưa đạt.\""""
    rest = total - reached
    tail = f"; {rest} đơn vị chưa đạt" if rest else "; tất cả đều đạt"
    return f"{reached}/{total} {level_vi} đạt chỉ tiêu {indicator_vi.lower()}{tail}."
