"""The report's short text on hand-built figures: improving, worsening, unchanged; on pace,
off pace, reached; arrears under and over the ceiling; late employers up and down.  Every
expected sentence is written out by hand from the figures given."""

from __future__ import annotations

from baophu.reports.documents.narrative import (
    ArrearsFigures,
    IndicatorFigures,
    arrears_sentence,
    indicator_sentence,
    lowest_sentence,
    month_change,
    overall_sentence,
    pace,
    summary,
)


def test_improving_rate_on_pace() -> None:
    f = IndicatorFigures(
        name_vi="Tỷ lệ bao phủ BHYT",
        rate=0.9341,
        rate_last_month=0.9310,
        achieved=41_795,
        achieved_last_month=40_561,
        target_people=42_736,
        gap=941,
        behind_plan=-57,
        needed_per_week=108,
    )
    assert month_change(f) == (
        "tăng 0,31 điểm phần trăm so với tháng trước (từ 93,10% lên 93,41%), thêm 1.234 người"
    )
    assert pace(f) == (
        "đúng tiến độ (vượt kế hoạch đến nay 57 người); còn 941 người để đạt chỉ tiêu năm, "
        "bình quân 108 người mỗi tuần"
    )
    assert indicator_sentence(f) == (
        "Tỷ lệ bao phủ BHYT: tăng 0,31 điểm phần trăm so với tháng trước (từ 93,10% lên "
        "93,41%), thêm 1.234 người; đúng tiến độ (vượt kế hoạch đến nay 57 người); còn 941 "
        "người để đạt chỉ tiêu năm, bình quân 108 người mỗi tuần."
    )


def test_worsening_rate_off_pace() -> None:
    f = IndicatorFigures(
        name_vi="Tỷ lệ tham gia BHXH",
        rate=0.4012,
        rate_last_month=0.4050,
        achieved=11_000,
        achieved_last_month=11_100,
        target_people=12_000,
        gap=1_000,
        behind_plan=250,
        needed_per_week=115,
    )
    assert month_change(f) == (
        "giảm 0,38 điểm phần trăm so với tháng trước (từ 40,50% xuống 40,12%), ít hơn 100 người"
    )
    assert pace(f) == (
        "chậm tiến độ: thấp hơn kế hoạch đến nay 250 người; còn thiếu 1.000 người để đạt chỉ "
        "tiêu năm, bình quân 115 người mỗi tuần"
    )


def test_unchanged_and_people_counts() -> None:
    same = IndicatorFigures(
        name_vi="X", rate=0.5, rate_last_month=0.50004, achieved=10, achieved_last_month=10
    )
    assert month_change(same) == "không đổi so với tháng trước (50,00%)"
    people = IndicatorFigures(
        name_vi="Số người tham gia BHXH bắt buộc", achieved=11_140, achieved_last_month=11_048
    )
    assert month_change(people) == "tăng 92 người so với tháng trước (từ 11.048 lên 11.140)"
    fewer = IndicatorFigures(name_vi="Y", achieved=390, achieved_last_month=400)
    assert month_change(fewer) == "giảm 10 người so với tháng trước (từ 400 xuống 390)"


def test_reached_exactly_on_plan_and_no_figures() -> None:
    reached = IndicatorFigures(name_vi="Z", achieved=500, target_people=480, gap=0, behind_plan=-20)
    assert pace(reached) == "đã đạt chỉ tiêu năm (500/480 người)"
    exactly = IndicatorFigures(name_vi="Z", gap=10, behind_plan=0, needed_per_week=2)
    assert (
        pace(exactly)
        == "đúng tiến độ; còn 10 người để đạt chỉ tiêu năm, bình quân 2 người mỗi tuần"
    )
    nothing = IndicatorFigures(name_vi="Z")
    assert month_change(nothing) is None and pace(nothing) is None
    assert indicator_sentence(nothing) is None


def test_overall_counts() -> None:
    on = IndicatorFigures(name_vi="a", rate=0.9, rate_last_month=0.8, gap=5, behind_plan=-1)
    off = IndicatorFigures(name_vi="b", rate=0.7, rate_last_month=0.8, gap=5, behind_plan=3)
    done = IndicatorFigures(name_vi="c", achieved=5, achieved_last_month=5, gap=0, behind_plan=9)
    assert overall_sentence([on, off, done]) == (
        "Tổng quát: 2/3 chỉ tiêu đạt hoặc đúng tiến độ; 1 chỉ tiêu tăng, 1 chỉ tiêu giảm so "
        "với tháng trước."
    )


def test_arrears_above_ceiling_and_growing() -> None:
    a = ArrearsFigures(
        ratio=0.0301,
        ratio_last_month=0.0280,
        ceiling=0.0255,
        late_3plus=14,
        late_3plus_last_month=12,
    )
    assert arrears_sentence(a) == (
        "Tỷ lệ chậm đóng 3,01%, vượt mức trần 2,55%; tăng 0,21 điểm phần trăm so với tháng "
        "trước (2,80%); 14 đơn vị chậm đóng từ 3 tháng trở lên, tăng 2 đơn vị so với tháng "
        "trước (cần ngăn phát sinh tăng)."
    )


def test_arrears_under_ceiling_and_falling() -> None:
    a = ArrearsFigures(
        ratio=0.0200,
        ratio_last_month=0.0230,
        ceiling=0.0255,
        late_3plus=9,
        late_3plus_last_month=12,
    )
    assert arrears_sentence(a) == (
        "Tỷ lệ chậm đóng 2,00%, dưới mức trần 2,55%; giảm 0,30 điểm phần trăm so với tháng "
        "trước (2,30%); 9 đơn vị chậm đóng từ 3 tháng trở lên, giảm 3 đơn vị so với tháng trước."
    )
    steady = ArrearsFigures(0.02, 0.02, 0.0255, 9, 9)
    assert arrears_sentence(steady) == (
        "Tỷ lệ chậm đóng 2,00%, dưới mức trần 2,55% và không đổi so với tháng trước; 9 đơn vị "
        "chậm đóng từ 3 tháng trở lên, không tăng so với tháng trước."
    )


def test_summary_order_and_lowest() -> None:
    f = IndicatorFigures(name_vi="A", gap=0, achieved=3, target_people=3)
    assert lowest_sentence([], "xã, phường") is None
    text = summary([f], None, ["Xã Tân Tiến", "Xã Bù Đăng"], "xã, phường")
    assert text == [
        "A: đã đạt chỉ tiêu năm (3/3 người).",
        "Đề nghị 2 xã, phường đạt thấp nhất báo cáo, giải trình tại cuộc họp: Xã Tân Tiến, "
        "Xã Bù Đăng.",
    ]


def test_arrears_without_a_ceiling_for_the_period() -> None:
    """Before the 2.55 % ceiling was set (policy file, 2025) the sentence names no ceiling."""
    a = ArrearsFigures(0.031, None, None, None, None)
    assert arrears_sentence(a) == "Tỷ lệ chậm đóng 3,10%."


def test_achievement_cells_in_vietnamese_format() -> None:
    from baophu.reports.documents.monthly import achievement_cells

    row = {"target_people": 12500, "achieved": 11875.0, "achievement_ratio": 0.95, "gap": 625}
    assert achievement_cells(row) == ["12.500", "11.875", "95,00%", "625"]
    assert achievement_cells({**row, "achievement_ratio": None, "gap": None})[2:] == ["", ""]
