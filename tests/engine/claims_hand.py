"""A hand-made province for the claims engine's tests: two grassroots offices, three
facilities, a few residents (one dead), a tender price, and claims written field by field
as monthly extracts (the Ministry's column names), each scenario on its own person so that
every expected value is stated by hand."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "ingest"))
import claims_build as cb

UNITS = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
75BH02,BHXH cơ sở Long Khánh,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
26735,Xã Phú Lý,commune,75BH02,xã,75
26734001,Khu phố 1,hamlet,26734,khu phố,75
26735001,Ấp 1,hamlet,26735,ấp,75
"""
HOUSEHOLDS = """Mã hộ gia đình,Mã thôn/ấp,Địa chỉ,Số định danh chủ hộ
H1,26734001,12 Lê Lợi,075085000001
"""
# Lê Văn Tư (075060000009) died on 01/02/2025.
RESIDENTS = """Số định danh cá nhân,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã hộ gia đình,Quan hệ với chủ hộ,Mã thôn/ấp,Số điện thoại,Mã số BHXH,Ngày mất
075085000001,Nguyễn Văn An,Nam,12/03/1985,Kinh,H1,Chủ hộ,26734001,,,
075060000009,Lê Văn Tư,Nam,01/01/1960,Kinh,H1,Cha,26734001,,,01/02/2025
"""
FACILITIES = """Mã cơ sở KCB,Tên cơ sở KCB,Tuyến,Hình thức sở hữu,Mã xã,Nhận đăng ký KCB ban đầu,Số giường kế hoạch
75001,Bệnh viện Đa khoa Đồng Nai,provincial,public,26734,có,1200
75002,Trạm Y tế Phường Biên Hòa,commune_station,public,26734,có,
75003,Trung tâm Y tế khu vực Long Khánh,regional,public,26735,có,300
"""
# Paracetamol (40.17) at 12,000 VND from 01/01/2025 at every facility.
TENDER = """item_kind,item_code,item_name,unit_price,facility_code,valid_from,valid_to
drug,40.17,Paracetamol 500mg,12000,,01/01/2025,
"""


def person(n: int) -> dict[str, str]:
    """The n-th made-up patient: ID 07509000xxxx, card GD47550900000xx."""
    return {
        "SO_CCCD": f"0750900{n:05d}",
        "MA_THE_BHYT": f"GD475090{n:07d}",
        "HO_TEN": f"Phạm Văn Người{n}",
        "NGAY_SINH": "199001010000",
    }


def stay(ma_lk: str, n: int, vao: str, ra: str, days: int, **fields: str) -> dict[str, str]:
    """An inpatient stay (03) of patient n at 75001."""
    base = {
        **person(n),
        "MA_LOAI_KCB": "03",
        "NGAY_VAO": vao,
        "NGAY_VAO_NOI_TRU": vao,
        "NGAY_RA": ra,
        "SO_NGAY_DTRI": str(days),
        "MA_BENH_CHINH": "J18.9",
    }
    return cb.claim(ma_lk, **{**base, **fields})


def write(folder: Path, claims: list[dict], drugs: list[dict], services: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    (folder / "households.csv").write_text(HOUSEHOLDS, encoding="utf-8")
    (folder / "residents.csv").write_text(RESIDENTS, encoding="utf-8")
    (folder / "facilities.csv").write_text(FACILITIES, encoding="utf-8")
    (folder / "tender_prices.csv").write_text(TENDER, encoding="utf-8")
    for name, fields, rows in (
        ("claims", cb.CLAIM_FIELDS, claims),
        ("claim_drugs", [*cb.DRUG_FIELDS, "MA_CSKCB"], drugs),
        ("claim_services", [*cb.SERVICE_FIELDS, "MA_CSKCB"], services),
    ):
        with open(folder / f"{name}_2025_03.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            for row in rows:
                w.writerow({k: row.get(k, "75001" if k == "MA_CSKCB" else "") for k in fields})
