"""Vietnamese names and birth dates as every linkage compares them (the identity step's
remainder linkage of enrolments, and the lists' linkage in ``engine.linkage``).

Owns the two spellings of a name that every linkage comparison reads, written once in Python
(the reference, used by the unit tests and by anyone checking a single name) and once as an
Ibis expression (what the engine runs on DuckDB or Spark); a test keeps the two in step.

* ``name_key`` — the name with its diacritics: NFC, lower case, punctuation turned into
  spaces, single spaces, and the tone mark of ``oa``, ``oe``, ``uy`` placed on the first vowel
  (the older convention, "Hòa", "Thủy"), so "Hoà" and "Hòa" are one spelling;
* ``name_folded`` — the same without any diacritic (``đ`` → ``d``): "Đặng Thị Ánh" →
  "dang thi anh", what a name typed without diacritics looks like;
* ``surname`` / ``given_name`` — the first and last word of the folded name (Vietnamese
  order: họ, tên đệm, tên).

Birth dates: ``day_month_swapped(a, b)`` says that ``b`` is ``a`` with day and month
exchanged (the same year, a real date both ways, day ≠ month) — the commonest slip when a
date is typed by hand.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import ibis
from ibis.expr.types import BooleanValue, StringValue, Table


def _fold_map() -> tuple[str, str]:
    """Every precomposed Latin letter with diacritics (U+00C0 … U+1EF9) and its base letter,
    in both cases; ``đ``/``Đ`` (a letter of its own in Unicode) map to ``d``/``D``."""
    src, dst = ["đ", "Đ"], ["d", "D"]
    for code in range(0x00C0, 0x1EFA):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)
        if (
            len(base) > 1
            and base[0].isascii()
            and base[0].isalpha()
            and all(unicodedata.category(c) == "Mn" for c in base[1:])
        ):
            src.append(char)
            dst.append(base[0])
    return "".join(src), "".join(dst)


FOLD_FROM, FOLD_TO = _fold_map()
_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)
COMBINING = "[\u0300-\u036f]"

# New-style tone placement → old style ("oà" → "òa"): the mark goes on the first vowel.
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng
TONE_PLACEMENT: tuple[tuple[str, str], ...] = tuple(
    (
        unicodedata.normalize("NFC", first + second + tone),
        unicodedata.normalize("NFC", first + tone + second),
    )
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"))
    for tone in _TONES
)


# ------------------------------------------------------------------------------ Python reference


def name_key(text: str | None) -> str | None:
    """A name with its diacritics, ready to compare (None when empty); see the module doc."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(c if c.isalpha() or unicodedata.category(c) == "Mn" else " " for c in text)
    text = " ".join(text.split())
    for new, old in TONE_PLACEMENT:
        text = text.replace(new, old)
    return text or None


def name_folded(text: str | None) -> str | None:
    """A name without diacritics (``đ`` → ``d``), lower case, single spaces (None when empty)."""
    key = name_key(text)
    if key is None:
        return None
    folded = unicodedata.normalize("NFD", key.translate(_FOLD_TABLE))
    folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return folded or None


def surname(text: str | None) -> str | None:
    folded = name_folded(text)
    return folded.split(" ")[0] if folded else None


def given_name(text: str | None) -> str | None:
    folded = name_folded(text)
    return folded.split(" ")[-1] if folded else None


def day_month_swapped(a: dt.date | None, b: dt.date | None) -> bool:
    """``b`` is ``a`` with day and month exchanged (same year, day ≠ month)."""
    if a is None or b is None:
        return False
    return a.year == b.year and a.month == b.day and a.day == b.month and a.day != a.month


# ------------------------------------------------------------------------------ Ibis expressions


def name_key_expr(name: StringValue) -> StringValue:
    """``name_key`` as an Ibis expression (the stored names are NFC already: ingest makes
    them so).  Letters are ``\\p{L}`` and combining marks ``\\p{M}``: both regular-expression
    engines (RE2 in DuckDB, Java in Spark) know these classes."""
    text = name.lower().re_replace(r"[^\p{L}\p{M}]+", " ").strip()
    for new, old in TONE_PLACEMENT:
        text = text.replace(new, old)
    return ibis.ifelse(text == "", ibis.null("string"), text)


def _fold_groups() -> tuple[tuple[str, str], ...]:
    """The lower-case letters with diacritics grouped by their base letter."""
    groups: dict[str, list[str]] = {}
    for char, base in zip(FOLD_FROM, FOLD_TO, strict=True):
        if char == char.lower():
            groups.setdefault(base.lower(), []).append(char)
    return tuple((base, "".join(chars)) for base, chars in sorted(groups.items()))


FOLD_GROUPS = _fold_groups()


def name_folded_expr(key: StringValue) -> StringValue:
    """``name_folded`` from a ``name_key_expr`` column (lower case already): one character
    class per base letter (``[àáảãạăằắẳẵặâầấẩẫậ]`` → ``a``; SQL ``translate`` with a map of
    this size is about thirty times slower on DuckDB)."""
    text = key
    for base, chars in FOLD_GROUPS:
        text = text.re_replace(f"[{chars}]", base)
    return text.re_replace(COMBINING, "")


def surname_expr(folded: StringValue) -> StringValue:
    return folded.re_extract(r"^(\S+)", 1)


def given_name_expr(folded: StringValue) -> StringValue:
    return folded.re_extract(r"(\S+)$", 1)


def births_agree_expr(a: ibis.Value, b: ibis.Value) -> BooleanValue:
    """Equal, or day and month swapped (both present)."""
    swapped = (a.year() == b.year()) & (a.month() == b.day()) & (a.day() == b.month())
    return ((a == b) | swapped).fill_null(False)


NAME_COLUMNS = ("name_key", "name_folded", "surname", "given_name")


def with_names(t: Table) -> Table:
    """``t`` with the name columns (``NAME_COLUMNS``) of its ``full_name``, computed once per
    distinct name and joined back: a register of 4.5 million people has about 170,000
    distinct names, and the string functions are the costly part of preparing it."""
    names = t.select(_raw=t.full_name).distinct()
    key = name_key_expr(names._raw)
    names = names.mutate(name_key=key)
    folded = name_folded_expr(names.name_key)
    names = names.mutate(name_folded=folded)
    names = names.mutate(
        surname=surname_expr(names.name_folded), given_name=given_name_expr(names.name_folded)
    )
    return t.left_join(names, t.full_name == names._raw).drop("_raw")
