"""The BHYT spending tables: facilities, claims (XML1, XML2, XML3), tender prices, estimates.

Claims follow the Ministry of Health's data standard (QĐ 130/QĐ-BYT as amended by
QĐ 4750/QĐ-BYT): each canonical column carries the Ministry's element name (``MA_LK``,
``T_BHTT`` …) as an alias, so a monthly extract with the standard's column names, a file with
Vietnamese headers and the XML files themselves (``ingest/claims_xml.py``) all map onto the same
columns.  Times are the standard's ``yyyymmddHHMM``, dates ``yyyymmdd``.

A card renewed during a stay is written by the standard as ";"-joined lists in ``MA_THE_BHYT``,
``MA_DKBD``, ``GT_THE_TU`` and ``GT_THE_DEN``.  The raw text is kept (``card_numbers`` …) and the
import derives the first and last card, their count and the validity of the whole chain
(``card_number`` … ``card_valid_to``; ``ingest/claims_rules.py``), so the engine never splits
text.  Amounts are VND (decimals allowed, as in the standard).
"""

from __future__ import annotations

from baophu.contracts.model import Column, Contract

FACILITY_LEVELS = ("central", "provincial", "regional", "commune_station")
FACILITY_LEVEL_ALIASES = {
    "trung uong": "central",
    "tuyen trung uong": "central",
    "tinh": "provincial",
    "tuyen tinh": "provincial",
    "khu vuc": "regional",
    "benh vien khu vuc": "regional",
    "trung tam y te khu vuc": "regional",
    "tram y te": "commune_station",
    "tram y te xa": "commune_station",
    "xa": "commune_station",
}
FACILITY_OWNERSHIP = ("public", "private")
FACILITY_OWNERSHIP_ALIASES = {
    "cong lap": "public",
    "nha nuoc": "public",
    "tu nhan": "private",
    "ngoai cong lap": "private",
    "tu": "private",
    "ngoai nha nuoc": "private",
}
CLAIM_SEX = ("male", "female", "unknown")
# GIOI_TINH: 1 male, 2 female, 3 not determined.
CLAIM_SEX_ALIASES = {"1": "male", "2": "female", "3": "unknown", "nam": "male", "nu": "female"}
# MA_LOAI_KCB: 01 outpatient visit, 02 outpatient record, 03 inpatient, 04 day inpatient,
# 05 chronic outpatient with drugs, 06 observation at a commune station or regional clinic,
# 07 drugs by appointment, 08 chronic outpatient with services, 09 inpatient under 4 hours.
CARE_TYPES = ("01", "02", "03", "04", "05", "06", "07", "08", "09")
CARE_TYPE_ALIASES = {str(i): f"{i:02d}" for i in range(1, 10)}
ITEM_KINDS = ("drug", "supply", "service")
ITEM_KIND_ALIASES = {
    "thuoc": "drug",
    "vat tu": "supply",
    "vat tu y te": "supply",
    "vtyt": "supply",
    "dich vu": "service",
    "dich vu ky thuat": "service",
    "dvkt": "service",
}


def _facility(required: bool = True, references: bool = True) -> Column:
    return Column(
        "facility_code",
        "string",
        "Mã cơ sở KCB",
        required=required,
        aliases=("MA_CSKCB", "MACSKCB", "Mã CSKCB", "Mã cơ sở khám chữa bệnh"),
        references=("facilities", "facility_code") if references else None,
        description="MA_CSKCB",
    )


def _money(name: str, vi: str, tag: str, required: bool = True, note: str = "") -> Column:
    return Column(
        name,
        "float",
        vi,
        required=required,
        aliases=(tag,),
        check="non_negative",
        description=f"{tag}, VND{'; ' + note if note else ''}",
    )


def _text(name: str, vi: str, tag: str, required: bool = False, note: str = "") -> Column:
    return Column(
        name,
        "string",
        vi,
        required=required,
        aliases=(tag,),
        description=f"{tag}{'; ' + note if note else ''}",
    )


