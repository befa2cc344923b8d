"""Vietnamese name normalisation and the comparison levels, on hand-made examples.

The expected values are written by hand here; the Splink comparisons are scored with
Splink's own ``score_pairs`` on an in-memory DuckDB, so each level is checked as Splink
evaluates it, not as this project thinks it does.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import ibis
import pytest

from baophu.engine.identity import (
    day_month_swapped,
    given_name,
    name_folded,
    name_folded_expr,
    name_key,
    name_key_expr,
    surname,
)
from baophu.engine.linkage.settings import comparisons


@pytest.mark.parametrize(
    ("raw", "key", "folded"),
    [
        ("Nguyễn Văn An", "nguyễn văn an", "nguyen van an"),
        ("  NGUYỄN   VĂN  AN ", "nguyễn văn an", "nguyen van an"),
        ("Đặng Thị Ánh", "đặng thị ánh", "dang thi anh"),
        ("Đỗ Đức Đạt", "đỗ đức đạt", "do duc dat"),
        ("Hoàng Thị Thuỷ", "hòang thị thủy", "hoang thi thuy"),
        ("Hoàng Thị Thủy", "hòang thị thủy", "hoang thi thuy"),
        ("Lê Thị Hoà", "lê thị hòa", "le thi hoa"),
        ("Lê Thị Hòa", "lê thị hòa", "le thi hoa"),
        ("Trần Văn Khoẻ", "trần văn khỏe", "tran van khoe"),
        ("Phạm Thị Quỳnh", "phạm thị qùynh", "pham thi quynh"),
        ("Lê-Văn. Tý", "lê văn tý", "le van ty"),
        ("Nguyen Van An", "nguyen van an", "nguyen van an"),
        ("Ksor H'Nhi", "ksor h nhi", "ksor h nhi"),
        ("", None, None),
        ("   ", None, None),
        (None, None, None),
    ],
)
def test_name_key_and_folded(raw: str | None, key: str | None, folded: str | None) -> None:
    assert name_key(raw) == key
    assert name_folded(raw) == folded


def test_decomposed_input_is_the_same_name() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    assert nfd != "Nguyễn Thị Ánh Tuyết"
    assert name_key(nfd) == name_key("Nguyễn Thị Ánh Tuyết") == "nguyễn thị ánh tuyết"
    assert name_folded(nfd) == "nguyen thi anh tuyet"


def test_surname_and_given_name_in_vietnamese_order() -> None:
    assert surname("Nguyễn Văn An") == "nguyen"
    assert given_name("Nguyễn Văn An") == "an"
    assert surname("Trương Thị Ngọc Bích") == "truong"
    assert given_name("Trương Thị Ngọc Bích") == "bich"
    assert surname(None) is None


@pytest.mark.parametrize(
    ("a", "b", "swapped"),
    [
        (dt.date(2015, 3, 4), dt.date(2015, 4, 3), True),
        (dt.date(2015, 4, 3), dt.date(2015, 3, 4), True),
        (dt.date(2012, 12, 1), dt.date(2012, 1, 12), True),
        (dt.date(2015, 3, 4), dt.date(2015, 3, 4), False),  # equal, not swapped
        (dt.date(2015, 5, 5), dt.date(2015, 5, 5), False),  # day = month
        (dt.date(2015, 3, 4), dt.date(2016, 4, 3), False),  # another year
        (dt.date(2015, 3, 14), dt.date(2015, 3, 4), False),
        (None, dt.date(2015, 3, 4), False),
    ],
)
def test_day_month_swapped(a: dt.date | None, b: dt.date | None, swapped: bool) -> None:
    assert day_month_swapped(a, b) is swapped


NAMES = [
    "Nguyễn Văn Đức",
    "HOÀNG THỊ THUỶ",
    "Hoà",
    "Lê-Thị  Quỳnh.",
    "Trần Ngọc Bảo Hân",
    "Điểu Thị Mỹ",
    "Rơ Mah Nay",
    "Nguyễn Khoẻ",
    "nguyen van duc",
    unicodedata.normalize("NFC", "Vũ Thị Ngọc Ánh"),
    "",
    " ",
]


def test_ibis_expressions_agree_with_python() -> None:
    t = ibis.memtable({"n": NAMES})
    key = name_key_expr(t.n)
    out = t.mutate(k=key, f=name_folded_expr(key)).to_pyarrow().to_pylist()
    assert [r["k"] for r in out] == [name_key(n) for n in NAMES]
    assert [r["f"] for r in out] == [name_folded(n) for n in NAMES]


# --------------------------------------------------------------------- Splink comparison levels


def _record(uid: int, name: str, birth: dt.date, **extra: Any) -> dict[str, Any]:
    folded = name_folded(name)
    assert folded is not None
    record = {
        "unique_id": uid,
        "name_key": name_key(name),
        "name_folded": folded,
        "surname": surname(name),
        "given_name": given_name(name),
        "birth_date": birth,
        "birth_year": birth.year,
        "sex": "female",
        "commune_code": "26734",
        "office_code": "75BH01",
        "person_id": None,
        "person_key": None,
        "household_id": None,
        "tf_name_folded": 0.001,
    }
    record.update(extra)
    return record


def _levels(left: dict[str, Any], right: dict[str, Any]) -> dict[str, str]:
    """Each comparison's level code for one pair, as Splink scores it."""
    import pyarrow as pa
    from splink import DuckDBAPI, Linker

    from baophu.engine.linkage.settings import settings

    db = DuckDBAPI()
    cols = [k for k in left if k != "tf_name_folded"]
    frame = pa.Table.from_pylist([{k: left[k] for k in cols}, {k: right[k] for k in cols}])
    a = db.register(frame.slice(0, 1), dataset_display_name="a_list")
    b = db.register(frame.slice(1, 1), dataset_display_name="b_register")
    linker = Linker([a, b], settings(1000, with_household=True), log_level=None)
    scored = linker.inference.score_pairs([left], [right]).as_record_list()[0]
    out = {}
    for comp in comparisons(with_household=True):
        out[comp.column] = comp.gamma_codes()[scored[f"gamma_{comp.name}"]].code
    return out


