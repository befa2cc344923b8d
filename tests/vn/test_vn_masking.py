"""Masking of personal IDs, legacy social-insurance codes and phone numbers: single values,
free text (reason texts, audit details, error messages, raw rows) and columns by meaning.
Every expected string is written by hand."""

from __future__ import annotations

import pytest

from baophu.vn.masking import (
    column_kind,
    has_unmasked,
    mask_column,
    mask_quoted,
    mask_text,
    mask_value,
)


def test_a_value_keeps_its_last_four_digits() -> None:
    assert mask_value("075085000001") == "********0001"  # personal ID
    assert mask_value("7512345678") == "******5678"  # legacy social-insurance code
    assert mask_value("0901234567") == "******4567"  # mobile phone
    assert mask_value("0901 234 567") == "**** **4 567"  # separators kept, digits hidden
    assert mask_value("07508500000x") == "*******0000x"  # a mistyped ID is still an ID
    assert mask_value(" 075085000001 ") == "********0001"
    assert mask_value("1234") == "****"  # too short to show anything
    assert mask_value("") == "" and mask_value(None) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Số định danh 075216242589 không khớp dữ liệu dân cư.",
            "Số định danh ********2589 không khớp dữ liệu dân cư.",
        ),
        ("Mã số BHXH 7512345678 cũ", "Mã số BHXH ******5678 cũ"),
        ("row_key=075085000001; outcome=enrolled", "row_key=********0001; outcome=enrolled"),
        # a raw CSV row: fields next to commas and other numbers
        (
            "5,075085000001,Nguyễn Văn An,0901234567,H1",
            "5,********0001,Nguyễn Văn An,******4567,H1",
        ),
        ("gọi 0901 234 567", "gọi **** **4 567"),
        ("hoặc 090.123.4567", "hoặc ***.***.4567"),
        ("số +84 901 234 567", "số +** *** **4 567"),
        ("ID 075 085 000 001.", "ID *** *** **0 001."),
        ("cũ: CMND 123456789", "cũ: CMND *****6789"),  # the 9-digit identity card
        ("máy bàn 02513822222", "máy bàn *******2222"),  # 11 digits
    ],
)
def test_free_text_masks_ids_codes_and_phones(text: str, expected: str) -> None:
    assert mask_text(text) == expected
    assert not has_unmasked(mask_text(text))


@pytest.mark.parametrize(
    "text",
    [
        "Số tiền 12.500.000.000 đồng; 2.983.296 người",  # amounts with thousands dots
        "Thôn 26734001, xã 26734, tỉnh 75",  # unit codes (8 digits or fewer)
        "ngày 01.02.2026, năm học 2026-2027",  # dates
        "tỷ lệ 0.9456852791878173",  # a long decimal is not an ID
        "mã số thuế 3600123456001 (13 chữ số)",  # longer runs are not IDs
        "",
    ],
)
def test_free_text_keeps_what_is_not_personal(text: str) -> None:
    assert mask_text(text) == text


def test_columns_by_meaning_whatever_the_header() -> None:
    assert column_kind("person_id", "person_id") == "person_id"
    assert column_kind("head_person_id") == "person_id"
    assert column_kind("si_code", "si_code") == "si_code"
    assert column_kind("anything", "si_code") == "si_code"  # the contract's check decides
    assert column_kind("phone") == "phone"
    assert column_kind("contact_phone") == "phone"
    assert column_kind("full_name") is None and column_kind("tax_code", "tax_code") is None
    # a column of personal data is masked whole, whatever the value looks like
    assert mask_column("07508500000", "person_id") == "*******0000"
    assert mask_column("abc-12345", "phone") == "abc-*2345"
    # any other column: free-text masking
    assert mask_column("ghi chú 0901234567", None) == "ghi chú ******4567"


def test_a_reason_that_quotes_the_rejected_value() -> None:
    # a 16-digit value is not an ID by shape, but it sits in an ID column: masked where quoted
    reason = "Số định danh phải có 12 chữ số: 0750850000012345"
    assert (
        mask_quoted(reason, ["0750850000012345"])
        == "Số định danh phải có 12 chữ số: ************2345"
    )