FACILITIES = Contract(
    table="facilities",
    title_vi="Danh mục cơ sở khám bệnh, chữa bệnh BHYT",
    description=(
        "Health facilities with a BHYT contract: level, ownership, commune and whether they "
        "take primary-care registrations (MA_DKBD)."
    ),
    columns=(
        _facility(references=False),
        Column("facility_name", "string", "Tên cơ sở KCB", aliases=("TEN_CSKCB", "Tên cơ sở")),
        Column(
            "level",
            "string",
            "Tuyến",
            allowed=FACILITY_LEVELS,
            value_aliases=FACILITY_LEVEL_ALIASES,
            aliases=("Tuyến chuyên môn kỹ thuật", "Cấp"),
        ),
        Column(
            "sector",
            "string",
            "Hình thức sở hữu",
            allowed=FACILITY_OWNERSHIP,
            value_aliases=FACILITY_OWNERSHIP_ALIASES,
            aliases=("Công lập / tư nhân",),
        ),
        Column("commune_code", "string", "Mã xã", references=("units", "unit_code")),
        Column(
            "primary_care",
            "bool",
            "Nhận đăng ký KCB ban đầu",
            description="takes primary-care registrations (may appear as MA_DKBD on cards)",
        ),
        Column(
            "planned_beds",
            "int",
            "Số giường kế hoạch",
            required=False,
            check="non_negative",
        ),
    ),
    key=("facility_code",),
    file_stems=("facilities", "co so kcb", "danh muc co so kcb", "co so kham chua benh"),
)

TENDER_PRICES = Contract(
    table="tender_prices",
    title_vi="Giá trúng thầu thuốc, vật tư y tế và giá dịch vụ kỹ thuật",
    description=(
        "The reference unit price of each drug and supply (the winning tender price, with its "
        "decision or contract) and of each service (the official price list), per facility "
        "or, where the facility is empty, for every facility of the province, from a date."
    ),
    columns=(
        Column(
            "item_kind",
            "string",
            "Loại",
            allowed=ITEM_KINDS,
            value_aliases=ITEM_KIND_ALIASES,
            description="drug (MA_THUOC), supply (MA_VAT_TU) or service (MA_DICH_VU)",
        ),
        Column("item_code", "string", "Mã thuốc, vật tư, dịch vụ", aliases=("Mã hàng",)),
        Column("item_name", "string", "Tên", required=False),
        Column("unit", "string", "Đơn vị tính", required=False, aliases=("DON_VI_TINH",)),
        Column("unit_price", "float", "Đơn giá trúng thầu", check="positive"),
        Column(
            "tender_decision",
            "string",
            "Quyết định trúng thầu / hợp đồng",
            required=False,
            aliases=("TT_THAU", "Số quyết định"),
            description="decision or contract that set the price (TT_THAU on claim lines)",
        ),
        Column("supplier", "string", "Nhà thầu", required=False),
        _facility(required=False),
        Column("valid_from", "date", "Từ ngày"),
        Column("valid_to", "date", "Đến ngày", required=False),
    ),
    key=("item_kind", "item_code", "facility_code", "valid_from"),
    file_stems=("tender prices", "gia trung thau", "gia thau", "danh muc gia"),
)

SPENDING_ESTIMATES = Contract(
    table="spending_estimates",
    title_vi="Dự toán chi khám bệnh, chữa bệnh BHYT",
    description=(
        "The province's annual estimate of BHYT spending and each revision during the year "
        "(revision 0 is the estimate first assigned); with a facility code, the facility's "
        "expected spending (dự kiến chi) for the year."
    ),
    columns=(
        Column("year", "int", "Năm"),
        Column(
            "revision",
            "int",
            "Lần điều chỉnh",
            check="non_negative",
            description="0 = the estimate first assigned, then 1, 2 … for each revision",
        ),
        Column("decided_date", "date", "Ngày quyết định"),
        _facility(required=False),
        Column("amount", "int", "Số tiền dự toán", aliases=("Dự kiến chi",), check="positive"),
        Column("decision", "string", "Số quyết định", required=False),
    ),
    key=("year", "revision", "facility_code"),
    file_stems=("spending estimates", "du toan chi", "du toan"),
    load_mode="parts",
)