def test_levels_for_a_name_without_diacritics_and_swapped_birth() -> None:
    roster = _record(1, "Nguyen Thi Anh Tuyet", dt.date(2014, 4, 9), person_id="075314000123")
    register = _record(2, "Nguyễn Thị Ánh Tuyết", dt.date(2014, 9, 4), person_id="075314000132")
    levels = _levels(roster, register)
    assert levels["name_level"] == "folded"
    assert levels["birth_level"] == "swapped"
    assert levels["sex_level"] == "exact"
    assert levels["commune_level"] == "exact"
    assert levels["id_level"] == "near"  # two digits transposed
    assert levels["household_level"] == "missing"


def test_levels_for_a_typo_and_other_differences() -> None:
    roster = _record(1, "Trần Văn Hùgn", dt.date(2010, 6, 20), sex="male", commune_code="26735")
    register = _record(
        2,
        "Trần Văn Hùng",
        dt.date(2010, 6, 2),
        sex="female",
        commune_code="26734",
        person_id="075210000001",
    )
    levels = _levels(roster, register)
    assert levels["name_level"] == "typo"
    assert levels["birth_level"] == "same_month"
    assert levels["sex_level"] == "different"
    assert levels["commune_level"] == "same_office"
    assert levels["id_level"] == "missing"


def test_levels_for_middle_name_and_year_only() -> None:
    roster = _record(1, "Lê Thị Mai", dt.date(1980, 1, 1), office_code="X")
    register = _record(2, "Lê Ngọc Mai", dt.date(1980, 7, 9), commune_code="1", office_code="Y")
    levels = _levels(roster, register)
    assert levels["name_level"] == "middle_differs"
    assert levels["birth_level"] == "same_year"
    assert levels["commune_level"] == "different"
