"""The canonical tables baophu holds, with Vietnamese headers and constraints.

Canonical column names are English snake_case; each column also carries the Vietnamese header a
real export would have (ingest accepts both, with or without diacritics).  Enumerations are
stored as the English codes in ``allowed``; ``value_aliases`` maps Vietnamese spellings to them.
docs/data-contracts.md is the human-readable form of this module (tests keep the two in step).
"""

from __future__ import annotations

from baophu.contracts.agents_money import AGENTS_MONEY_CONTRACTS
from baophu.contracts.claims import CLAIM_CONTRACTS, CLAIM_IMPORT_ORDER
from baophu.contracts.columns import (
    AMOUNT,
    BORN,
    FULL_NAME,
    HEADCOUNT,
    LIST_MONTH,
    LIST_YEAR,
    MEMBER_NUMBER,
    MONEY_RECEIVED,
    MONTH_DUE,
    PAST_EVENT,
    PEOPLE,
    REGISTERED,
    ROW_NUMBER,
    SETTLED_YEAR,
    SPELL_END,
    SPELL_START,
    STAT_YEAR,
    TARGET_YEAR,
    WAGE,
    WAGE_REGION,
    person_id_column,
)
from baophu.contracts.forms import FORMS_CONTRACTS
from baophu.contracts.model import Column, Contract, PersonConsistency

RATE_INDICATORS = ("bhyt_rate", "bhxh_rate", "bhtn_rate")

SEX = ("male", "female")
SEX_ALIASES = {
    "nam": "male",
    "nu": "female",
    "m": "male",
    "f": "female",
    "1": "male",
    "0": "female",
}

SCHEMES = ("bhyt", "bhxh_compulsory", "bhxh_voluntary", "bhtn")
SCHEME_ALIASES = {
    "bhyt": "bhyt",
    "bao hiem y te": "bhyt",
    "bhxh bb": "bhxh_compulsory",
    "bhxh bat buoc": "bhxh_compulsory",
    "bhxh tn": "bhxh_voluntary",
    "bhxh tu nguyen": "bhxh_voluntary",
    "bhtn": "bhtn",
    "bao hiem that nghiep": "bhtn",
}

