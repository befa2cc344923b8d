"""A hand-made commune for the potential-list tests: two communes, three households, every
reason planted once or twice, each value chosen by hand (see tests/engine/
test_potential_cases.py for what is expected of it).  ``write_inputs`` writes its files,
``build`` imports them into a workspace and computes the lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

D = dt.date(2026, 10, 31)
YEAR = 105_300 * 12  # 1,263,600: household member 1
M2, M3, M4, M5 = 73_710 * 12, 63_180 * 12, 52_650 * 12, 42_120 * 12
STUDENT = 52_650 * 12  # 631,800: 50 % support
NEAR_POOR = 31_590 * 12  # 379,080: 70 % support

UNITS = """Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Loại đơn vị,Mã tỉnh
75,Đồng Nai,province,,tỉnh,75
75BH01,BHXH cơ sở Biên Hòa,office,75,BHXH cơ sở,75
26734,Phường Biên Hòa,commune,75BH01,phường,75
26735,Xã Phú Lý,commune,75BH01,xã,75
26734001,Khu phố 1,hamlet,26734,khu phố,75
26735001,Ấp 1,hamlet,26735,ấp,75
"""
OFFICERS = """Mã cán bộ,Họ và tên,Mã BHXH cơ sở
CB01,Trần Văn Quản,75BH01
"""
AGENTS = """Mã tổ chức dịch vụ thu,Tên tổ chức dịch vụ thu,Mã BHXH cơ sở
DL01,Bưu điện Biên Hòa,75BH01
"""
COLLECTORS = """Mã nhân viên thu,Họ và tên,Mã tổ chức dịch vụ thu,Mã thôn/ấp phụ trách,Số điện thoại
NVT01,Nguyễn Thị Thu,DL01,26734001,0901111111
NVT02,Lê Văn Thu,DL01,26735001,0902222222
"""
EMPLOYERS = """Mã đơn vị,Tên đơn vị,Loại hình sở hữu,Mã xã,Mã cán bộ chuyên quản,Vùng lương tối thiểu,Ngày đăng ký tham gia
DV001,Công ty TNHH Phú Lý,private,26735,CB01,1,01/01/2015
"""
HOUSEHOLDS = """Mã hộ gia đình,Mã thôn/ấp,Địa chỉ,Số định danh chủ hộ
H1,26734001,12 Lê Lợi,075080000101
H2,26735001,5 Ấp 1,075090000201
H3,26735001,9 Ấp 1,075070000301
"""
# person: ID, name, sex, birth, ethnicity, household, hamlet
PEOPLE = {
    "A": ("075080000101", "Nguyễn Văn An", "Nam", "1980-02-01", "Kinh", "H1", "26734001"),
    "B": ("075182000102", "Trần Thị Bình", "Nữ", "1982-03-01", "Kinh", "H1", "26734001"),
    "C": ("075210000103", "Nguyễn Văn Cường", "Nam", "2010-04-01", "Kinh", "H1", "26734001"),
    "E": ("075312000104", "Nguyễn Thị Em", "Nữ", "2012-05-01", "Kinh", "H1", "26734001"),
    "F": ("075205000105", "Nguyễn Văn Phúc", "Nam", "2005-06-01", "Kinh", "H1", "26734001"),
    "G": ("075050000106", "Nguyễn Văn Giáp", "Nam", "1950-07-01", "Kinh", "H1", "26734001"),
    "K": ("075090000201", "Lê Văn Khoa", "Nam", "1990-01-15", "Kinh", "H2", "26735001"),
    "L": ("075192000202", "Phạm Thị Lan", "Nữ", "1992-02-15", "Kinh", "H2", "26735001"),
    "M": ("075220000203", "Lê Văn Minh", "Nam", "2020-12-01", "Kinh", "H2", "26735001"),
    "N": ("075095000204", "Lê Văn Nam", "Nam", "1995-03-15", "Kinh", "H2", "26735001"),
    "U": ("075154000205", "Đỗ Thị Út", "Nữ", "1954-03-01", "Kinh", "H2", "26735001"),
    "P": ("075070000301", "Hoàng Văn Pha", "Nam", "1970-05-05", "Tày", "H3", "26735001"),
    "Q": ("075175000302", "Nông Thị Quế", "Nữ", "1975-06-06", "Tày", "H3", "26735001"),
    "R": ("075085000303", "Hoàng Văn Rạng", "Nam", "1985-07-07", "Tày", "H3", "26735001"),
    "S": ("075088000304", "Hoàng Văn Sơn", "Nam", "1988-08-08", "Tày", "H3", "26735001"),
    "V": ("075161000305", "Nông Thị Vân", "Nữ", "1961-09-09", "Tày", "H3", "26735001"),
}
# spell: person, scheme, group, payer, start, end, employer, income
SPELLS = [
    ("A", "bhyt", "household", "household", "2026-07-01", "2027-06-30", "", ""),
    ("B", "bhyt", "household", "household", "2025-11-16", "2026-11-15", "", ""),
    ("F", "bhyt", "household", "household", "2025-10-01", "2026-09-30", "", ""),
    ("K", "bhyt", "near_poor", "budget_supported", "2026-01-01", "2026-12-15", "", ""),
    ("L", "bhyt", "near_poor", "budget_supported", "2026-01-01", "2026-12-15", "", ""),
    ("M", "bhyt", "child_under_6", "state_budget", "2020-12-01", "2026-11-30", "", ""),
    ("P", "bhyt", "ethnic_minority_hardship", "state_budget", "2020-01-01", "2026-11-20", "", ""),
    ("Q", "bhyt", "household", "household", "2026-03-01", "2027-02-28", "", ""),
    ("Q", "bhxh_voluntary", "voluntary", "self", "2024-01-01", "2026-11-30", "", "2000000"),
    ("R", "bhxh_voluntary", "voluntary", "self", "2023-01-01", "2026-05-31", "", "1500000"),
    ("S", "bhyt", "employee", "employer", "2020-01-01", "2026-08-31", "DV001", "8000000"),
    (
        "S",
        "bhxh_compulsory",
        "employee",
        "employer",
        "2020-01-01",
        "2026-08-31",
        "DV001",
        "8000000",
    ),
]


def write_inputs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "units.csv": UNITS,
        "officers.csv": OFFICERS,
        "agents.csv": AGENTS,
        "collectors.csv": COLLECTORS,
        "employers.csv": EMPLOYERS,
        "households.csv": HOUSEHOLDS,
    }
    res = [
        "Số định danh cá nhân,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã hộ gia đình,"
        "Quan hệ với chủ hộ,Mã thôn/ấp,Số điện thoại,Mã số BHXH,Ngày mất"
    ]
    for k, (pid, name, sex, birth, eth, hh, hamlet) in PEOPLE.items():
        phone = "0912345678" if k in ("A", "K") else ""
        res.append(f"{pid},{name},{sex},{birth},{eth},{hh},,{hamlet},{phone},,")
    files["residents.csv"] = "\n".join(res) + "\n"
    enr = [
        "Mã quá trình tham gia,Số định danh cá nhân,Họ và tên,Giới tính,Ngày sinh,Loại hình,"
        "Nhóm đối tượng,Đối tượng đóng,Mã đơn vị,Từ ngày,Đến ngày,Mức lương đóng,"
        "Mã tỉnh tham gia,Mã thôn/ấp nơi cư trú"
    ]
    for i, (k, scheme, group, payer, start, end, emp, wage) in enumerate(SPELLS):
        pid, name, sex, birth, _, _, hamlet = PEOPLE[k]
        enr.append(
            f"QT{i:04d},{pid},{name},{sex},{birth},{scheme},{group},{payer},{emp},{start},"
            f"{end},{wage},75,{hamlet}"
        )
    files["enrolments.csv"] = "\n".join(enr) + "\n"
    hc = [
        "Năm,Mã xã,Mã hộ gia đình,Phân loại hộ,STT thành viên,Số định danh cá nhân,Họ và tên,"
        "Giới tính,Ngày sinh,Từ ngày,Đến ngày"
    ]
    for n, k in enumerate(("K", "L", "M", "N", "U"), start=1):
        pid, name, sex, birth, *_ = PEOPLE[k]
        hc.append(
            f"2026,26735,H2,Hộ cận nghèo,{n},{pid},{name},{sex},{birth},2026-01-01,2026-12-15"
        )
    files["household_classifications.csv"] = "\n".join(hc) + "\n"
    rs = [
        "Năm học,Mã trường,Tên trường,Mã xã,Lớp,STT,Họ và tên,Số định danh cá nhân,Giới tính,"
        "Ngày sinh"
    ]
    for n, k in enumerate(("C", "E"), start=1):
        pid, name, sex, birth, *_ = PEOPLE[k]
        rs.append(
            f"2026-2027,26734PT01,Trường THPT Biên Hòa,26734,10A1,{n},{name},{pid},{sex},{birth}"
        )
    rs.append("2026-2027,26734PT01,Trường THPT Biên Hòa,26734,10A1,3,Lê Văn Xuân,,Nam,2011-01-20")
    files["school_rosters.csv"] = "\n".join(rs) + "\n"
    bl = [
        "Tháng,Loại trợ cấp,Mã xã,STT,Số định danh cá nhân,Họ và tên,Giới tính,Ngày sinh,"
        "Hưởng từ ngày,Hưởng đến ngày"
    ]
    rows = [
        ("G", "Trợ cấp hưu trí xã hội", "26734", "2025-07-01"),
        ("U", "Trợ cấp tuất hằng tháng", "26735", "2020-01-01"),
        ("V", "Trợ cấp tuất hằng tháng", "26735", "2021-01-01"),
    ]
    for n, (k, benefit, commune, since) in enumerate(rows, start=1):
        pid, name, sex, birth, *_ = PEOPLE[k]
        bl.append(f"2026-10,{benefit},{commune},{n},{pid},{name},{sex},{birth},{since},")
    files["benefit_lists.csv"] = "\n".join(bl) + "\n"
    files["disadvantaged_communes.csv"] = (
        "Mã xã,Khu vực,Từ ngày,Đến ngày,Quyết định\n"
        "26735,Khu vực III,2021-06-04,2026-11-20,Quyết định 1119/QĐ-TTg\n"
    )
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def build(ws: Any, folder: Path) -> Any:
    from baophu.engine.potential.run import run_lists
    from baophu.ingest.importer import import_paths

    write_inputs(folder)
    with ws.store() as store:
        result = import_paths(store, [folder], ws.rejects_dir)
        assert result.committed, result.error
        assert sum(f.rows_rejected for f in result.files) == 0
        run_lists(store, D)
        lst = store.read_mart("potential_list").to_pyarrow().to_pylist()
        persons = store.read_mart("potential_persons").to_pyarrow().to_pylist()
    return lst, persons


def fill_work_sheet(
    path: Path, edits: dict[str, tuple[Any, Any, Any]], sheet: str = "Khu phố 1"
) -> Path:
    """A returned work sheet: outcome, date and amount collected written, as a collector
    would, into the rows of the given row keys; saved beside ``path``."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book[sheet]
    col = {c.value: c.column for c in ws[5]}
    for row in ws.iter_rows(min_row=6):
        key = row[col["Mã dòng"] - 1].value
        if key in edits:
            outcome, day, amount = edits[key]
            ws.cell(row=row[0].row, column=col["Kết quả"], value=outcome)
            ws.cell(row=row[0].row, column=col["Ngày liên hệ"], value=day)
            ws.cell(row=row[0].row, column=col["Số tiền đã thu (đồng)"], value=amount)
    out = path.with_name(path.stem + "_ket_qua.xlsx")
    book.save(out)
    return out


def copy_workspace(root: Path, target: Path) -> Any:
    """A copy of the workspace at ``root`` (its operational database left behind)."""
    import shutil

    from baophu.workspace import Workspace

    shutil.copytree(root, target, ignore=shutil.ignore_patterns("*.sqlite*"))
    return Workspace.open(target)


def pid(k: str) -> str:
    return PEOPLE[k][0]
