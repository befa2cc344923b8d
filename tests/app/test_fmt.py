"""Vietnamese display formats."""

from __future__ import annotations

import datetime as dt

from baophu.app import fmt


def test_numbers_dates_percentages() -> None:
    assert fmt.num(1115590) == "1.115.590"
    assert fmt.num(1234.56, 1) == "1.234,6"
    assert fmt.pct(0.953) == "95,3%"
    assert fmt.pct(0.02271, 2) == "2,27%"
    assert fmt.date(dt.date(2026, 12, 31)) == "31/12/2026"
    assert fmt.date("2026-10-31") == "31/10/2026"
    assert fmt.month(dt.date(2026, 10, 1)) == "10/2026"
    assert fmt.money(12_500_000) == "12.500.000 đ"
    assert fmt.signed(-1234) == "−1.234" and fmt.signed(5) == "+5"
    assert fmt.num(None) == "" and fmt.pct(None) == ""


def test_masking() -> None:
    assert fmt.mask_id("075085000001") == "********0001"
    assert fmt.mask_id("075085000001", full=True) == "075085000001"
    # a legacy social-insurance code (10 digits) is personal data too
    text = "số định danh 075222297361 không khớp; mã 7512345678; 12 người"
    assert fmt.mask_ids_in(text) == "số định danh ********7361 không khớp; mã ******5678; 12 người"


def test_nfc() -> None:
    decomposed = "Nguye\u0302\u0303n"
    assert fmt.nfc(decomposed) == "Nguyễn"


def test_web_rounds_halves_away_from_zero() -> None:
    # the web rounded to even (2,5 → 2) and the command line truncated; both now round up
    assert fmt.num(2.5) == "3"
    assert fmt.num(1_115_590.5) == "1.115.591"
    assert fmt.pct(0.0125) == "1,3%"
    assert fmt.FILTERS["millions"](39_650_000) == "39,7 tr"