# BHYT participant groups (simplified from Decree 188/2025's groups) and the payer of each.
PARTICIPANT_GROUPS = (
    "employee",  # người lao động và người sử dụng lao động đóng
    "pensioner",  # hưởng lương hưu, trợ cấp BHXH (quỹ BHXH đóng)
    "unemployment_benefit",  # hưởng trợ cấp thất nghiệp
    "child_under_6",  # trẻ em dưới 6 tuổi (NSNN đóng)
    "poor",  # hộ nghèo
    "ethnic_minority_hardship",  # DTTS vùng khó khăn
    "meritorious",  # người có công
    "social_protection",  # bảo trợ xã hội
    "social_pension",  # hưởng trợ cấp hưu trí xã hội (mới theo luật BHYT sửa đổi)
    "near_poor",  # hộ cận nghèo (NSNN hỗ trợ)
    "student",  # học sinh, sinh viên (NSNN hỗ trợ)
    "farming_average",  # hộ nông lâm ngư diêm nghiệp có mức sống trung bình
    "household",  # tham gia theo hộ gia đình
    "voluntary",  # BHXH tự nguyện (cho dòng BHXH tự nguyện)
    "other",
    # hưởng trợ cấp tuất hằng tháng, từ đủ 75 tuổi (hoặc 70–74 thuộc hộ cận nghèo): NSNN đóng
    # theo luật BHYT sửa đổi (added last so that the ranks of the groups above stay as they were)
    "survivor_allowance",
)
PAYERS = ("employer", "si_fund", "state_budget", "budget_supported", "household", "self")
PAYER_ALIASES = {
    "nguoi su dung lao dong": "employer",
    "don vi": "employer",
    "quy bhxh": "si_fund",
    "nsnn": "state_budget",
    "ngan sach nha nuoc": "state_budget",
    "nsnn ho tro": "budget_supported",
    "ho gia dinh": "household",
    "tu dong": "self",
    "ca nhan": "self",
}
OWNERSHIP = ("fdi", "private", "state", "household_business", "cooperative")
OWNERSHIP_ALIASES = {
    "von dau tu nuoc ngoai": "fdi",
    "fdi": "fdi",
    "ngoai nha nuoc": "private",
    "tu nhan": "private",
    "nha nuoc": "state",
    "ho kinh doanh": "household_business",
    "hop tac xa": "cooperative",
}
UNIT_LEVELS = ("province", "office", "commune", "hamlet")
UNIT_LEVEL_ALIASES = {
    "tinh": "province",
    "thanh pho truc thuoc trung uong": "province",
    "bhxh co so": "office",
    "co so": "office",
    "xa": "commune",
    "phuong": "commune",
    "dac khu": "commune",
    "thon": "hamlet",
    "ap": "hamlet",
    "khu pho": "hamlet",
    "to dan pho": "hamlet",
    "ban": "hamlet",
    "buon": "hamlet",
    "lang": "hamlet",
}
CLASSIFICATIONS = ("poor", "near_poor", "farming_average")
CLASSIFICATION_ALIASES = {
    "ho ngheo": "poor",
    "ho can ngheo": "near_poor",
    "ho nong lam ngu diem nghiep co muc song trung binh": "farming_average",
    "ho muc song trung binh": "farming_average",
}
DEPARTMENTS = ("finance", "home_affairs", "health")
DEPARTMENT_ALIASES = {"so tai chinh": "finance", "so noi vu": "home_affairs", "so y te": "health"}
BUSINESS_STATUS = ("active", "suspended", "dissolved")
BUSINESS_STATUS_ALIASES = {
    "dang hoat dong": "active",
    "tam ngung": "suspended",
    "giai the": "dissolved",
}
BENEFITS = ("social_pension", "survivor_allowance")
BENEFIT_ALIASES = {
    "tro cap huu tri xa hoi": "social_pension",
    "huu tri xa hoi": "social_pension",
    "tro cap tuat hang thang": "survivor_allowance",
    "tro cap tuat": "survivor_allowance",
    "tuat hang thang": "survivor_allowance",
}
INDICATORS = (
    "bhyt_rate",
    "bhxh_rate",
    "bhtn_rate",
    "compulsory_participants",
    "voluntary_participants",
    "bhtn_participants",
    "bhyt_insured",
)


_SEX = Column("sex", "string", "Giới tính", allowed=SEX, value_aliases=SEX_ALIASES)
_BIRTH = Column("birth_date", "date", "Ngày sinh", plausible=BORN)


UNITS = Contract(
    table="units",
    title_vi="Danh mục đơn vị hành chính và BHXH cơ sở",
    description="One hierarchy: province → grassroots office → commune → hamlet.",
    columns=(
        Column("unit_code", "string", "Mã đơn vị"),
        Column("unit_name", "string", "Tên đơn vị"),
        Column("level", "string", "Cấp", allowed=UNIT_LEVELS, value_aliases=UNIT_LEVEL_ALIASES),
        Column("parent_code", "string", "Mã đơn vị cấp trên", required=False),
        Column(
            "unit_type",
            "string",
            "Loại đơn vị",
            required=False,
            description="tỉnh, thành phố, BHXH cơ sở, xã, phường, đặc khu, thôn, ấp, khu phố",
        ),
        Column("province_code", "string", "Mã tỉnh"),
    ),
    key=("unit_code",),
    file_stems=("units", "don vi", "danh muc don vi"),
)

HOUSEHOLDS = Contract(
    table="households",
    title_vi="Danh sách hộ gia đình",
    description="Households of the population register.",
    columns=(
        Column("household_id", "string", "Mã hộ gia đình", aliases=("Mã hộ",)),
        Column("hamlet_code", "string", "Mã thôn/ấp", references=("units", "unit_code")),
        Column("address", "string", "Địa chỉ", required=False),
        Column("head_person_id", "string", "Số định danh chủ hộ", required=False),
    ),
    key=("household_id",),
    file_stems=("households", "ho gia dinh"),
)

