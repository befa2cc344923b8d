"""The issuing body, symbol and recipients' side of a document, by the level of the unit it
reports on (Decree 30/2020/NĐ-CP, Appendix I: the issuing body under the body it belongs
to, in capitals; number and symbol; place and date)."""

from __future__ import annotations

import datetime as dt

from baophu.reports.documents.model import Frame

LEVEL_VI = {
    "province": "tỉnh",
    "office": "BHXH cơ sở",
    "commune": "xã, phường",
    "hamlet": "thôn, ấp",
}
CHILD_LEVEL = {"province": "commune", "office": "commune", "commune": "hamlet"}
CHILD_LEVEL_VI = {"commune": "xã, phường", "hamlet": "thôn, ấp, khu phố"}


def province_title(province_name: str) -> str:
    """ "TỈNH ĐỒNG NAI" / "THÀNH PHỐ HÀ NỘI" (a name that already says Thành phố keeps it)."""
    name = province_name.strip()
    folded = name.casefold()
    if folded.startswith(("thành phố", "tỉnh")):
        return name.upper()
    if folded in {"hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ", "huế"}:
        return f"THÀNH PHỐ {name.upper()}"
    return f"TỈNH {name.upper()}"


def province_phrase(province_name: str) -> str:
    """ "tỉnh Đồng Nai" / "thành phố Hà Nội", for the middle of a sentence."""
    city = province_title(province_name).startswith("THÀNH PHỐ")
    return ("thành phố " if city else "tỉnh ") + place_name(province_name)


def place_name(province_name: str) -> str:
    """The place of the date line: the province's name without "Tỉnh"/"Thành phố"."""
    name = province_name.strip()
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def frame_for(
    level: str,
    unit_name: str,
    province_name: str,
    office_name: str | None,
    issued: dt.date,
    subtitle: str,
    recipients: list[str] | None = None,
) -> Frame:
    """The frame of a report on a unit of ``level``: a commune's report is its steering
    committee's, the others the social-insurance office's; ``recipients`` default to the
    steering committee's members and the body above."""
    province = province_title(province_name)
    if level == "commune":
        return Frame(
            parent_body=f"ỦY BAN NHÂN DÂN {unit_name.upper()}",
            issuing_body="BAN CHỈ ĐẠO THỰC HIỆN CHÍNH SÁCH BHXH, BHYT, BHTN",
            symbol="BC-BCĐ",
            place=place_name(province_name),
            issued=issued,
            title="BÁO CÁO",
            subtitle=subtitle,
            signer_authority="TM. BAN CHỈ ĐẠO",
            signer_title="TRƯỞNG BAN",
            recipients=recipients
            or [
                f"Ban Chỉ đạo {province_phrase(province_name)} (qua BHXH tỉnh)",
                f"Thường trực Đảng ủy, HĐND, UBND {unit_name}",
                "Các thành viên Ban Chỉ đạo",
                "BHXH cơ sở",
            ],
        )
    if level == "office":
        return Frame(
            parent_body=f"BẢO HIỂM XÃ HỘI {province}",
            issuing_body=(office_name or unit_name).upper(),
            symbol="BC-BHXH",
            place=place_name(province_name),
            issued=issued,
            title="BÁO CÁO",
            subtitle=subtitle,
            recipients=recipients
            or [f"BHXH {province_phrase(province_name)}", "Ban Chỉ đạo các xã, phường trực thuộc"],
        )
    return Frame(
        parent_body="BẢO HIỂM XÃ HỘI VIỆT NAM",
        issuing_body=f"BẢO HIỂM XÃ HỘI {province}",
        symbol="BC-BHXH",
        place=place_name(province_name),
        issued=issued,
        title="BÁO CÁO",
        subtitle=subtitle,
        recipients=recipients
        or [
            "BHXH Việt Nam (b/c)",
            f"Thường trực Tỉnh ủy, HĐND, UBND {province_phrase(province_name)} (b/c)",
            "Các thành viên Ban Chỉ đạo",
            "BHXH cơ sở",
        ],
    )
