"""The structure of the 12-digit personal identification number (số định danh cá nhân).

Digits 1-3: province (or city) where the birth was registered, as the pre-2025 two-digit
province code with a leading zero; digit 4: sex and century (0/1 male/female born 1900-1999,
2/3 2000-2099, 4/5 2100-2199, 6/7 2200-2299, 8/9 1800-1899); digits 5-6: last two digits of the
birth year; digits 7-12: a serial.  Source: Circular 59/2021/TT-BCA, Art. 7.
"""

from __future__ import annotations

import re
from datetime import date

# The 63 pre-merger province codes used in digits 1-3 (with a leading zero).
# fmt: off
_BIRTH_PROVINCES = (
     1,  2,  4,  6,  8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25,
    26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48,
    49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75,
    77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
)
# fmt: on
BIRTH_PROVINCE_CODES: frozenset[str] = frozenset(f"{c:03d}" for c in _BIRTH_PROVINCES)

# Century of birth -> the digit for a man; a woman's digit is one more.
_CENTURY_BASE = {1900: 0, 2000: 2, 2100: 4, 2200: 6, 1800: 8}
_DIGIT_TO = {
    base + f: (century, "female" if f else "male")
    for century, base in _CENTURY_BASE.items()
    for f in (0, 1)
}

_TWELVE_DIGITS = re.compile(r"^\d{12}$")


def sex_century_digit(sex: str, birth_year: int) -> int:
    """The fourth digit for a person of this sex born in this year."""
    century = (birth_year // 100) * 100
    base = _CENTURY_BASE[century]
    return base + (1 if sex == "female" else 0)


def problem(person_id: str | None, birth: date | None = None, sex: str | None = None) -> str | None:
    """Why this ID is not valid (an English code), or None if it is.

    Codes: ``missing``, ``not_12_digits``, ``unknown_province``, ``sex_mismatch``,
    ``birth_year_mismatch``.
    """
    if person_id is None or person_id == "":
        return "missing"
    if not _TWELVE_DIGITS.match(person_id):
        return "not_12_digits"
    if person_id[:3] not in BIRTH_PROVINCE_CODES:
        return "unknown_province"
    century, id_sex = _DIGIT_TO[int(person_id[3])]
    if sex is not None and sex != id_sex:
        return "sex_mismatch"
    if birth is not None and century + int(person_id[4:6]) != birth.year:
        return "birth_year_mismatch"
    return None


def make(province3: str, sex: str, birth_year: int, serial: int) -> str:
    """Build a valid ID (used by the synthetic generator and by tests)."""
    return f"{province3}{sex_century_digit(sex, birth_year)}{birth_year % 100:02d}{serial:06d}"