RESIDENTS = Contract(
    table="residents",
    title_vi="Dữ liệu dân cư",
    description="The population register: every resident of the province.",
    columns=(
        person_id_column(required=True),
        FULL_NAME,
        _SEX,
        _BIRTH,
        Column("ethnicity", "string", "Dân tộc", required=False),
        Column(
            "household_id", "string", "Mã hộ gia đình", references=("households", "household_id")
        ),
        Column("relation_to_head", "string", "Quan hệ với chủ hộ", required=False),
        Column("hamlet_code", "string", "Mã thôn/ấp", references=("units", "unit_code")),
        Column("phone", "string", "Số điện thoại", required=False, check="phone"),
        Column(
            "si_code",
            "string",
            "Mã số BHXH",
            required=False,
            check="si_code",
            description="legacy 10-digit social-insurance code, where one was issued",
        ),
        Column("death_date", "date", "Ngày mất", required=False, plausible=PAST_EVENT),
        Column(
            "moved_in_date",
            "date",
            "Ngày chuyển đến",
            required=False,
            plausible=PAST_EVENT,
            description="the day the person's residence here was registered; empty when born "
            "here or before the register's history (coverage counts them from that day)",
        ),
        Column(
            "moved_out_date",
            "date",
            "Ngày chuyển đi",
            required=False,
            plausible=PAST_EVENT,
            description="the day the person moved out of the province; the extract keeps "
            "them, as it keeps the dead, so earlier dates still count them",
        ),
    ),
    key=("person_id",),
    file_stems=("residents", "dan cu", "du lieu dan cu"),
    person=PersonConsistency("person_id", "birth_date", "sex"),
)

HOUSEHOLD_CLASSIFICATIONS = Contract(
    table="household_classifications",
    title_vi="Danh sách hộ nghèo, cận nghèo, hộ có mức sống trung bình",
    description=(
        "Household lists confirmed by communes, one row per member; IDs typed by hand, so a "
        "missing or mistyped ID is kept and reported, and the identity step links the member."
    ),
    columns=(
        Column("list_year", "int", "Năm", plausible=LIST_YEAR),
        Column("commune_code", "string", "Mã xã", references=("units", "unit_code")),
        Column("household_id", "string", "Mã hộ gia đình", required=False),
        Column(
            "classification",
            "string",
            "Phân loại hộ",
            allowed=CLASSIFICATIONS,
            value_aliases=CLASSIFICATION_ALIASES,
        ),
        Column("member_no", "int", "STT thành viên", check="positive", plausible=MEMBER_NUMBER),
        person_id_column(required=False, policy="keep"),
        FULL_NAME,
        _SEX,
        _BIRTH,
        Column("valid_from", "date", "Từ ngày", plausible=SPELL_START),
        Column("valid_to", "date", "Đến ngày", required=False, plausible=SPELL_END),
    ),
    key=("list_year", "commune_code", "household_id", "classification", "member_no"),
    file_stems=("household classifications", "danh sach ho", "ho ngheo", "ho can ngheo"),
    load_mode="parts",
)

