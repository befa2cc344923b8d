"""Hand-built claims in the Ministry of Health's XML format (QĐ 130/QĐ-BYT), written field by
field so tests state what they expect without running the code under test.

``claim()`` gives the XML1 fields of one visit; ``drug()`` and ``service()`` lines; ``record()``
one HOSO (each table base64-encoded in NOIDUNGFILE); ``envelope()`` the GIAMDINHHS file.
"""

from __future__ import annotations

import base64
from pathlib import Path

# units of tests/conftest.py (commune 26734) plus a facility list and enrolments.
FACILITIES_CSV = """Mã cơ sở KCB,Tên cơ sở KCB,Tuyến,Hình thức sở hữu,Mã xã,Nhận đăng ký KCB ban đầu,Số giường kế hoạch
75001,Bệnh viện Đa khoa Đồng Nai,provincial,public,26734,có,1200
75002,Trạm Y tế Phường Biên Hòa,commune_station,public,26734,có,
"""

# Two people insured: An (075085000001) and Bình (075185000002).
ENROLMENTS_CSV = """Mã quá trình tham gia,Số định danh cá nhân,Mã số BHXH,Họ và tên,Giới tính,Ngày sinh,Loại hình,Nhóm đối tượng,Đối tượng đóng,Mã đơn vị,Từ ngày,Đến ngày,Mức lương đóng,Mã tỉnh tham gia,Mã thôn/ấp nơi cư trú,Mã nhân viên thu
E1,075085000001,,Nguyễn Văn An,Nam,12/03/1985,bhyt,household,household,,01/01/2024,31/12/2025,,75,26734001,
E2,075185000002,,Trần Thị Bình,Nữ,01/07/1985,bhyt,household,household,,01/01/2024,31/12/2025,,75,26734001,
"""

CLAIM_FIELDS = [
    "MA_LK",
    "STT",
    "MA_BN",
    "HO_TEN",
    "SO_CCCD",
    "NGAY_SINH",
    "GIOI_TINH",
    "MA_THE_BHYT",
    "MA_DKBD",
    "GT_THE_TU",
    "GT_THE_DEN",
    "MA_BENH_CHINH",
    "MA_BENH_KT",
    "MA_DOITUONG_KCB",
    "NGAY_VAO",
    "NGAY_VAO_NOI_TRU",
    "NGAY_RA",
    "SO_NGAY_DTRI",
    "KET_QUA_DTRI",
    "MA_LOAI_RV",
    "T_THUOC",
    "T_VTYT",
    "T_TONGCHI_BV",
    "T_TONGCHI_BH",
    "T_BNTT",
    "T_BNCCT",
    "T_BHTT",
    "T_NGUONKHAC",
    "NAM_QT",
    "THANG_QT",
    "MA_LOAI_KCB",
    "MA_KHOA",
    "MA_CSKCB",
    "MATINH_CU_TRU",
]
DRUG_FIELDS = [
    "MA_LK",
    "STT",
    "MA_THUOC",
    "MA_NHOM",
    "TEN_THUOC",
    "DON_VI_TINH",
    "TT_THAU",
    "SO_LUONG",
    "DON_GIA",
    "TYLE_TT_BH",
    "THANH_TIEN_BV",
    "THANH_TIEN_BH",
    "MUC_HUONG",
    "T_BHTT",
    "T_BNCCT",
    "T_BNTT",
    "MA_KHOA",
    "MA_BAC_SI",
    "NGAY_YL",
]
SERVICE_FIELDS = [
    "MA_LK",
    "STT",
    "MA_DICH_VU",
    "MA_VAT_TU",
    "MA_NHOM",
    "TEN_DICH_VU",
    "SO_LUONG",
    "DON_GIA_BV",
    "DON_GIA_BH",
    "TT_THAU",
    "TYLE_TT_BH",
    "THANH_TIEN_BV",
    "THANH_TIEN_BH",
    "MUC_HUONG",
    "T_BHTT",
    "T_BNCCT",
    "MA_KHOA",
    "MA_GIUONG",
    "MA_BAC_SI",
    "NGAY_YL",
    "NGAY_KQ",
]


def claim(ma_lk: str, **fields: str) -> dict[str, str]:
    """An outpatient visit of An at 75001 on 10/03/2025: 200,000 VND, the fund pays 80 %."""
    base = {
        "MA_LK": ma_lk,
        "STT": "1",
        "MA_BN": "BN001",
        "HO_TEN": "Nguyễn Văn An",
        "SO_CCCD": "075085000001",
        "NGAY_SINH": "198503120000",
        "GIOI_TINH": "1",
        "MA_THE_BHYT": "GD4755085000001",
        "MA_DKBD": "75001",
        "GT_THE_TU": "20250101",
        "GT_THE_DEN": "20251231",
        "MA_BENH_CHINH": "J06.9",
        "MA_BENH_KT": "",
        "MA_DOITUONG_KCB": "1",
        "NGAY_VAO": "202503100800",
        "NGAY_VAO_NOI_TRU": "",
        "NGAY_RA": "202503101000",
        "SO_NGAY_DTRI": "0",
        "KET_QUA_DTRI": "1",
        "MA_LOAI_RV": "1",
        "T_THUOC": "120000",
        "T_VTYT": "0",
        "T_TONGCHI_BV": "200000",
        "T_TONGCHI_BH": "200000",
        "T_BNTT": "0",
        "T_BNCCT": "40000",
        "T_BHTT": "160000",
        "T_NGUONKHAC": "0",
        "NAM_QT": "2025",
        "THANG_QT": "3",
        "MA_LOAI_KCB": "01",
        "MA_KHOA": "K01",
        "MA_CSKCB": "75001",
        "MATINH_CU_TRU": "75",
    }
    base.update(fields)
    return base


