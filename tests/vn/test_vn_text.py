"""NFC and folding."""

from __future__ import annotations

from baophu.vn.text import fold, nfc, strip_marks


def test_nfc() -> None:
    decomposed = "Nguye\u0302\u0303n"
    assert decomposed != "Nguyễn"
    assert nfc(decomposed) == "Nguyễn"
    assert nfc(None) == ""
    assert nfc(12) == "12"


def test_fold_for_matching() -> None:
    assert fold("Cận nghèo") == "can ngheo"
    assert fold("CAN_NGHEO") == "can ngheo"
    assert fold("  Dân   tộc-thiểu số ") == "dan toc thieu so"
    assert fold("Đồng Nai") == "dong nai"
    assert fold("Nguye\u0302\u0303n") == "nguyen"
    assert fold("a/b", separators="/") == "a b"
    assert fold(None) == ""
    assert strip_marks("Nữ") == "nu"