ENROLMENTS = Contract(
    table="enrolments",
    title_vi="Dữ liệu người tham gia BHXH, BHYT, BHTN",
    description="Participation spells: one row per person, scheme and spell.",
    columns=(
        Column("enrolment_id", "string", "Mã quá trình tham gia"),
        person_id_column(required=False, policy="keep"),
        Column("si_code", "string", "Mã số BHXH", required=False, check="si_code"),
        FULL_NAME,
        _SEX,
        _BIRTH,
        Column("scheme", "string", "Loại hình", allowed=SCHEMES, value_aliases=SCHEME_ALIASES),
        Column("participant_group", "string", "Nhóm đối tượng", allowed=PARTICIPANT_GROUPS),
        Column("payer", "string", "Đối tượng đóng", allowed=PAYERS, value_aliases=PAYER_ALIASES),
        Column("employer_code", "string", "Mã đơn vị", required=False),
        Column("start_date", "date", "Từ ngày", plausible=SPELL_START),
        Column(
            "end_date",
            "date",
            "Đến ngày",
            required=False,
            description="last day covered; empty while the spell is open",
            plausible=SPELL_END,
        ),
        Column(
            "contribution_wage",
            "int",
            "Mức lương đóng",
            required=False,
            check="non_negative",
            plausible=WAGE,
        ),
        Column(
            "enrol_province_code",
            "string",
            "Mã tỉnh tham gia",
            description="province whose social-insurance office holds the enrolment",
        ),
        Column("hamlet_code", "string", "Mã thôn/ấp nơi cư trú", required=False),
        Column("collector_code", "string", "Mã nhân viên thu", required=False),
    ),
    key=("enrolment_id",),
    file_stems=("enrolments", "nguoi tham gia", "qua trinh tham gia"),
)

EMPLOYERS = Contract(
    table="employers",
    title_vi="Danh sách đơn vị sử dụng lao động",
    description="Employers registered with social insurance.",
    columns=(
        Column("employer_code", "string", "Mã đơn vị"),
        Column("tax_code", "string", "Mã số thuế", required=False, check="tax_code"),
        Column("employer_name", "string", "Tên đơn vị"),
        Column(
            "ownership",
            "string",
            "Loại hình sở hữu",
            allowed=OWNERSHIP,
            value_aliases=OWNERSHIP_ALIASES,
        ),
        Column("commune_code", "string", "Mã xã", references=("units", "unit_code")),
        Column(
            "officer_code",
            "string",
            "Mã cán bộ chuyên quản",
            required=False,
            references=("officers", "officer_code"),
        ),
        Column("wage_region", "int", "Vùng lương tối thiểu", plausible=WAGE_REGION),
        Column("registered_date", "date", "Ngày đăng ký tham gia", plausible=REGISTERED),
        Column("address", "string", "Địa chỉ", required=False),
    ),
    key=("employer_code",),
    file_stems=("employers", "don vi su dung lao dong"),
)

CONTRIBUTION_LEDGER = Contract(
    table="contribution_ledger",
    title_vi="Sổ theo dõi số phải đóng của đơn vị",
    description="What each employer declared and owes for each contribution month.",
    columns=(
        Column("employer_code", "string", "Mã đơn vị", references=("employers", "employer_code")),
        Column(
            "period",
            "month",
            "Tháng",
            description="contribution month (first day)",
            plausible=MONTH_DUE,
        ),
        Column(
            "declared_headcount", "int", "Số lao động", check="non_negative", plausible=HEADCOUNT
        ),
        Column(
            "declared_wage_bill", "int", "Quỹ lương đóng", check="non_negative", plausible=AMOUNT
        ),
        Column(
            "due_bhxh",
            "int",
            "Phải đóng BHXH",
            check="non_negative",
            description="pension, survivor, sickness, maternity and occupational funds",
            plausible=AMOUNT,
        ),
        Column("due_bhyt", "int", "Phải đóng BHYT", check="non_negative", plausible=AMOUNT),
        Column("due_bhtn", "int", "Phải đóng BHTN", check="non_negative", plausible=AMOUNT),
        Column("due_total", "int", "Tổng phải đóng", check="non_negative", plausible=AMOUNT),
    ),
    key=("employer_code", "period"),
    file_stems=("contribution ledger", "so phai dong", "ledger"),
    load_mode="parts",
)

PAYMENTS = Contract(
    table="payments",
    title_vi="Chứng từ nộp tiền của đơn vị",
    description="Money received from employers (bank statements).",
    columns=(
        Column("payment_id", "string", "Số chứng từ"),
        Column("employer_code", "string", "Mã đơn vị", references=("employers", "employer_code")),
        Column("payment_date", "date", "Ngày nộp", plausible=MONEY_RECEIVED),
        Column("amount", "int", "Số tiền", check="positive", plausible=AMOUNT),
    ),
    key=("payment_id",),
    file_stems=("payments", "chung tu nop tien", "nop tien"),
    load_mode="parts",
)