CLAIMS = Contract(
    table="claims",
    title_vi="Bảng tổng hợp chi phí KCB BHYT (bảng XML1)",
    description=(
        "One row per visit or stay (XML1, TONG_HOP), as facilities send it to the appraisal "
        "system. The card columns keep the ';'-joined text of a card renewed during "
        "treatment; the import derives the first and last card and the chain's validity."
    ),
    columns=(
        _facility(),
        Column(
            "claim_code",
            "string",
            "Mã liên kết",
            aliases=("MA_LK",),
            description="MA_LK, links the drug and service lines",
        ),
        Column("record_no", "int", "STT", required=False, aliases=("STT",)),
        _text("patient_code", "Mã bệnh nhân", "MA_BN"),
        Column(
            "full_name",
            "string",
            "Họ và tên",
            aliases=("HO_TEN", "Họ tên"),
            description="HO_TEN; họ + tên đệm + tên",
        ),
        Column(
            "person_id",
            "string",
            "Số CCCD",
            required=False,
            check="person_id",
            id_policy="keep",
            aliases=("SO_CCCD", "Số định danh cá nhân", "CCCD"),
            description="SO_CCCD, 12-digit personal identification number",
        ),
        Column("birth_date", "date", "Ngày sinh", aliases=("NGAY_SINH",)),
        Column(
            "sex",
            "string",
            "Giới tính",
            allowed=CLAIM_SEX,
            value_aliases=CLAIM_SEX_ALIASES,
            aliases=("GIOI_TINH",),
            description="GIOI_TINH: 1 male, 2 female, 3 not determined",
        ),
        _text(
            "card_numbers",
            "Mã thẻ BHYT",
            "MA_THE_BHYT",
            required=True,
            note="';'-joined when a new card was issued during treatment",
        ),
        _text("card_registrations", "Mã nơi đăng ký KCB ban đầu", "MA_DKBD", note="';'-joined"),
        _text(
            "card_valid_froms",
            "Giá trị thẻ từ",
            "GT_THE_TU",
            required=True,
            note="yyyymmdd, ';'-joined",
        ),
        _text("card_valid_tos", "Giá trị thẻ đến", "GT_THE_DEN", required=True, note="yyyymmdd"),
        Column(
            "card_number",
            "string",
            "Mã thẻ BHYT (thẻ đầu)",
            required=False,
            description="derived at import: the first card of MA_THE_BHYT",
        ),
        Column(
            "card_number_last",
            "string",
            "Mã thẻ BHYT (thẻ cuối)",
            required=False,
            description="derived at import: the last card of MA_THE_BHYT",
        ),
        Column(
            "card_count",
            "int",
            "Số thẻ",
            required=False,
            description="derived at import: how many cards MA_THE_BHYT lists",
        ),
        Column(
            "card_valid_from",
            "date",
            "Thẻ có giá trị từ",
            required=False,
            description="derived at import: GT_THE_TU of the first card",
        ),
        Column(
            "card_valid_to",
            "date",
            "Thẻ có giá trị đến",
            required=False,
            description="derived at import: GT_THE_DEN of the last card",
        ),
        Column(
            "registered_facility",
            "string",
            "Nơi đăng ký KCB ban đầu (thẻ cuối)",
            required=False,
            description="derived at import: MA_DKBD of the last card",
        ),
        _text("diagnosis_main", "Mã bệnh chính", "MA_BENH_CHINH", required=True, note="ICD-10"),
        Column(
            "diagnoses_other",
            "string",
            "Mã bệnh kèm theo",
            required=False,
            aliases=("MA_BENH_KT", "MA_BENH_KEM"),
            description="MA_BENH_KT, up to 12 ICD-10 codes ';'-joined",
        ),
        _text("patient_category", "Mã đối tượng KCB", "MA_DOITUONG_KCB"),
        Column(
            "admitted_at",
            "datetime",
            "Ngày vào",
            aliases=("NGAY_VAO",),
            description="NGAY_VAO, yyyymmddHHMM",
        ),
        Column(
            "inpatient_at",
            "datetime",
            "Ngày vào nội trú",
            required=False,
            aliases=("NGAY_VAO_NOI_TRU",),
            description="NGAY_VAO_NOI_TRU, not before NGAY_VAO",
        ),
        Column(
            "discharged_at",
            "datetime",
            "Ngày ra",
            aliases=("NGAY_RA",),
            description="NGAY_RA, not before NGAY_VAO",
        ),
        Column(
            "treatment_days",
            "int",
            "Số ngày điều trị",
            aliases=("SO_NGAY_DTRI",),
            check="non_negative",
            description="SO_NGAY_DTRI: 0 for types 01/07/09, NGAY_RA − NGAY_VAO + 1 for 02/03/04",
        ),
        _text("treatment_result", "Kết quả điều trị", "KET_QUA_DTRI", note="5 died"),
        _text("discharge_type", "Mã loại ra viện", "MA_LOAI_RV"),
        _money("cost_drugs", "Tổng tiền thuốc", "T_THUOC", required=False),
        _money("cost_supplies", "Tổng tiền vật tư y tế", "T_VTYT", required=False),
        _money("total_hospital", "Tổng chi phí", "T_TONGCHI_BV"),
        _money("total_insured", "Tổng chi trong phạm vi BHYT", "T_TONGCHI_BH"),
        _money("patient_paid", "Người bệnh tự trả", "T_BNTT", required=False),
        _money("patient_copay", "Người bệnh cùng chi trả", "T_BNCCT"),
        _money(
            "fund_paid",
            "Quỹ BHYT thanh toán",
            "T_BHTT",
            note="what the fund pays; must equal T_TONGCHI_BH − T_BNCCT",
        ),
        _money("other_sources", "Nguồn khác", "T_NGUONKHAC", required=False),
        Column("settlement_year", "int", "Năm quyết toán", aliases=("NAM_QT",)),
        Column(
            "settlement_month",
            "int",
            "Tháng quyết toán",
            aliases=("THANG_QT",),
            description="THANG_QT, 1–12",
        ),
        Column(
            "care_type",
            "string",
            "Mã loại KCB",
            allowed=CARE_TYPES,
            value_aliases=CARE_TYPE_ALIASES,
            aliases=("MA_LOAI_KCB",),
            description="MA_LOAI_KCB",
        ),
        _text("department_code", "Mã khoa", "MA_KHOA"),
        _text("residence_province", "Mã tỉnh cư trú", "MATINH_CU_TRU"),
    ),
    key=("facility_code", "claim_code"),
    file_stems=("claims", "xml1", "tong hop", "bang tong hop", "ho so kcb", "giamdinhhs"),
    load_mode="parts",
)