def drug(ma_lk: str, stt: int, **fields: str) -> dict[str, str]:
    """10 tablets at 12,000 VND, 80 % paid by the fund."""
    base = {
        "MA_LK": ma_lk,
        "STT": str(stt),
        "MA_THUOC": "40.17",
        "MA_NHOM": "4",
        "TEN_THUOC": "Paracetamol 500mg",
        "DON_VI_TINH": "Viên",
        "TT_THAU": "QĐ 123/QĐ-SYT;G1;N4;2025",
        "SO_LUONG": "10",
        "DON_GIA": "12000",
        "TYLE_TT_BH": "100",
        "THANH_TIEN_BV": "120000",
        "THANH_TIEN_BH": "120000",
        "MUC_HUONG": "80",
        "T_BHTT": "96000",
        "T_BNCCT": "24000",
        "T_BNTT": "0",
        "MA_KHOA": "K01",
        "MA_BAC_SI": "BS001",
        "NGAY_YL": "202503100830",
    }
    base.update(fields)
    return base


def service(ma_lk: str, stt: int, **fields: str) -> dict[str, str]:
    """An examination at 80,000 VND."""
    base = {
        "MA_LK": ma_lk,
        "STT": str(stt),
        "MA_DICH_VU": "02.1896",
        "MA_VAT_TU": "",
        "MA_NHOM": "13",
        "TEN_DICH_VU": "Khám Nội",
        "SO_LUONG": "1",
        "DON_GIA_BV": "80000",
        "DON_GIA_BH": "80000",
        "TT_THAU": "",
        "TYLE_TT_BH": "100",
        "THANH_TIEN_BV": "80000",
        "THANH_TIEN_BH": "80000",
        "MUC_HUONG": "80",
        "T_BHTT": "64000",
        "T_BNCCT": "16000",
        "MA_KHOA": "K01",
        "MA_GIUONG": "",
        "MA_BAC_SI": "BS001",
        "NGAY_YL": "202503100815",
        "NGAY_KQ": "202503100830",
    }
    base.update(fields)
    return base


def _leaves(fields: dict[str, str]) -> str:
    return "".join(f"<{k}>{_escape(v)}</{k}>" if v != "" else f"<{k}/>" for k, v in fields.items())


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml1(fields: dict[str, str]) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<TONG_HOP>{_leaves(fields)}</TONG_HOP>'


def xml2(lines: list[dict[str, str]]) -> str:
    body = "".join(f"<CHI_TIET_THUOC>{_leaves(line)}</CHI_TIET_THUOC>" for line in lines)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<CHITIEU_CHITIET_THUOC>'
        f"<DSACH_CHI_TIET_THUOC>{body}</DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>"
    )


def xml3(lines: list[dict[str, str]]) -> str:
    body = "".join(f"<CHI_TIET_DVKT>{_leaves(line)}</CHI_TIET_DVKT>" for line in lines)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<CHITIEU_CHITIET_DVKT_VTYT>'
        f"<DSACH_CHI_TIET_DVKT>{body}</DSACH_CHI_TIET_DVKT></CHITIEU_CHITIET_DVKT_VTYT>"
    )


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def record(
    claim_fields: dict[str, str] | None,
    drugs: list[dict[str, str]] = (),  # type: ignore[assignment]
    services: list[dict[str, str]] = (),  # type: ignore[assignment]
    raw: dict[str, str] | None = None,
) -> str:
    """One HOSO; ``raw`` gives NOIDUNGFILE texts as they are (kind -> text) for bad cases."""
    files = []
    if claim_fields is not None:
        files.append(("XML1", b64(xml1(claim_fields))))
    if drugs:
        files.append(("XML2", b64(xml2(list(drugs)))))
    if services:
        files.append(("XML3", b64(xml3(list(services)))))
    for kind, text in (raw or {}).items():
        files.append((kind, text))
    inner = "".join(
        f"<FILEHOSO><LOAIHOSO>{k}</LOAIHOSO><NOIDUNGFILE>{v}</NOIDUNGFILE></FILEHOSO>"
        for k, v in files
    )
    return f"<HOSO>{inner}</HOSO>"


def envelope(records: list[str], facility: str = "75001", declared: int | None = None) -> str:
    count = len(records) if declared is None else declared
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<GIAMDINHHS>'
        f"<THONGTINDONVI><MACSKCB>{facility}</MACSKCB></THONGTINDONVI>"
        f"<THONGTINHOSO><NGAYLAP>20250401</NGAYLAP><SOLUONGHOSO>{count}</SOLUONGHOSO>"
        f"<DANHSACHHOSO>{''.join(records)}</DANHSACHHOSO></THONGTINHOSO>"
        "<CHUKYDONVI/></GIAMDINHHS>\n"
    )


def write_base(folder: Path) -> None:
    """facilities and enrolments beside the conftest's units, households and residents."""
    (folder / "facilities.csv").write_text(FACILITIES_CSV, encoding="utf-8")
    (folder / "enrolments.csv").write_text(ENROLMENTS_CSV, encoding="utf-8")
