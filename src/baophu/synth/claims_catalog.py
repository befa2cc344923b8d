"""What the synthetic claims are made of: national calibration figures, diagnoses, items, prices.

Calibration (DOMAIN.md, "BHYT spending", from the appraisal system's national exports):
about 1.9 visits per insured person a year (167.6 M visits in Jan–Nov 2024 for ~95 M
insured), 10 % of them inpatient, 6.5 days of average stay, average cost per visit
354,900 / 5,456,796 VND (outpatient / inpatient, 2024) and 373,878 / 5,841,756 (Jan–May
2025), bed charges 24.8 % of inpatient cost.  Age profiles, the diagnosis mix and the item
prices are synthetic but of the right order (drug prices of provincial joint tenders, service
prices of the Ministry's price list).  Nothing here is drawn at random: ``claims_visits`` and
``claims_lines`` draw from these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# ------------------------------------------------------------------------- calibration
VISITS_PER_INSURED_YEAR = 1.93
INPATIENT_SHARE = 0.102
MEAN_STAY_DAYS = 6.5  # SO_NGAY_DTRI of inpatient stays (type 03)
# average cost per visit (T_TONGCHI_BH, VND) by year: outpatient, inpatient
MEAN_COST = {2024: (354_900.0, 5_456_796.0), 2025: (373_878.0, 5_841_756.0)}
COST_GROWTH_AFTER = 0.085  # a year, after the last calibrated year
AUTUMN_SURGE = 0.06  # extra cost per visit from August of the reference year (dengue, prices)
BED_SHARE_INPATIENT = 0.248
# visits per month relative to the year's mean (Tết in February, rainy-season peak)
SEASON = np.array([0.98, 0.80, 1.02, 0.98, 1.01, 1.06, 1.10, 1.08, 1.04, 1.03, 0.95, 0.95])
SEASON = SEASON / SEASON.mean()

# age bands: 0-5, 6-17, 18-39, 40-59, 60-74, 75+
AGE_BANDS = np.array([0, 6, 18, 40, 60, 75])
VISIT_RATE_BY_AGE = np.array([3.0, 1.2, 1.1, 1.8, 3.4, 4.0])  # relative, normalised later
INPATIENT_BY_AGE = np.array([0.12, 0.06, 0.09, 0.09, 0.14, 0.17])  # relative, normalised

# care types (MA_LOAI_KCB) within outpatient and inpatient visits
OUTPATIENT_TYPES = ("01", "05", "08", "07", "02")
OUTPATIENT_TYPE_P = np.array([0.78, 0.09, 0.08, 0.03, 0.02])
INPATIENT_TYPES = ("03", "04", "09")
INPATIENT_TYPE_P = np.array([0.90, 0.06, 0.04])

# facility levels and how visits spread over them
LEVELS = ("central", "provincial", "regional", "commune_station")
OUTPATIENT_LEVEL_P = {
    "provincial": 0.30,
    "regional": 0.36,
    "commune_station": 0.24,
    "private": 0.10,
}
INPATIENT_LEVEL_P = {"provincial": 0.48, "regional": 0.40, "commune_station": 0.02, "private": 0.10}
PROVINCIAL_HOSPITALS = 6  # at scale of any province: general, children's, obstetrics, …
PRIVATE_HOSPITALS = 6

DEPARTMENTS = ("K01", "K02", "K03", "K04", "K05", "K06", "K07")
DEPARTMENT_NAMES = (
    "Khoa Nội",
    "Khoa Nhi",
    "Khoa Ngoại",
    "Khoa Sản",
    "Khoa Hồi sức cấp cứu",
    "Khoa Truyền nhiễm",
    "Khoa Khám bệnh",
)
OUTPATIENT_DEPARTMENT = 6  # K07


@dataclass(frozen=True)
class Diagnosis:
    code: str  # ICD-10
    inpatient: bool
    weights: tuple[float, ...]  # by age band
    sex: str  # "any", "female"
    department: int  # index into DEPARTMENTS
    stay: float  # mean SO_NGAY_DTRI (inpatient)
    surgery: str | None = None  # service code of the operation
    chronic: bool = False  # outpatient types 05/08 (a month of drugs)
    seasonal: bool = False  # rainy-season peak (dengue)


DIAGNOSES = (
    # outpatient
    Diagnosis("J06.9", False, (9, 6, 3, 2, 1.5, 1.5), "any", 1, 0),
    Diagnosis("J02.9", False, (4, 4, 2, 1, 0.5, 0.5), "any", 1, 0),
    Diagnosis("J20.9", False, (4, 2, 1, 1, 1.5, 2), "any", 1, 0),
    Diagnosis("A09", False, (4, 1.5, 1, 0.7, 0.7, 0.7), "any", 1, 0),
    Diagnosis("K29.7", False, (0, 1, 3, 3, 2, 1.5), "any", 0, 0),
    Diagnosis("M54.5", False, (0, 0.2, 2, 3, 2.5, 2), "any", 0, 0),
    Diagnosis("I10", False, (0, 0, 0.5, 5, 9, 10), "any", 0, 0, chronic=True),
    Diagnosis("E11.9", False, (0, 0, 0.3, 3, 5, 4), "any", 0, 0, chronic=True),
    Diagnosis("E78.5", False, (0, 0, 0.3, 2, 3, 2), "any", 0, 0, chronic=True),
    Diagnosis("I25.9", False, (0, 0, 0, 0.8, 2.5, 3.5), "any", 0, 0, chronic=True),
    Diagnosis("M17.9", False, (0, 0, 0.1, 1.5, 3, 3.5), "any", 0, 0),
    Diagnosis("H10.9", False, (1.5, 1, 1, 0.7, 0.6, 0.6), "any", 0, 0),
    Diagnosis("N39.0", False, (0.3, 0.4, 1.5, 1.2, 1.5, 2), "female", 0, 0),
    Diagnosis("L30.9", False, (1.5, 1, 1, 0.8, 0.7, 0.7), "any", 0, 0),
    Diagnosis("Z34.9", False, (0, 0, 3, 0.1, 0, 0), "female", 3, 0),
    Diagnosis("J45.9", False, (1, 1, 0.5, 0.6, 0.8, 0.8), "any", 1, 0, chronic=True),
    Diagnosis("A90", False, (0.5, 1.5, 1, 0.6, 0.3, 0.2), "any", 5, 0, seasonal=True),
    # inpatient
    Diagnosis("J18.9", True, (5, 1, 0.6, 1, 3, 5), "any", 1, 7.0),
    Diagnosis("J21.9", True, (4, 0, 0, 0, 0, 0), "any", 1, 5.0),
    Diagnosis("A90", True, (0.5, 2, 1.5, 0.8, 0.4, 0.3), "any", 5, 5.0, seasonal=True),
    Diagnosis("A09", True, (3, 0.8, 0.5, 0.4, 0.6, 1), "any", 1, 4.0),
    Diagnosis("K35.8", True, (0.1, 1.5, 1.2, 0.6, 0.3, 0.2), "any", 2, 5.0, surgery="10.0581"),
    Diagnosis("O80", True, (0, 0, 3.5, 0.1, 0, 0), "female", 3, 3.0, surgery="13.0032"),
    Diagnosis("O82", True, (0, 0, 2.5, 0.1, 0, 0), "female", 3, 5.0, surgery="13.0069"),
    Diagnosis("S72.0", True, (0, 0.1, 0.2, 0.3, 0.8, 2), "any", 2, 11.0, surgery="10.0985"),
    Diagnosis("S06.0", True, (0.3, 0.8, 1, 0.6, 0.4, 0.4), "any", 2, 5.0),
    Diagnosis("I63.9", True, (0, 0, 0.1, 1, 2.5, 3), "any", 4, 10.0),
    Diagnosis("I21.9", True, (0, 0, 0.1, 0.6, 1.2, 1.2), "any", 4, 8.0),
    Diagnosis("I50.9", True, (0, 0, 0, 0.3, 1.2, 2.5), "any", 0, 8.0),
    Diagnosis("J44.1", True, (0, 0, 0, 0.4, 1.8, 2.5), "any", 0, 8.0),
    Diagnosis("E11.6", True, (0, 0, 0.1, 0.8, 1.5, 1.2), "any", 0, 9.0),
    Diagnosis("N18.5", True, (0, 0, 0.1, 0.5, 0.8, 0.7), "any", 0, 7.0),
    Diagnosis("K80.2", True, (0, 0, 0.4, 0.8, 0.8, 0.5), "any", 2, 6.0, surgery="10.0592"),
    Diagnosis("K92.2", True, (0, 0, 0.2, 0.5, 0.8, 1), "any", 0, 6.0),
    Diagnosis("C34.9", True, (0, 0, 0, 0.3, 0.8, 0.6), "any", 0, 12.0),
    Diagnosis("I10", True, (0, 0, 0.1, 0.6, 1.2, 1.5), "any", 0, 5.0),
    Diagnosis("P59.9", True, (1.5, 0, 0, 0, 0, 0), "any", 1, 4.0),
)
STAY_CAP = 2.2  # natural stays never exceed 2.2 × the diagnosis mean (planted ones do)


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    table: str  # "drug" (XML2) or "service" (XML3); supplies are services with a supply code
    group: str  # MA_NHOM
    price: float  # VND, 2025
    unit: str


# Services (official prices), supplies and drugs (provincial joint tender), 2025 prices.
EXAMS = {  # by facility level
    "provincial": Item("02.1896", "Khám bệnh", "service", "13", 50_600, "Lần"),
    "regional": Item("02.1897", "Khám bệnh", "service", "13", 45_000, "Lần"),
    "commune_station": Item("02.1898", "Khám bệnh", "service", "13", 39_000, "Lần"),
    "private": Item("02.1897", "Khám bệnh", "service", "13", 45_000, "Lần"),
}
BEDS = {  # a day in a bed, by level (ICU beds cost more)
    "provincial": Item(
        "K01.1910", "Ngày giường bệnh Nội khoa hạng I", "service", "15", 262_000, "Ngày"
    ),
    "regional": Item(
        "K01.1911", "Ngày giường bệnh Nội khoa hạng II", "service", "15", 216_000, "Ngày"
    ),
    "commune_station": Item(
        "K01.1912", "Ngày giường bệnh trạm y tế", "service", "15", 140_000, "Ngày"
    ),
    "private": Item(
        "K01.1911", "Ngày giường bệnh Nội khoa hạng II", "service", "15", 216_000, "Ngày"
    ),
    "icu": Item("K05.1901", "Ngày giường Hồi sức cấp cứu", "service", "15", 650_000, "Ngày"),
}
LABS = (
    Item("22.0120", "Tổng phân tích tế bào máu ngoại vi", "service", "1", 46_200, "Lần"),
    Item("23.0075", "Định lượng Glucose", "service", "1", 21_500, "Lần"),
    Item("23.0051", "Định lượng Creatinin", "service", "1", 21_500, "Lần"),
    Item("23.0019", "Đo hoạt độ ALT", "service", "1", 21_500, "Lần"),
    Item("23.0206", "Tổng phân tích nước tiểu", "service", "1", 27_400, "Lần"),
    Item("23.0058", "Định lượng CRP", "service", "1", 53_600, "Lần"),
    Item("23.0083", "Định lượng HbA1c", "service", "1", 101_000, "Lần"),
    Item("23.0041", "Định lượng Cholesterol toàn phần", "service", "1", 26_900, "Lần"),
    Item("24.0109", "Dengue virus NS1Ag test nhanh", "service", "1", 130_000, "Lần"),
    Item("24.0001", "Cấy máu", "service", "1", 250_000, "Lần"),
)
IMAGING = (
    Item("18.0119", "Chụp X-quang ngực thẳng", "service", "2", 65_400, "Lần"),
    Item("18.0001", "Siêu âm ổ bụng", "service", "2", 43_900, "Lần"),
    Item("02.0085", "Điện tim thường", "service", "3", 32_800, "Lần"),
    Item("18.0181", "Chụp CT sọ não", "service", "2", 522_000, "Lần"),
    Item("18.0240", "Chụp cộng hưởng từ sọ não", "service", "2", 1_308_000, "Lần"),
    Item("02.0304", "Nội soi thực quản - dạ dày - tá tràng", "service", "3", 244_000, "Lần"),
)
IMAGING_P = np.array([0.30, 0.34, 0.20, 0.08, 0.02, 0.06])
SURGERIES = {
    "10.0581": Item(
        "10.0581", "Phẫu thuật nội soi cắt ruột thừa", "service", "8", 2_900_000, "Lần"
    ),
    "13.0032": Item("13.0032", "Đỡ đẻ thường ngôi chỏm", "service", "8", 1_050_000, "Lần"),
    "13.0069": Item("13.0069", "Phẫu thuật lấy thai", "service", "8", 3_100_000, "Lần"),
    "10.0985": Item("10.0985", "Phẫu thuật kết hợp xương đùi", "service", "8", 4_600_000, "Lần"),
    "10.0592": Item("10.0592", "Phẫu thuật nội soi cắt túi mật", "service", "8", 3_400_000, "Lần"),
}
SUPPLIES = (
    Item("N03.01.070", "Bộ dây truyền dịch", "service", "10", 12_000, "Bộ"),
    Item("N03.02.010", "Bơm tiêm nhựa 5ml", "service", "10", 1_200, "Cái"),
    Item("N04.01.020", "Kim luồn tĩnh mạch", "service", "10", 18_000, "Cái"),
    Item("N02.03.040", "Băng gạc vô trùng", "service", "10", 8_000, "Gói"),
    Item("N06.02.010", "Chỉ khâu phẫu thuật", "service", "10", 85_000, "Sợi"),
    Item("N07.01.100", "Nẹp vít kết hợp xương", "service", "10", 1_800_000, "Bộ"),
)
DRUGS = (
    # outpatient, oral (price per unit)
    Item("40.17", "Paracetamol 500mg", "drug", "4", 250, "Viên"),
    Item("40.150", "Amoxicilin 500mg", "drug", "4", 900, "Viên"),
    Item("40.168", "Cefuroxim 500mg", "drug", "4", 6_500, "Viên"),
    Item("40.491", "Metformin 850mg", "drug", "4", 1_000, "Viên"),
    Item("40.457", "Amlodipin 5mg", "drug", "4", 450, "Viên"),
    Item("40.466", "Losartan 50mg", "drug", "4", 1_500, "Viên"),
    Item("40.445", "Atorvastatin 20mg", "drug", "4", 1_800, "Viên"),
    Item("40.678", "Omeprazol 20mg", "drug", "4", 900, "Viên"),
    Item("40.56", "Diclofenac 50mg", "drug", "4", 400, "Viên"),
    Item("40.83", "Loratadin 10mg", "drug", "4", 500, "Viên"),
    Item("40.1049", "Vitamin B1 + B6 + B12", "drug", "4", 1_100, "Viên"),
    Item("40.1011", "Prednisolon 5mg", "drug", "4", 250, "Viên"),
    Item("40.236", "Ciprofloxacin 500mg", "drug", "4", 1_200, "Viên"),
    Item("40.855", "Salbutamol bình xịt 100mcg", "drug", "4", 70_000, "Bình"),
    Item("40.1030", "Oresol", "drug", "4", 2_500, "Gói"),
    Item("40.998", "Sắt + Acid folic", "drug", "4", 1_000, "Viên"),
    Item("40.529", "Insulin người 100UI/ml", "drug", "4", 95_000, "Lọ"),
    # inpatient, mostly injections and infusions (price per unit)
    Item("40.174", "Ceftriaxon 1g", "drug", "4", 19_000, "Lọ"),
    Item("40.1071", "Natri clorid 0,9% 500ml", "drug", "4", 9_500, "Chai"),
    Item("40.1073", "Glucose 5% 500ml", "drug", "4", 11_000, "Chai"),
    Item("40.1076", "Ringer lactat 500ml", "drug", "4", 11_500, "Chai"),
    Item("40.260", "Metronidazol 500mg/100ml", "drug", "4", 15_000, "Chai"),
    Item("40.571", "Heparin 25000UI", "drug", "4", 65_000, "Lọ"),
    Item("40.1060", "Albumin 20% 50ml", "drug", "4", 850_000, "Chai"),
    Item("40.201", "Meropenem 1g", "drug", "4", 210_000, "Lọ"),
    Item("40.306", "Oseltamivir 75mg", "drug", "4", 28_000, "Viên"),
    Item("40.950", "Oxytocin 5UI", "drug", "4", 7_500, "Ống"),
    Item("40.691", "Ondansetron 8mg", "drug", "4", 14_000, "Ống"),
    Item("40.680", "Pantoprazol 40mg", "drug", "4", 45_000, "Lọ"),
    Item("40.574", "Enoxaparin 40mg", "drug", "4", 95_000, "Bơm tiêm"),
)
OUTPATIENT_DRUGS = np.arange(0, 17)
INPATIENT_DRUGS = np.arange(17, len(DRUGS))
# drawing weights (cheap drugs prescribed far more often than dear ones)
OUTPATIENT_DRUG_P = np.array([10, 6, 3, 4, 5, 4, 4, 5, 4, 4, 4, 3, 3, 0.6, 2, 2, 0.5], dtype=float)
INPATIENT_DRUG_P = np.array([6, 10, 6, 6, 3, 1.5, 0.5, 0.4, 1, 1, 2, 2, 0.8])
# price changes: drug tenders each January, the service price list each July (synthetic)
DRUG_PRICE_YEARLY = 0.03
SERVICE_PRICE_JULY = 0.05

# card group letters (MA_THE_BHYT starts with them) and benefit level (MUC_HUONG %)
CARD_GROUP = {
    "employee": ("DN", 80),
    "pensioner": ("HT", 95),
    "unemployment_benefit": ("TN", 80),
    "child_under_6": ("TE", 100),
    "poor": ("HN", 100),
    "ethnic_minority_hardship": ("DT", 100),
    "meritorious": ("CC", 100),
    "social_protection": ("BT", 100),
    "social_pension": ("XH", 100),
    "near_poor": ("CN", 95),
    "student": ("HS", 80),
    "farming_average": ("NO", 80),
    "household": ("GD", 80),
    "voluntary": ("GD", 80),
    "other": ("GD", 80),
    "survivor_allowance": ("XB", 100),
}
LEVEL_DIGIT = {100: "1", 95: "3", 80: "4"}


def diagnosis_arrays() -> dict[str, np.ndarray]:
    """The diagnosis table as arrays (index = diagnosis number)."""
    return {
        "inpatient": np.array([d.inpatient for d in DIAGNOSES]),
        "weights": np.array([d.weights for d in DIAGNOSES], dtype=float),
        "female_only": np.array([d.sex == "female" for d in DIAGNOSES]),
        "department": np.array([d.department for d in DIAGNOSES], dtype=np.int64),
        "stay": np.array([d.stay for d in DIAGNOSES]),
        "chronic": np.array([d.chronic for d in DIAGNOSES]),
        "seasonal": np.array([d.seasonal for d in DIAGNOSES]),
    }
