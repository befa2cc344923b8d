"""The claim checks: each rule's code, its Vietnamese title and explanation, and its source
(legal or professional).  Texts that quote a figure render it from the rules in force."""

from __future__ import annotations

from dataclasses import dataclass

from baophu.contracts.case_kinds import CLAIM_RULES
from baophu.engine.claims.params import ClaimParams
from baophu.vn.formats import number


@dataclass(frozen=True)
class Rule:
    code: str
    title_vi: str
    explanation_vi: str
    source_vi: str


def fmt_number(value: float) -> str:
    return number(value, 0 if float(value).is_integer() else 1)


def rules(p: ClaimParams) -> tuple[Rule, ...]:
    """Every claim-level rule, in the order the review list names them."""
    hours = fmt_number(p.bed_min_hours)
    return (
        Rule(
            "dead_card",
            "Thẻ của người đã chết",
            "Lượt khám chữa bệnh ghi nhận sau ngày mất của chủ thẻ theo cơ sở dữ liệu dân cư.",
            "Luật BHYT 25/2008/QH12 (sửa đổi 46/2014/QH13) Điều 11 khoản 3: nghiêm cấm gian lận, "
            "giả mạo hồ sơ, thẻ BHYT (chưa đối chiếu văn bản)",
        ),
        Rule(
            "two_facilities_same_day",
            "Một thẻ khám ở hai cơ sở xa nhau cùng ngày",
            "Cùng một thẻ BHYT được khám tại hai cơ sở thuộc hai địa bàn BHXH cơ sở khác nhau "
            "trong cùng một ngày.",
            "Nghiệp vụ giám định (Hệ thống thông tin giám định BHYT): khám nhiều nơi trong ngày",
        ),
        Rule(
            "split_admission",
            "Tách đợt điều trị",
            f"Vào viện lại trong vòng {p.readmission_days} ngày sau khi ra viện, cùng cơ sở và "
            "cùng chẩn đoán chính: một đợt điều trị bị tách thành hai hồ sơ.",
            "Nghiệp vụ giám định (Hệ thống thông tin giám định BHYT): tách đợt điều trị",
        ),
        Rule(
            "long_stay",
            "Ngày điều trị kéo dài bất thường",
            f"Số ngày điều trị nội trú vượt {fmt_number(p.long_stay_factor)} lần số ngày bình "
            "quân của cùng chẩn đoán chính tại các cơ sở trong tỉnh.",
            "Nghiệp vụ giám định (Hệ thống thông tin giám định BHYT): kéo dài ngày điều trị",
        ),
        Rule(
            "duplicate_claim",
            "Đề nghị thanh toán trùng",
            "Cùng người bệnh, cùng cơ sở, cùng ngày, cùng các dịch vụ và thuốc được đề nghị "
            "thanh toán hai lần.",
            "Nghiệp vụ giám định (Hệ thống thông tin giám định BHYT): thanh toán trùng",
        ),
        Rule(
            "bed_on_outpatient",
            "Tính ngày giường không đúng",
            f"Có tiền giường trên lượt khám ngoại trú hoặc lượt điều trị dưới {hours} giờ.",
            p.bed_source,
        ),
        Rule(
            "outside_card_validity",
            "Khám chữa bệnh ngoài thời hạn giá trị của thẻ",
            "Ngày vào trước ngày thẻ có giá trị hoặc ngày ra sau ngày thẻ hết giá trị "
            "(thẻ hết hạn đúng ngày ra viện vẫn hợp lệ; thẻ cấp mới trong đợt điều trị được "
            "nối tiếp).",
            "Luật BHYT 25/2008/QH12 (sửa đổi 46/2014/QH13) Điều 16, 22: quỹ thanh toán trong thời "
            "hạn thẻ có giá trị sử dụng (chưa đối chiếu văn bản)",
        ),
        Rule(
            "price_above_tender",
            "Đơn giá cao hơn giá trúng thầu",
            "Đơn giá thuốc, vật tư hoặc dịch vụ đề nghị thanh toán cao hơn giá trúng thầu hoặc "
            "giá dịch vụ được duyệt có hiệu lực vào ngày y lệnh.",
            "Luật BHYT Điều 31 và quy định đấu thầu thuốc: quỹ thanh toán theo giá mua vào "
            "(giá trúng thầu) (chưa đối chiếu văn bản)",
        ),
    )


RULE_CODES = CLAIM_RULES

# facility, department and doctor signals (scores.py)
# The indicators' names as the web, the workbook and the reports show them.
INDICATOR_VI: dict[str, str] = {
    "inpatient_rate": "Tỷ lệ điều trị nội trú",
    "alos": "Ngày điều trị bình quân",
    "avg_cost": "Chi phí bình quân một lượt",
    "avg_cost_outpatient": "Chi phí bình quân ngoại trú",
    "avg_cost_inpatient": "Chi phí bình quân nội trú",
    "cost_lab": "Xét nghiệm / lượt",
    "cost_imaging": "Chẩn đoán hình ảnh / lượt",
    "cost_drugs": "Thuốc / lượt",
    "cost_surgery": "Phẫu thuật, thủ thuật / lượt",
    "cost_supplies": "Vật tư y tế / lượt",
    "cost_bed": "Ngày giường / lượt",
}


SIGNALS_VI: dict[str, str] = {
    "cost_growth": "Chi phí bình quân một lượt tăng cao hơn các cơ sở cùng tuyến",
    "inpatient_growth": "Tỷ lệ điều trị nội trú tăng cao hơn các cơ sở cùng tuyến",
    "drug_lines_per_visit": "Số thuốc trên một lượt khám cao hơn đồng nghiệp cùng khoa, cùng tuyến",
    "imaging_per_visit": "Chẩn đoán hình ảnh trên một lượt khám cao hơn đồng nghiệp cùng khoa",
    "doctor_outlier": "Có bác sĩ, khoa chỉ định bất thường so với đồng nghiệp",
}
FLAG_TITLES_VI: dict[str, str] = {
    "dead_card": "thẻ của người đã chết",
    "two_facilities_same_day": "một thẻ ở hai cơ sở cùng ngày",
    "split_admission": "tách đợt điều trị",
    "long_stay": "ngày điều trị kéo dài",
    "duplicate_claim": "thanh toán trùng",
    "bed_on_outpatient": "tính ngày giường không đúng",
    "outside_card_validity": "ngoài thời hạn thẻ",
    "price_above_tender": "giá cao hơn giá trúng thầu",
}
SIGNALS_VI.update(
    {f"flags_{r}": f"Nhiều hồ sơ bị cảnh báo hơn mức chung: {t}" for r, t in FLAG_TITLES_VI.items()}
)