TAX_RETURNS = Contract(
    table="tax_returns",
    title_vi="Dữ liệu quyết toán thuế TNDN/TNCN",
    description="Headcount and payroll fund from enterprises' settled tax accounts, per year.",
    columns=(
        Column("tax_code", "string", "Mã số thuế", check="tax_code"),
        Column("year", "int", "Năm quyết toán", plausible=SETTLED_YEAR),
        Column("taxpayer_name", "string", "Tên người nộp thuế"),
        Column("headcount", "int", "Số lao động", check="non_negative", plausible=HEADCOUNT),
        Column("payroll_fund", "int", "Quỹ tiền lương", check="non_negative", plausible=AMOUNT),
    ),
    key=("tax_code", "year"),
    file_stems=("tax returns", "quyet toan thue", "thue"),
    load_mode="parts",
)

BUSINESS_REGISTRY = Contract(
    table="business_registry",
    title_vi="Dữ liệu đăng ký doanh nghiệp",
    description="Enterprises registered with the business registry.",
    columns=(
        Column("tax_code", "string", "Mã số doanh nghiệp", check="tax_code"),
        Column("business_name", "string", "Tên doanh nghiệp"),
        Column("registered_date", "date", "Ngày đăng ký", plausible=REGISTERED),
        Column(
            "status",
            "string",
            "Tình trạng",
            allowed=BUSINESS_STATUS,
            value_aliases=BUSINESS_STATUS_ALIASES,
        ),
        Column(
            "ownership", "string", "Loại hình", allowed=OWNERSHIP, value_aliases=OWNERSHIP_ALIASES
        ),
        Column("commune_code", "string", "Mã xã", references=("units", "unit_code")),
        Column("address", "string", "Địa chỉ", required=False),
        Column("legal_representative", "string", "Người đại diện pháp luật", required=False),
    ),
    key=("tax_code",),
    file_stems=("business registry", "dang ky doanh nghiep"),
)

SCHOOL_ROSTERS = Contract(
    table="school_rosters",
    title_vi="Danh sách học sinh, sinh viên",
    description=(
        "Rosters schools send by 10 September (name, ID, sex, birth date); IDs and names are "
        "typed by hand, so a bad ID is kept and reported, never a reason to drop a pupil."
    ),
    columns=(
        Column("school_year", "string", "Năm học"),
        Column("school_code", "string", "Mã trường"),
        Column("school_name", "string", "Tên trường"),
        Column("commune_code", "string", "Mã xã", references=("units", "unit_code")),
        Column("class_name", "string", "Lớp"),
        Column("row_no", "int", "STT", check="positive", plausible=ROW_NUMBER),
        FULL_NAME,
        person_id_column(required=False, policy="keep"),
        _SEX,
        _BIRTH,
    ),
    key=("school_year", "school_code", "class_name", "row_no"),
    file_stems=("school rosters", "danh sach hoc sinh", "hoc sinh"),
    load_mode="parts",
)

AGENTS = Contract(
    table="agents",
    title_vi="Tổ chức dịch vụ thu",
    description="Collection agents (participant-development organisations), e.g. the Post Office.",
    columns=(
        Column("agent_code", "string", "Mã tổ chức dịch vụ thu"),
        Column("agent_name", "string", "Tên tổ chức dịch vụ thu"),
        Column("office_code", "string", "Mã BHXH cơ sở", references=("units", "unit_code")),
    ),
    key=("agent_code",),
    file_stems=("agents", "to chuc dich vu thu"),
)

COLLECTORS = Contract(
    table="collectors",
    title_vi="Nhân viên thu và địa bàn phụ trách",
    description="One row per collector and hamlet they are responsible for.",
    columns=(
        Column("collector_code", "string", "Mã nhân viên thu"),
        Column("full_name", "string", "Họ và tên"),
        Column(
            "agent_code", "string", "Mã tổ chức dịch vụ thu", references=("agents", "agent_code")
        ),
        Column("hamlet_code", "string", "Mã thôn/ấp phụ trách", references=("units", "unit_code")),
        Column("phone", "string", "Số điện thoại", required=False, check="phone"),
    ),
    key=("collector_code", "hamlet_code"),
    file_stems=("collectors", "nhan vien thu"),
)