def _line_columns() -> tuple[Column, ...]:
    """The columns every line table starts with: the claim it belongs to and its number."""
    return (
        _facility(),
        Column(
            "claim_code",
            "string",
            "Mã liên kết",
            aliases=("MA_LK",),
            description="MA_LK; the claim (with MA_CSKCB) must exist in claims",
        ),
        Column("line_no", "int", "STT", aliases=("STT",), check="positive"),
    )


CLAIM_DRUGS = Contract(
    table="claim_drugs",
    title_vi="Bảng chi tiết thuốc (bảng XML2)",
    description=(
        "Drug lines of a claim (XML2, CHI_TIET_THUOC); MA_CSKCB comes from the XML envelope "
        "when the table itself does not carry it."
    ),
    columns=(
        *_line_columns(),
        _text("drug_code", "Mã thuốc", "MA_THUOC", required=True),
        _text("group_code", "Mã nhóm", "MA_NHOM", required=True, note="cost group (4: drugs)"),
        _text("drug_name", "Tên thuốc", "TEN_THUOC"),
        _text("unit", "Đơn vị tính", "DON_VI_TINH"),
        _text("tender_info", "Thông tin thầu", "TT_THAU"),
        Column("quantity", "float", "Số lượng", aliases=("SO_LUONG",), check="non_negative"),
        _money("unit_price", "Đơn giá", "DON_GIA"),
        Column(
            "payment_rate",
            "float",
            "Tỷ lệ thanh toán BHYT",
            required=False,
            aliases=("TYLE_TT_BH",),
            check="non_negative",
            description="TYLE_TT_BH, percent",
        ),
        _money("amount_hospital", "Thành tiền bệnh viện", "THANH_TIEN_BV", required=False),
        _money(
            "amount_insured",
            "Thành tiền BHYT",
            "THANH_TIEN_BH",
            note="SO_LUONG × DON_GIA × TYLE_TT_BH / 100",
        ),
        Column(
            "benefit_level",
            "int",
            "Mức hưởng",
            required=False,
            aliases=("MUC_HUONG",),
            check="non_negative",
            description="MUC_HUONG, percent",
        ),
        _money("fund_paid", "Quỹ BHYT thanh toán", "T_BHTT"),
        _money("patient_copay", "Người bệnh cùng chi trả", "T_BNCCT", required=False),
        _money("patient_paid", "Người bệnh tự trả", "T_BNTT", required=False),
        _text("department_code", "Mã khoa", "MA_KHOA"),
        _text("doctor_code", "Mã bác sĩ", "MA_BAC_SI"),
        Column(
            "ordered_at",
            "datetime",
            "Ngày y lệnh",
            required=False,
            aliases=("NGAY_YL",),
            description="NGAY_YL, yyyymmddHHMM",
        ),
    ),
    key=("facility_code", "claim_code", "line_no"),
    file_stems=("claim drugs", "xml2", "chi tiet thuoc", "bang chi tiet thuoc"),
    load_mode="parts",
)

