"""The canonical tables of the forms employers and agents submit (Vietnam Social Security's
forms, imported as they arrive):

* ``declared_workforce`` — the employer's labour report and participant list, form D02-LT
  (QĐ 1040/QĐ-BHXH, 2020): one row per worker listed for a month, with the wage and
  allowances declared, the labour contract and the months of contribution.  The form's own
  column titles are the Vietnamese headers, so a message names the column a person sees;
  the employer's code and the month come from the form's heading.
* ``registration_declarations`` — participant registrations (TK1-TS) of an e-declaration
  dossier (envelope ``Hoso/NoiDung/…``): who registered, through which unit or agent.

The D03-TS and D05-TS lists of the same dossiers carry receipts: they load into
``agent_receipts`` (``contracts.agents_money``).  Readers: ``ingest.forms``.
"""

from __future__ import annotations

from baophu.contracts.columns import (
    AMOUNT,
    BORN,
    FULL_NAME,
    LIST_MONTH,
    MONEY_RECEIVED,
    ROW_NUMBER,
    WAGE,
    person_id_column,
)
from baophu.contracts.model import Column, Contract, Plausible

SEX = ("male", "female")
SEX_ALIASES = {"nam": "male", "nu": "female", "1": "male", "0": "female", "2": "female"}
PERCENT_POINTS = Plausible(low=0, high=100)  # seniority allowances in % of the wage

DECLARED_WORKFORCE = Contract(
    table="declared_workforce",
    title_vi="Báo cáo tình hình sử dụng lao động (mẫu D02-LT)",
    description=(
        "One row per worker an employer lists in its D02-LT labour report for a month: "
        "wage and allowances, job, labour contract, months of contribution."
    ),
    columns=(
        Column(
            "employer_code",
            "string",
            "Mã đơn vị",
            references=("employers", "employer_code"),
            description="from the form's heading",
        ),
        Column(
            "period",
            "month",
            "Tháng báo cáo",
            plausible=LIST_MONTH,
            description="month reported (first day), from the form's heading",
        ),
        Column("row_no", "int", "STT", check="positive", plausible=ROW_NUMBER),
        FULL_NAME,
        Column("si_code", "string", "Mã số BHXH", required=False, check="si_code"),
        Column("birth_date", "date", "Ngày sinh", plausible=BORN),
        Column("sex", "string", "Giới tính", allowed=SEX, value_aliases=SEX_ALIASES),
        person_id_column(required=False, policy="keep", vi="Số CCCD"),
        Column(
            "position",
            "string",
            "Cấp bậc, chức vụ, chức danh nghề, điều kiện, nơi làm việc",
            required=False,
        ),
        Column("job_manager", "string", "Nhà quản lý", required=False),
        Column("job_senior", "string", "Chuyên môn kỹ thuật bậc cao", required=False),
        Column("job_middle", "string", "Chuyên môn kỹ thuật bậc trung", required=False),
        Column("job_other", "string", "Khác", required=False),
        Column(
            "wage",
            "int",
            "Hệ số/Mức lương",
            check="non_negative",
            plausible=WAGE,
            description="monthly wage in đồng",
        ),
        Column(
            "allowance_position",
            "int",
            "Phụ cấp chức vụ",
            required=False,
            check="non_negative",
            plausible=WAGE,
        ),
        Column(
            "seniority_over_frame_pct",
            "float",
            "Thâm niên VK (%)",
            required=False,
            check="non_negative",
            plausible=PERCENT_POINTS,
        ),
        Column(
            "seniority_job_pct",
            "float",
            "Thâm niên nghề (%)",
            required=False,
            check="non_negative",
            plausible=PERCENT_POINTS,
        ),
        Column(
            "allowance_wage",
            "int",
            "Phụ cấp lương",
            required=False,
            check="non_negative",
            plausible=WAGE,
        ),
        Column(
            "additional_pay",
            "int",
            "Các khoản bổ sung",
            required=False,
            check="non_negative",
            plausible=WAGE,
        ),
        Column("hazardous_from", "date", "Nặng nhọc, độc hại từ ngày", required=False),
        Column("hazardous_to", "date", "Nặng nhọc, độc hại đến ngày", required=False),
        Column("contract_type", "string", "Loại HĐLĐ", required=False),
        Column("contract_start", "date", "HĐLĐ hiệu lực từ ngày", required=False),
        Column("contract_end", "date", "HĐLĐ hiệu lực đến ngày", required=False),
        Column("contribution_start", "month", "Thời điểm bắt đầu đóng", required=False),
        Column("contribution_end", "month", "Thời điểm kết thúc đóng", required=False),
        Column("note", "string", "Ghi chú", required=False),
    ),
    key=("employer_code", "period", "row_no"),
    file_stems=("d02 lt", "d02lt", "declared workforce", "bao cao su dung lao dong"),
    load_mode="parts",
)