OFFICERS = Contract(
    table="officers",
    title_vi="Cán bộ chuyên quản",
    description="Case officers of the grassroots offices.",
    columns=(
        Column("officer_code", "string", "Mã cán bộ"),
        Column("full_name", "string", "Họ và tên"),
        Column("office_code", "string", "Mã BHXH cơ sở", references=("units", "unit_code")),
        Column("email", "string", "Thư điện tử", required=False),
    ),
    key=("officer_code",),
    file_stems=("officers", "can bo chuyen quan"),
)

TARGETS = Contract(
    table="targets",
    title_vi="Chỉ tiêu giao",
    description="Official targets per year, unit and indicator.",
    columns=(
        Column("year", "int", "Năm", plausible=TARGET_YEAR),
        Column("unit_code", "string", "Mã đơn vị", references=("units", "unit_code")),
        Column("indicator", "string", "Chỉ tiêu", allowed=INDICATORS),
        Column(
            "target_value",
            "float",
            "Giá trị chỉ tiêu",
            check="non_negative",
            description="a fraction for *_rate indicators, a number of people otherwise",
            plausible=PEOPLE,
            fraction_when=("indicator", RATE_INDICATORS),
        ),
        Column(
            "denominator", "int", "Mẫu số", required=False, check="non_negative", plausible=PEOPLE
        ),
        Column("source", "string", "Căn cứ", required=False),
    ),
    key=("year", "unit_code", "indicator"),
    file_stems=("targets", "chi tieu"),
    load_mode="parts",
)

BUDGET_OBLIGATIONS = Contract(
    table="budget_obligations",
    title_vi="Số phải chuyển của ngân sách nhà nước",
    description="What each paying department must transfer for budget-paid BHYT groups.",
    columns=(
        Column(
            "department", "string", "Cơ quan", allowed=DEPARTMENTS, value_aliases=DEPARTMENT_ALIASES
        ),
        Column("participant_group", "string", "Nhóm đối tượng", allowed=PARTICIPANT_GROUPS),
        Column("period", "month", "Tháng", plausible=MONTH_DUE),
        Column("persons", "int", "Số người", check="non_negative", plausible=PEOPLE),
        Column("amount_due", "int", "Số phải chuyển", check="non_negative", plausible=AMOUNT),
        Column("amount_paid", "int", "Số đã chuyển", check="non_negative", plausible=AMOUNT),
        Column("paid_date", "date", "Ngày chuyển", required=False, plausible=MONEY_RECEIVED),
    ),
    key=("department", "participant_group", "period"),
    file_stems=("budget obligations", "ngan sach"),
    load_mode="parts",
)

BENEFIT_LISTS = Contract(
    table="benefit_lists",
    title_vi="Danh sách người hưởng trợ cấp hưu trí xã hội, trợ cấp tuất hằng tháng",
    description=(
        "Monthly lists of people receiving a social pension (from the communes and the "
        "Department of Health) or a monthly survivor allowance (from the social-insurance "
        "database): the groups the amended BHYT law has the state budget pay for. IDs may be "
        "missing or mistyped: such a row is kept and reported."
    ),
    columns=(
        Column(
            "list_month",
            "month",
            "Tháng",
            description="month the list is for",
            plausible=LIST_MONTH,
        ),
        Column(
            "benefit",
            "string",
            "Loại trợ cấp",
            allowed=BENEFITS,
            value_aliases=BENEFIT_ALIASES,
            description="social_pension (trợ cấp hưu trí xã hội) or survivor_allowance "
            "(trợ cấp tuất hằng tháng)",
        ),
        Column("commune_code", "string", "Mã xã", references=("units", "unit_code")),
        Column("row_no", "int", "STT", check="positive", plausible=ROW_NUMBER),
        person_id_column(required=False, policy="keep"),
        FULL_NAME,
        _SEX,
        _BIRTH,
        Column("benefit_from", "date", "Hưởng từ ngày", plausible=SPELL_START),
        Column("benefit_to", "date", "Hưởng đến ngày", required=False, plausible=SPELL_END),
    ),
    key=("list_month", "benefit", "commune_code", "row_no"),
    file_stems=("benefit lists", "danh sach huong tro cap", "tro cap"),
    load_mode="parts",
)