CLAIM_SERVICES = Contract(
    table="claim_services",
    title_vi="Bảng chi tiết dịch vụ kỹ thuật và vật tư y tế (bảng XML3)",
    description=(
        "Service and supply lines of a claim (XML3, CHI_TIET_DVKT): examinations, tests, "
        "imaging, procedures, supplies and bed-days (MA_GIUONG); a line names a service "
        "(MA_DICH_VU), a supply (MA_VAT_TU) or both."
    ),
    columns=(
        *_line_columns(),
        _text("service_code", "Mã dịch vụ", "MA_DICH_VU"),
        _text("supply_code", "Mã vật tư", "MA_VAT_TU"),
        _text(
            "group_code",
            "Mã nhóm",
            "MA_NHOM",
            required=True,
            note="cost group: 1 lab, 2 imaging, 3 functional tests, 8 surgery, 10 supplies, "
            "13 examination, 14/15/16 bed",
        ),
        Column(
            "item_name",
            "string",
            "Tên dịch vụ / vật tư",
            required=False,
            aliases=("TEN_DICH_VU", "TEN_VAT_TU"),
        ),
        _text("unit", "Đơn vị tính", "DON_VI_TINH"),
        _text("tender_info", "Thông tin thầu", "TT_THAU"),
        Column("quantity", "float", "Số lượng", aliases=("SO_LUONG",), check="non_negative"),
        _money("unit_price_hospital", "Đơn giá bệnh viện", "DON_GIA_BV", required=False),
        _money("unit_price_insured", "Đơn giá BHYT", "DON_GIA_BH"),
        Column(
            "payment_rate",
            "float",
            "Tỷ lệ thanh toán BHYT",
            required=False,
            aliases=("TYLE_TT_BH",),
            check="non_negative",
            description="TYLE_TT_BH, percent",
        ),
        _money("amount_hospital", "Thành tiền bệnh viện", "THANH_TIEN_BV", required=False),
        _money("amount_insured", "Thành tiền BHYT", "THANH_TIEN_BH"),
        Column(
            "benefit_level",
            "int",
            "Mức hưởng",
            required=False,
            aliases=("MUC_HUONG",),
            check="non_negative",
            description="MUC_HUONG, percent",
        ),
        _money("fund_paid", "Quỹ BHYT thanh toán", "T_BHTT"),
        _money("patient_copay", "Người bệnh cùng chi trả", "T_BNCCT", required=False),
        _text("department_code", "Mã khoa", "MA_KHOA"),
        _text(
            "bed_code",
            "Mã giường",
            "MA_GIUONG",
            note="H, T, C or K followed by 3 digits; ';'-joined when beds were shared",
        ),
        _text("doctor_code", "Mã bác sĩ", "MA_BAC_SI"),
        Column(
            "ordered_at",
            "datetime",
            "Ngày y lệnh",
            required=False,
            aliases=("NGAY_YL",),
            description="NGAY_YL, yyyymmddHHMM",
        ),
        Column(
            "result_at",
            "datetime",
            "Ngày kết quả",
            required=False,
            aliases=("NGAY_KQ",),
            description="NGAY_KQ, yyyymmddHHMM",
        ),
    ),
    key=("facility_code", "claim_code", "line_no"),
    file_stems=("claim services", "xml3", "chi tiet dvkt", "chi tiet dich vu"),
    load_mode="parts",
)

CLAIM_CONTRACTS: tuple[Contract, ...] = (
    FACILITIES,
    TENDER_PRICES,
    SPENDING_ESTIMATES,
    CLAIMS,
    CLAIM_DRUGS,
    CLAIM_SERVICES,
)
# After units (facilities' communes) and enrolments (claims' cards are looked up there).
CLAIM_IMPORT_ORDER: tuple[str, ...] = tuple(c.table for c in CLAIM_CONTRACTS)