REGISTRATION_DECLARATIONS = Contract(
    table="registration_declarations",
    title_vi="Tờ khai tham gia BHXH, BHYT (mẫu TK1-TS) qua giao dịch điện tử",
    description=(
        "One row per participant registered in an e-declaration dossier (TK1-TS): who, "
        "through which unit or agent, at which contribution level and hospital."
    ),
    columns=(
        Column("submitter_code", "string", "Mã đơn vị", description="ThongTinDonVi/MaDonVi"),
        Column("dossier_no", "string", "Số hồ sơ", aliases=("SoHoSo",)),
        Column(
            "submitted_date", "date", "Ngày lập", aliases=("NgayLap",), plausible=MONEY_RECEIVED
        ),
        Column("row_no", "int", "STT", check="positive", plausible=ROW_NUMBER),
        Column("full_name", "string", "Họ và tên", aliases=("HoTen",)),
        Column("birth_date", "date", "Ngày sinh", aliases=("NgaySinh",), plausible=BORN),
        Column(
            "sex",
            "string",
            "Giới tính",
            aliases=("GioiTinh",),
            allowed=SEX,
            value_aliases=SEX_ALIASES,
        ),
        Column("nationality", "string", "Quốc tịch", aliases=("QuocTich",), required=False),
        Column("ethnicity", "string", "Dân tộc", aliases=("DanToc",), required=False),
        Column(
            "si_code",
            "string",
            "Mã số BHXH",
            aliases=("MasoBHXH",),
            required=False,
            check="si_code",
        ),
        Column(
            "person_id",
            "string",
            "Số CCCD",
            aliases=("CMND",),
            required=False,
            check="person_id",
            id_policy="keep",
        ),
        Column(
            "household_code", "string", "Mã hộ gia đình", aliases=("Maho_Giadinh",), required=False
        ),
        Column(
            "amount",
            "int",
            "Mức đóng",
            aliases=("Mucdong",),
            required=False,
            check="non_negative",
            plausible=AMOUNT,
        ),
        Column(
            "payment_method", "string", "Phương thức đóng", aliases=("Phuongthuc",), required=False
        ),
        Column(
            "hospital_code",
            "string",
            "Nơi đăng ký KCB ban đầu",
            aliases=("MaBenhVien",),
            required=False,
        ),
    ),
    key=("submitter_code", "dossier_no", "row_no"),
    file_stems=("tk1 ts", "tk1ts", "to khai tham gia"),
    load_mode="parts",
)

FORMS_CONTRACTS = (DECLARED_WORKFORCE, REGISTRATION_DECLARATIONS)


# ------------------------------------------------------------------------ the forms' layout