DISADVANTAGED_COMMUNES = Contract(
    table="disadvantaged_communes",
    title_vi="Danh sách xã vùng có điều kiện kinh tế - xã hội khó khăn, đặc biệt khó khăn",
    description=(
        "Communes of ethnic-minority and mountainous areas whose ethnic-minority residents have "
        "their BHYT paid by the state budget, with the period each commune is on the list; "
        "a commune leaving the list ends that subsidy."
    ),
    columns=(
        Column("commune_code", "string", "Mã xã", references=("units", "unit_code")),
        Column(
            "area",
            "string",
            "Khu vực",
            required=False,
            description="khu vực III / khu vực II / xã đặc biệt khó khăn",
        ),
        Column("valid_from", "date", "Từ ngày", plausible=SPELL_START),
        Column("valid_to", "date", "Đến ngày", required=False, plausible=SPELL_END),
        Column("decision", "string", "Quyết định", required=False),
    ),
    key=("commune_code", "valid_from"),
    file_stems=("disadvantaged communes", "xa vung kho khan", "xa kho khan"),
)

LABOUR_FORCE = Contract(
    table="labour_force",
    title_vi="Lực lượng lao động trong độ tuổi (số liệu thống kê chính thức)",
    description=(
        "The official labour force of working age per unit and year, as the statistics office "
        "publishes it; where a unit has a figure for the year (or an earlier one), coverage "
        "uses it instead of counting working-age residents in the register."
    ),
    columns=(
        Column("year", "int", "Năm", plausible=STAT_YEAR),
        Column("unit_code", "string", "Mã đơn vị", references=("units", "unit_code")),
        Column(
            "labour_force",
            "int",
            "Lực lượng lao động",
            aliases=("Số người trong độ tuổi lao động",),
            check="non_negative",
            plausible=PEOPLE,
        ),
        Column("source", "string", "Nguồn số liệu", required=False),
    ),
    key=("year", "unit_code"),
    file_stems=("labour force", "luc luong lao dong"),
    load_mode="parts",
)

CONTRACTS: dict[str, Contract] = {
    c.table: c
    for c in (
        UNITS,
        HOUSEHOLDS,
        RESIDENTS,
        HOUSEHOLD_CLASSIFICATIONS,
        ENROLMENTS,
        EMPLOYERS,
        CONTRIBUTION_LEDGER,
        PAYMENTS,
        TAX_RETURNS,
        BUSINESS_REGISTRY,
        SCHOOL_ROSTERS,
        AGENTS,
        COLLECTORS,
        OFFICERS,
        TARGETS,
        BUDGET_OBLIGATIONS,
        BENEFIT_LISTS,
        DISADVANTAGED_COMMUNES,
        LABOUR_FORCE,
        *AGENTS_MONEY_CONTRACTS,
        *CLAIM_CONTRACTS,
        *FORMS_CONTRACTS,
    )
}

# Tables must be imported after the tables they reference.
IMPORT_ORDER: tuple[str, ...] = (
    "units",
    "officers",
    "agents",
    "collectors",
    "households",
    "residents",
    "household_classifications",
    "employers",
    "contribution_ledger",
    "payments",
    "tax_returns",
    "business_registry",
    "enrolments",
    "school_rosters",
    "targets",
    "budget_obligations",
    "benefit_lists",
    "disadvantaged_communes",
    "labour_force",
    "agent_receipts",
    "agent_remittances",
    *CLAIM_IMPORT_ORDER,
    "declared_workforce",
    "registration_declarations",
)