D02LT_FORM = "D02-LT"
D02LT_TITLE = (
    "BÁO CÁO TÌNH HÌNH SỬ DỤNG LAO ĐỘNG VÀ DANH SÁCH NGƯỜI LAO ĐỘNG THAM GIA BHXH, BHYT, "
    "BHTN, BHTNLĐ, BNN"
)
# The D02-LT table, left to right: (column, group title over it or None, its own title).
# A column without a group spans the first two header rows; the third header row numbers
# the columns (1), (2), …  The employer's code and the month are in the heading above.
D02LT_COLUMNS: tuple[tuple[str, str | None, str], ...] = (
    ("row_no", None, "STT"),
    ("full_name", None, "Họ và tên"),
    ("si_code", None, "Mã số BHXH"),
    ("birth_date", None, "Ngày sinh"),
    ("sex", None, "Giới tính"),
    ("person_id", None, "Số CCCD"),
    ("position", None, "Cấp bậc, chức vụ, chức danh nghề, điều kiện, nơi làm việc"),
    ("job_manager", "Vị trí việc làm", "Nhà quản lý"),
    ("job_senior", "Vị trí việc làm", "Chuyên môn kỹ thuật bậc cao"),
    ("job_middle", "Vị trí việc làm", "Chuyên môn kỹ thuật bậc trung"),
    ("job_other", "Vị trí việc làm", "Khác"),
    ("wage", "Tiền lương", "Hệ số/Mức lương"),
    ("allowance_position", "Tiền lương", "Phụ cấp chức vụ"),
    ("seniority_over_frame_pct", "Tiền lương", "Thâm niên VK (%)"),
    ("seniority_job_pct", "Tiền lương", "Thâm niên nghề (%)"),
    ("allowance_wage", "Tiền lương", "Phụ cấp lương"),
    ("additional_pay", "Tiền lương", "Các khoản bổ sung"),
    ("hazardous_from", "Ngành/nghề nặng nhọc, độc hại", "Ngày bắt đầu"),
    ("hazardous_to", "Ngành/nghề nặng nhọc, độc hại", "Ngày kết thúc"),
    ("contract_type", "Loại và hiệu lực hợp đồng lao động", "Loại HĐLĐ"),
    ("contract_start", "Loại và hiệu lực hợp đồng lao động", "Ngày bắt đầu"),
    ("contract_end", "Loại và hiệu lực hợp đồng lao động", "Ngày kết thúc"),
    ("contribution_start", "Thời điểm đơn vị đóng", "Bắt đầu"),
    ("contribution_end", "Thời điểm đơn vị đóng", "Kết thúc"),
    ("note", None, "Ghi chú"),
)
# Columns the "Tổng cộng" row totals (money); the number of workers is given under the name.
D02LT_TOTALLED = ("wage", "allowance_position", "allowance_wage", "additional_pay")
D02LT_TOTAL_LABEL = "Tổng cộng"

# e-declaration dossiers: the form codes and, per form, the element of each participant.
EDECL_ROOT = "Hoso"
EDECL_ROW = "NguoiThamGia"
# element name in the form → column of the table it loads into
TK1TS_FIELDS = {
    "STT": "row_no",
    "HoTen": "full_name",
    "NgaySinh": "birth_date",
    "GioiTinh": "sex",
    "QuocTich": "nationality",
    "DanToc": "ethnicity",
    "MasoBHXH": "si_code",
    "CMND": "person_id",
    "Maho_Giadinh": "household_code",
    "Mucdong": "amount",
    "Phuongthuc": "payment_method",
    "MaBenhVien": "hospital_code",
}
D03TS_FIELDS = {
    "HoTen": "full_name",
    "MasoBHXH": "si_code",
    "CCCD": "person_id",
    "NgaySinh": "",  # on the form, not in agent_receipts
    "MaBenhVien": "",
    "NgayBienLai": "receipt_date",
    "SoBienLai": "receipt_no",
    "Tiendong": "amount",
    "Sothang": "months",
    "TuNgay": "period_start",
    "MaNhanVienThu": "collector_code",
    "SoTheBHYT": "",
    "LoaiDoiTuong": "",
}
D05TS_FIELDS = {
    "HoTen": "full_name",
    "MasoBHXH": "si_code",
    "CCCD": "person_id",
    "MucTien": "",
    "Tuthang": "period_start",
    "Sothang": "months",
    "Tongtien": "amount",
    "TienTudong": "",
    "TienHotro": "",
    "Phuongthuc": "",
    "NgayBienLai": "receipt_date",
    "SoBienLai": "receipt_no",
    "MaNhanVienThu": "collector_code",
}
# form code → (table, fields, scheme of agent_receipts or None)
EDECL_FORMS: dict[str, tuple[str, dict[str, str], str | None]] = {
    "TK1-TS": ("registration_declarations", TK1TS_FIELDS, None),
    "D03-TS": ("agent_receipts", D03TS_FIELDS, "bhyt"),
    "D05-TS": ("agent_receipts", D05TS_FIELDS, "bhxh_voluntary"),
}
