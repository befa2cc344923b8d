"""Validation of one file against its contract, vectorised over all rows at once.

Every value is coerced to the contract's type (dates in ISO, dd/mm/yyyy or as Excel serials;
whole numbers with Vietnamese thousands separators; codes in Vietnamese or English), then
checked: required values, code lists, signs, personal-ID structure and its agreement with birth
year and sex, references to other tables, duplicated rows and keys.  The result is the table of
good rows in canonical form plus one issue per (row, column, reason), each with its text in
Vietnamese and English.  Issues of severity ``reject`` remove the row; ``warning`` keeps it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.contracts import Contract, fold_header
from baophu.contracts.model import ARROW_TYPES, Column
from baophu.contracts.person_id import BIRTH_PROVINCE_CODES
from baophu.ingest.claims_rules import TABLE_RULES
from baophu.ingest.messages import printable, text
from baophu.ingest.problems import KeyLookup, Problem, fixed_digits, parse_exact
from baophu.ingest.readers import RawFile
from baophu.vn import formats

ISSUE_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("severity", pa.string()),
        ("reason_code", pa.string()),
        ("reason_vi", pa.string()),
        ("reason_en", pa.string()),
    ]
)

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_FORMAT_DATE = [
    ("%Y-%m-%d", r"^\d{4}-\d{2}-\d{2}$"),
    ("%d/%m/%Y", r"^\d{2}/\d{2}/\d{4}$"),
    ("%d-%m-%Y", r"^\d{2}-\d{2}-\d{4}$"),
    ("%Y/%m/%d", r"^\d{4}/\d{2}/\d{2}$"),
    ("%d.%m.%Y", r"^\d{2}\.\d{2}\.\d{4}$"),
    ("%Y%m%d", r"^\d{8}$"),  # the Ministry of Health's claims format
]

# Lookup for the 4th digit of a personal ID: century and sex.
_CENTURY_OF_DIGIT = pa.array(
    [1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800], pa.int64()
)
_SEX_OF_DIGIT = pa.array(["male", "female"] * 5, pa.string())

# Digits of the codes that a number column loses leading zeros of.
_FIXED_WIDTH = {"person_id": 12, "si_code": 10, "tax_code": 10}
# From this many rows on, a text column of dates or numbers is parsed through its dictionary.
_DICTIONARY_MIN_ROWS = 5_000


# ------------------------------------------------------------------------------ coercion


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _as_text(array: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Text with surrounding spaces removed and empty cells as nulls.

    Trims unconditionally: one trimming pass costs less than a regular expression that
    would find out whether trimming is needed.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    array = pc.utf8_trim_whitespace(array)
    empty = pc.equal(array, "")
    if _any(empty):
        array = pc.if_else(empty, pa.scalar(None, pa.string()), array)
    return array


def _all_ascii(text_: pa.Array) -> bool:
    return pc.all(pc.string_is_ascii(text_)).as_py() is not False


def _nfc(text_: pa.Array) -> pa.Array:
    """NFC only where a combining mark shows the text is decomposed (NFD input, legacy files);
    plain-ASCII columns (codes, IDs) are recognised in one cheap pass and left alone."""
    if _all_ascii(text_):
        return text_
    decomposed = pc.fill_null(pc.match_substring_regex(text_, "[\u0300-\u036f]"), False)
    if not _any(decomposed):
        return text_
    fixed = pc.utf8_normalize(text_.filter(decomposed), "NFC")
    return pc.replace_with_mask(text_, decomposed, fixed)


def _bad(raw: pa.Array, parsed: pa.Array) -> pa.Array:
    """Present in the file but could not be parsed."""
    return pc.and_(pc.is_valid(raw), pc.is_null(parsed))


def _parse_int(raw: pa.Array) -> pa.Array:
    text_ = pc.replace_substring_regex(raw, r"\s", "")
    grouped = pc.match_substring_regex(text_, r"^-?\d{1,3}([.,]\d{3})+$")
    text_ = pc.if_else(grouped, pc.replace_substring_regex(text_, r"[.,]", ""), text_)
    text_ = pc.replace_substring_regex(text_, r"^(-?\d+)[.,]0+$", r"\1")
    scientific = pc.fill_null(pc.match_substring_regex(text_, r"^-?\d+(\.\d+)?[eE]\+?\d+$"), False)
    if _any(scientific):
        # 2.983296e+10: a whole number written by a program that held it as a float.
        text_ = pc.replace_with_mask(
            text_, scientific, pa.array(_whole_from_scientific(text_.filter(scientific)))
        )
    ok = pc.match_substring_regex(text_, r"^-?\d{1,18}$")
    return pc.if_else(ok, text_, pa.scalar(None, pa.string())).cast(pa.int64())


def _whole_from_scientific(values: pa.Array) -> list[str | None]:
    from decimal import Decimal, InvalidOperation

    out: list[str | None] = []
    for value in values.to_pylist():
        try:
            number = Decimal(value)
        except (InvalidOperation, TypeError):
            out.append(None)
            continue
        out.append(str(int(number)) if number == number.to_integral_value() else value)
    return out


def _whole_numbers(chunk: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Typed numbers as whole numbers (int64) and a mask of those that are not whole.

    Parquet writers often keep whole numbers as float64 (a column with a missing value in
    pandas); 29,832,960,000.0 is the whole number 29,832,960,000, not an error."""
    if pa.types.is_integer(chunk.type):
        return chunk.cast(pa.int64()), pa.array(np.zeros(len(chunk), dtype=bool))
    as_float = chunk.cast(pa.float64())
    whole = pc.and_(pc.equal(pc.floor(as_float), as_float), pc.less(pc.abs(as_float), 9.2e18))
    whole = pc.fill_null(whole, True)
    safe = pc.if_else(whole, as_float, pa.scalar(0.0))
    values = pc.if_else(whole, safe.cast(pa.int64()), pa.scalar(None, pa.int64()))
    return values, pc.and_(pc.is_valid(chunk), pc.invert(whole))


def _parse_float(raw: pa.Array) -> pa.Array:
    text_ = pc.replace_substring_regex(raw, r"\s", "")
    percent = pc.match_substring(text_, "%")
    text_ = pc.replace_substring(text_, "%", "")
    text_ = pc.replace_substring(text_, ",", ".")
    ok = pc.match_substring_regex(text_, r"^-?\d+(\.\d+)?$")
    value = pc.if_else(ok, text_, pa.scalar(None, pa.string())).cast(pa.float64())
    return pc.if_else(pc.fill_null(percent, False), pc.divide(value, 100.0), value)


def _parse_date(raw: pa.Array, excel: bool) -> pa.Array:
    # Pad one-digit days and months: 1/2/2015 -> 01/02/2015.
    text_ = pc.replace_substring_regex(raw, r"^(\d)([/.\-])", r"0\1\2")
    text_ = pc.replace_substring_regex(text_, r"^(\d{2}[/.\-])(\d)([/.\-])", r"\10\2\3")
    # Drop a midnight time part: 2015-03-04 00:00:00 / 2015-03-04T00:00:00.
    text_ = pc.replace_substring_regex(text_, r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?(\.0+)?$", r"\1")
    # The Ministry of Health's yyyymmddHHMM (a birth date in a claim): the day is the date.
    text_ = pc.replace_substring_regex(text_, r"^(\d{8})\d{4}$", r"\1")
    dates = parse_exact(text_, _FORMAT_DATE).cast(pa.date32())
    if excel:
        serial = pc.match_substring_regex(raw, r"^\d{3,5}(\.0+)?$")
        days = pc.if_else(
            serial, pc.replace_substring_regex(raw, r"\.0+$", ""), pa.scalar(None, pa.string())
        ).cast(pa.int64())
        base = np.datetime64(_EXCEL_EPOCH, "D").astype(np.int64)
        as_date = pc.add(days, int(base)).cast(pa.int32()).cast(pa.date32())
        dates = pc.coalesce(dates, as_date)
    return dates


_FORMAT_DATETIME = [
    ("%Y%m%d%H%M", r"^\d{12}$"),  # the Ministry of Health's claims format
    ("%Y%m%d%H%M%S", r"^\d{14}$"),
    ("%Y-%m-%d %H:%M", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"),
    ("%Y-%m-%d %H:%M:%S", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"),
    ("%d/%m/%Y %H:%M", r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$"),
    ("%d/%m/%Y %H:%M:%S", r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$"),
]


def _parse_datetime(raw: pa.Array, excel: bool) -> pa.Array:
    """Date and time: yyyymmddHHMM (claims), ISO or dd/mm/yyyy with a time, or a date alone
    (midnight); Excel serials with a fraction of a day."""
    text_ = pc.replace_substring_regex(raw, r"^(\d{4}-\d{2}-\d{2})T", r"\1 ")
    text_ = pc.replace_substring_regex(
        text_, r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\.\d+$", r"\1"
    )
    unit = pa.timestamp("us")
    result = parse_exact(text_, _FORMAT_DATETIME, unit="us")
    as_date = _parse_date(text_, excel=False).cast(unit)
    result = pc.coalesce(result, as_date)
    if excel:
        serial = pc.match_substring_regex(raw, r"^\d{3,5}(\.\d+)?$")
        days = pc.if_else(serial, raw, pa.scalar(None, pa.string())).cast(pa.float64())
        base = np.datetime64(_EXCEL_EPOCH, "us").astype(np.int64)
        micros = pc.add(pc.round(pc.multiply(days, 86_400_000_000.0)).cast(pa.int64()), int(base))
        result = pc.coalesce(result, micros.cast(unit))
    return result


def _parse_month(raw: pa.Array, excel: bool) -> pa.Array:
    text_ = pc.replace_substring_regex(raw, r"^(\d)/(\d{4})$", r"0\1/\2")
    full = _parse_date(text_, excel)
    ym = pc.if_else(
        pc.match_substring_regex(text_, r"^\d{4}-\d{2}$"),
        pc.binary_join_element_wise(text_, "01", "-"),
        pa.scalar(None, pa.string()),
    )
    my = pc.if_else(
        pc.match_substring_regex(text_, r"^\d{2}/\d{4}$"),
        pc.binary_join_element_wise("01", text_, "/"),
        pa.scalar(None, pa.string()),
    )
    parts = pc.coalesce(
        pc.strptime(ym, format="%Y-%m-%d", unit="s", error_is_null=True),
        pc.strptime(my, format="%d/%m/%Y", unit="s", error_is_null=True),
    ).cast(pa.date32())
    value = pc.coalesce(full, parts)
    return _first_of_month(value)


def _first_of_month(dates: pa.Array) -> pa.Array:
    days = pc.subtract(pc.day(dates), 1)
    as_int = dates.cast(pa.int32()).cast(pa.int64())
    return pc.subtract(as_int, days).cast(pa.int32()).cast(pa.date32())


def _parse_bool(raw: pa.Array) -> pa.Array:
    folded = pc.utf8_lower(raw)
    truthy = pc.is_in(folded, pa.array(["1", "true", "x", "có", "co", "yes", "y"]))
    falsy = pc.is_in(folded, pa.array(["0", "false", "không", "khong", "no", "n"]))
    out = pc.if_else(truthy, True, pc.if_else(falsy, False, pa.scalar(None, pa.bool_())))
    return out


def _coerce(
    array: pa.ChunkedArray, column: Column, typed: bool, excel: bool
) -> tuple[pa.Array, pa.Array, str | None]:
    """(values in the canonical type, raw text for messages, error code for unparsable)."""
    target = ARROW_TYPES[column.dtype]
    chunk = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    # Typed input keeps its own values as the "raw" shown in messages (cast only when shown).
    if typed and chunk.type == target and column.dtype != "string":
        values = chunk if column.dtype != "month" else _first_of_month(chunk)
        return values, chunk, None
    numeric = pa.types.is_integer(chunk.type) or pa.types.is_floating(chunk.type)
    numeric = numeric or pa.types.is_decimal(chunk.type)
    if typed and numeric and column.dtype == "int":
        values, fraction = _whole_numbers(chunk)
        shown = pc.if_else(fraction, chunk.cast(pa.string()), values.cast(pa.string()))
        return values, shown, "bad_int"
    if typed and numeric and column.dtype == "float":
        return chunk.cast(pa.float64()), chunk.cast(pa.string()), None
    if typed and numeric and column.dtype == "string":
        # Codes and IDs stored as numbers: 75085000001.0 is the text 75085000001, and an ID
        # of fixed length gets back the leading zeros a number cannot keep.
        values, fraction = _whole_numbers(chunk)
        text_ = pc.if_else(fraction, chunk.cast(pa.string()), values.cast(pa.string()))
        width = _FIXED_WIDTH.get(column.check or "")
        if width is not None:
            text_ = pc.if_else(fraction, text_, pc.utf8_lpad(text_, width, "0"))
        return _nfc(_as_text(text_)), _as_text(text_), None
    if typed and column.dtype in ("date", "month") and pa.types.is_timestamp(chunk.type):
        values = chunk.cast(pa.date32())
        values = values if column.dtype == "date" else _first_of_month(values)
        return values, chunk, None
    if typed and column.dtype == "datetime" and pa.types.is_timestamp(chunk.type):
        return chunk.cast(ARROW_TYPES["datetime"]), chunk, None
    if column.dtype != "string" and len(chunk) >= _DICTIONARY_MIN_ROWS:
        # Dates, numbers and flags repeat: parse each distinct text once.
        if not pa.types.is_string(chunk.type) and not pa.types.is_large_string(chunk.type):
            chunk = chunk.cast(pa.string())
        encoded = pc.dictionary_encode(chunk)
        values, raw, error = _coerce_text(encoded.dictionary, column, excel)
        return pc.take(values, encoded.indices), pc.take(raw, encoded.indices), error
    return _coerce_text(chunk, column, excel)


def _coerce_text(
    chunk: pa.Array, column: Column, excel: bool
) -> tuple[pa.Array, pa.Array, str | None]:
    raw = _as_text(chunk)
    if column.dtype == "string":
        return _nfc(raw), raw, None
    if column.dtype == "int":
        return _parse_int(raw), raw, "bad_int"
    if column.dtype == "float":
        return _parse_float(raw), raw, "bad_float"
    if column.dtype == "date":
        return _parse_date(raw, excel), raw, "bad_date"
    if column.dtype == "month":
        return _parse_month(raw, excel), raw, "bad_month"
    if column.dtype == "datetime":
        return _parse_datetime(raw, excel), raw, "bad_datetime"
    return _parse_bool(raw), raw, "bad_bool"


def _fold_python(value: str) -> str:
    return fold_header(unicodedata.normalize("NFC", value))


def _canonical_codes(values: pa.Array, column: Column) -> pa.Array:
    """Map Vietnamese spellings and case variants of a code list to the canonical codes."""
    assert column.allowed is not None
    encoded = pc.dictionary_encode(values)
    dictionary = encoded.dictionary.to_pylist()
    mapped: list[str | None] = []
    allowed = set(column.allowed)
    for value in dictionary:
        if value in allowed:
            mapped.append(value)
            continue
        folded = _fold_python(value)
        snake = folded.replace(" ", "_")
        if snake in allowed:
            mapped.append(snake)
        elif folded in column.value_aliases:
            mapped.append(column.value_aliases[folded])
        else:
            mapped.append(None)
    return pc.take(pa.array(mapped, pa.string()), encoded.indices)


def _tax_code_shape(values: pa.Array) -> pa.Array:
    """10 digits, or 10 digits, a hyphen and 3 digits (a branch)."""
    head = pc.utf8_slice_codeunits(values, 0, 10)
    branch = pc.and_(
        pc.equal(pc.utf8_slice_codeunits(values, 10, 11), "-"),
        fixed_digits(pc.utf8_slice_codeunits(values, 11, 14), 3),
    )
    length = pc.binary_length(values)
    return pc.and_(
        fixed_digits(head, 10),
        pc.or_(pc.equal(length, 10), pc.and_(pc.equal(length, 14), branch)),
    )


def normalise_person_id(values: pa.Array) -> pa.Array:
    """Strip separators and a lost leading zero (Excel turns 075... into 75...)."""
    if not _any(pc.invert(pc.fill_null(fixed_digits(values, 12), True))):
        return values  # every ID already has its 12 digits: nothing to strip
    text_ = pc.replace_substring_regex(values, r"\.0+$", "")
    text_ = pc.replace_substring_regex(text_, r"[\s.\-']", "")
    eleven = pc.match_substring_regex(text_, r"^\d{11}$")
    return pc.if_else(eleven, pc.binary_join_element_wise("0", text_, ""), text_)


def person_id_problems(
    ids: pa.Array, birth: pa.Array | None, sex: pa.Array | None
) -> dict[str, pa.Array]:
    """Masks of ID problems by reason (nulls excluded: 'missing' is the caller's business)."""
    present = pc.is_valid(ids)
    twelve = pc.fill_null(fixed_digits(ids, 12), False)
    not_12 = pc.and_(present, pc.invert(twelve))
    province = pc.utf8_slice_codeunits(ids, 0, 3)
    known = pc.is_in(province, pa.array(sorted(BIRTH_PROVINCE_CODES)))
    bad_province = pc.and_(twelve, pc.invert(known))
    checkable = pc.and_(twelve, known)
    digit = pc.if_else(checkable, pc.utf8_slice_codeunits(ids, 3, 4), "0").cast(pa.int64())
    out = {"id_not_12_digits": not_12, "id_unknown_province": bad_province}
    if sex is not None:
        id_sex = pc.take(_SEX_OF_DIGIT, digit)
        mismatch = pc.fill_null(pc.not_equal(id_sex, sex), False)
        out["id_sex_mismatch"] = pc.and_(checkable, mismatch)
    if birth is not None:
        century = pc.take(_CENTURY_OF_DIGIT, digit)
        yy = pc.if_else(checkable, pc.utf8_slice_codeunits(ids, 4, 6), "0").cast(pa.int64())
        mismatch = pc.fill_null(pc.not_equal(pc.add(century, yy), pc.year(birth)), False)
        out["id_birth_year_mismatch"] = pc.and_(checkable, mismatch)
    return out


# ----------------------------------------------------------------------------- validation


def coerce_keys(
    table: pa.Table, contract: Contract, mapping: dict[str, str], typed: bool, excel: bool
) -> pa.Array:
    """The key of every row as one text value, coerced exactly as ``validate`` coerces it
    (so that 075… and 75… are the same person, 01/2026 and 2026-01 the same month)."""
    parts: list[pa.Array] = []
    for name in contract.key:
        column = contract.column(name)
        if name not in mapping:
            parts.append(pa.nulls(table.num_rows, pa.string()))
            continue
        values, _, _ = _coerce(table.column(mapping[name]), column, typed, excel)
        if column.check == "person_id":
            values = normalise_person_id(values)
        if column.allowed is not None:
            values = _canonical_codes(values, column)
        parts.append(pc.fill_null(values.cast(pa.string()), ""))
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "\x1f")


def duplicated_keys(keys: pa.Array) -> pa.Array:
    """Key values that occur more than once (sorted, then neighbours compared: cheaper than
    hashing every key)."""
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    if len(keys) < 2:
        return keys.slice(0, 0)
    ordered = pc.take(keys, pc.sort_indices(keys))
    same = pc.fill_null(pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1)), False)
    if not _any(same):
        return keys.slice(0, 0)
    return pc.unique(ordered.slice(1).filter(same))


def validate(
    raw: RawFile,
    contract: Contract,
    mapping: dict[str, str],
    key_values: KeyLookup,
    today: dt.date | None = None,
) -> tuple[pa.Table, list[Problem]]:
    """Coerce and check every column; returns the canonical table and the problems found."""
    today = today or dt.date.today()
    n = raw.data.num_rows
    excel = raw.file_format == "xlsx"
    problems: list[Problem] = []
    columns: dict[str, pa.Array] = {}
    raws: dict[str, pa.Array] = {}
    for column in contract.columns:
        if column.name not in mapping:
            columns[column.name] = pa.nulls(n, ARROW_TYPES[column.dtype])
            raws[column.name] = pa.nulls(n, pa.string())
            continue
        header = mapping[column.name]
        values, raw_text, error = _coerce(raw.data.column(header), column, raw.typed, excel)
        if column.check == "person_id" or column.check in ("si_code", "tax_code"):
            if column.check == "person_id":
                values = normalise_person_id(values)
            elif _any(pc.fill_null(pc.match_substring(values, " "), False)):
                values = pc.replace_substring_regex(values, r"\s", "")
        if error is not None:
            problems.append(Problem(_bad(raw_text, values), header, raw_text, error))
        if column.allowed is not None:
            canonical = _canonical_codes(values, column)
            shown = ", ".join(column.allowed)
            problems.append(
                Problem(
                    _bad(values, canonical),
                    header,
                    raw_text,
                    "not_allowed",
                    kwargs={"allowed": shown},
                )
            )
            values = canonical
        columns[column.name] = values
        raws[column.name] = raw_text
        if column.required:
            missing = pc.and_(pc.is_null(raw_text), pc.is_null(values))
            code = "id_missing" if column.check == "person_id" else "required"
            problems.append(Problem(missing, header, raw_text, code))
    _check_values(contract, mapping, columns, raws, problems, key_values, today)
    _table_rules(contract, mapping, columns, raws, problems, key_values)
    arrays = [columns[c.name] for c in contract.columns]
    table = pa.table(arrays, names=contract.names)
    return table, problems


def _plausible_problems(
    column: Column, header: str, values: pa.Array, raw_text: pa.Array, today: dt.date
) -> list[Problem]:
    """Values outside the column's plausible range (see ``contracts.model.Plausible``)."""
    rule = column.plausible
    if rule is None:
        return []
    severity = rule.severity
    out: list[Problem] = []
    if column.dtype in ("date", "month"):
        earliest, latest = rule.date_bounds(today)
        low = pa.scalar(earliest or dt.date.min, pa.date32())
        high = pa.scalar(latest or dt.date.max, pa.date32())
        shown = {
            "earliest": formats.date(earliest) if earliest else "…",
            "latest": formats.date(latest) if latest else "…",
        }
        too_late = pc.fill_null(pc.greater(values, high), False)
        too_early = pc.fill_null(pc.less(values, low), False)
        if rule.days_ahead == 0:
            out.append(Problem(too_late, header, raw_text, "future_date", severity))
            too_late = pa.array(np.zeros(len(values), dtype=bool))
        out.append(
            Problem(
                pc.or_(too_early, too_late), header, raw_text, "implausible_date", severity, shown
            )
        )
        return out
    if rule.year:
        first, last = rule.year_bounds(today)
        low_v, high_v = first, last
        code = "implausible_year"
        shown = {"earliest": str(first) if first else "…", "latest": str(last) if last else "…"}
    else:
        low_v = int(rule.low) if rule.low is not None else None
        high_v = int(rule.high) if rule.high is not None else None
        code = "implausible_number"
        shown = {
            "low": formats.number(rule.low) if rule.low is not None else "…",
            "high": formats.number(rule.high) if rule.high is not None else "…",
        }
    mask = pa.array(np.zeros(len(values), dtype=bool))
    if low_v is not None and column.check not in ("non_negative", "positive"):
        # (a sign check already names a value below zero)
        mask = pc.or_(mask, pc.fill_null(pc.less(values, low_v), False))
    if high_v is not None:
        mask = pc.or_(mask, pc.fill_null(pc.greater(values, high_v), False))
    out.append(Problem(mask, header, raw_text, code, severity, shown))
    return out


def _phone_ok(values: pa.Array) -> pa.Array:
    """A Vietnamese phone number: 10 digits from 0 (mobile), 11 from 02 (landline), with +84
    or 84 for the 0, or 9 digits whose leading 0 a spreadsheet dropped; spaces, dots, dashes
    and brackets allowed."""
    # Most numbers are ten plain digits from 0: two cheap kernels settle those.
    plain = pc.and_(fixed_digits(values, 10), pc.starts_with(values, "0"))
    plain = pc.fill_null(plain, True)
    if pc.all(plain).as_py() is not False:
        return plain
    digits = pc.replace_substring_regex(values, r"[\s.\-()]", "")
    spelled = pc.match_substring_regex(
        digits, r"^(0[35789]\d{8}|02\d{9}|(\+?84)([35789]\d{8}|2\d{9})|[35789]\d{8})$"
    )
    return pc.or_(plain, pc.fill_null(spelled, False))


def _check_values(
    contract: Contract,
    mapping: dict[str, str],
    columns: dict[str, pa.Array],
    raws: dict[str, pa.Array],
    problems: list[Problem],
    key_values: KeyLookup,
    today: dt.date,
) -> None:
    for column in contract.columns:
        if column.name not in mapping:
            continue
        header = mapping[column.name]
        values = columns[column.name]
        raw_text = raws[column.name]
        problems += _plausible_problems(column, header, values, raw_text, today)
        longest = pc.max(pc.binary_length(values)).as_py() if column.dtype == "string" else None
        if longest is not None and longest > column.max_length:  # (bytes >= characters)
            lengths = pc.utf8_length(values)
            too_long = pc.fill_null(pc.greater(lengths, column.max_length), False)
            if _any(too_long):
                problems.append(
                    Problem(
                        too_long,
                        header,
                        raw_text,
                        "too_long",
                        kwargs={"length": lengths, "limit": column.max_length},
                    )
                )
        if column.fraction_when is not None and column.fraction_when[0] in columns:
            other, codes = column.fraction_when
            applies = pc.fill_null(pc.is_in(columns[other], pa.array(codes)), False)
            out = pc.or_(pc.less(values, 0), pc.greater(values, 1))
            problems.append(
                Problem(
                    pc.and_(applies, pc.fill_null(out, False)),
                    header,
                    raw_text,
                    "rate_not_fraction",
                    kwargs={"indicator": columns[other]},
                )
            )
        if column.check == "non_negative":
            problems.append(
                Problem(pc.fill_null(pc.less(values, 0), False), header, raw_text, "negative")
            )
        elif column.check == "positive":
            problems.append(
                Problem(
                    pc.fill_null(pc.less_equal(values, 0), False), header, raw_text, "not_positive"
                )
            )
        elif column.check == "percent":
            out = pc.or_(pc.less(values, 0), pc.greater(values, 1))
            problems.append(Problem(pc.fill_null(out, False), header, raw_text, "bad_percent"))
        elif column.check == "si_code":
            bad = pc.invert(pc.fill_null(fixed_digits(values, 10), True))
            problems.append(Problem(bad, header, raw_text, "bad_si_code", severity="warning"))
        elif column.check == "phone":
            ok = pc.fill_null(_phone_ok(values), True)
            problems.append(Problem(pc.invert(ok), header, raw_text, "bad_phone", "warning"))
        elif column.check == "tax_code":
            ok = pc.fill_null(_tax_code_shape(values), True)
            problems.append(Problem(pc.invert(ok), header, raw_text, "bad_tax_code"))
        elif column.check == "person_id":
            person = contract.person
            birth = columns.get(person.birth_column) if person else columns.get("birth_date")
            sex = columns.get(person.sex_column) if person else columns.get("sex")
            severity = "reject" if column.id_policy == "reject" else "warning"
            for code, mask in person_id_problems(values, birth, sex).items():
                problems.append(Problem(mask, header, raw_text, code, severity=severity))
        if column.references is not None:
            ref_table, ref_column = column.references
            known = key_values(ref_table, ref_column)
            unknown = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, known)))
            problems.append(
                Problem(
                    unknown, header, raw_text, "unknown_reference", kwargs={"ref_table": ref_table}
                )
            )
    for start, end in (("start_date", "end_date"), ("valid_from", "valid_to")):
        if start in mapping and end in mapping:
            before = pc.fill_null(pc.less(columns[end], columns[start]), False)
            problems.append(Problem(before, mapping[end], raws[end], "end_before_start"))


def _table_rules(
    contract: Contract,
    mapping: dict[str, str],
    columns: dict[str, pa.Array],
    raws: dict[str, pa.Array],
    problems: list[Problem],
    key_values: KeyLookup,
) -> None:
    """Checks across the columns of one table, and columns derived at import (claims: see
    ``ingest/claims_rules.py``); a table without such rules is left as it is."""

    rules = TABLE_RULES.get(contract.table)
    if rules is not None:
        rules(mapping, columns, raws, problems, key_values)


def duplicate_problems(
    table: pa.Table, contract: Contract, rows: pa.Array, header_of: dict[str, str]
) -> list[Problem]:
    """Exact duplicate rows (all but the first rejected) and keys repeated with other content
    (every copy rejected: nobody can tell which one is right)."""
    key = list(contract.key)
    n = table.num_rows
    indexed = table.append_column("_pos", pa.array(np.arange(n, dtype=np.int64)))
    counts = indexed.group_by(key, use_threads=False).aggregate(
        [("_pos", "count"), ("_pos", "min")]
    )
    dup_keys = counts.filter(pc.greater(counts.column("_pos_count"), 1))
    if dup_keys.num_rows == 0:
        return []
    involved = indexed.join(dup_keys, keys=key, join_type="inner")
    content = [c for c in table.column_names]
    distinct = involved.group_by(content, use_threads=False).aggregate([("_pos", "min")])
    versions = distinct.group_by(key, use_threads=False).aggregate([("_pos_min", "count")])
    involved = involved.join(versions, keys=key, join_type="left outer")
    positions = involved.column("_pos").to_numpy()
    first = involved.column("_pos_min").to_numpy()
    n_versions = involved.column("_pos_min_count").to_numpy()
    row_numbers = rows.to_numpy()
    key_header = ", ".join(header_of.get(k, k) for k in key)
    exact_mask = np.zeros(n, dtype=bool)
    exact_first = np.zeros(n, dtype=np.int64)
    conflict_mask = np.zeros(n, dtype=bool)
    for pos, fpos, nv in zip(positions, first, n_versions, strict=True):
        if nv == 1:
            if pos != fpos:
                exact_mask[pos] = True
                exact_first[pos] = row_numbers[fpos]
        else:
            conflict_mask[pos] = True
    out: list[Problem] = []
    key_text = key_text_of(table, key)
    if exact_mask.any():
        out.append(
            Problem(
                pa.array(exact_mask),
                key_header,
                key_text,
                "duplicate_row",
                kwargs={"first_row": pa.array(exact_first)},
            )
        )
    if conflict_mask.any():
        out.append(
            Problem(
                pa.array(conflict_mask),
                key_header,
                key_text,
                "conflicting_key",
                kwargs={
                    "key": key_header,
                    "other_rows": _conflict_rows(table, key, conflict_mask, row_numbers),
                },
            )
        )
    return out


def key_text_of(table: pa.Table, key: list[str]) -> pa.Array:
    parts = [pc.fill_null(table.column(k).cast(pa.string()), "") for k in key]
    if len(parts) == 1:
        return parts[0].combine_chunks() if isinstance(parts[0], pa.ChunkedArray) else parts[0]
    return pc.binary_join_element_wise(*parts, " | ")


def _conflict_rows(table: pa.Table, key: list[str], mask: np.ndarray, rows: np.ndarray) -> pa.Array:
    keys = key_text_of(table, key).to_pylist()
    groups: dict[Any, list[int]] = {}
    for pos in np.nonzero(mask)[0]:
        groups.setdefault(keys[pos], []).append(int(rows[pos]))
    out: list[str | None] = [None] * table.num_rows
    for pos in np.nonzero(mask)[0]:
        out[pos] = ", ".join(str(r) for r in groups[keys[pos]] if r != rows[pos])
    return pa.array(out, pa.string())


def issues_table(problems: list[Problem], rows: pa.Array) -> pa.Table:
    """One row per (row, column, reason) with messages filled in both languages."""
    pieces: list[pa.Table] = []
    for problem in problems:
        mask = pc.fill_null(problem.mask, False)
        idx = pc.indices_nonzero(mask)
        if len(idx) == 0:
            continue
        values = [
            printable(v, 200) if v is not None else None
            for v in pc.take(problem.values, idx).cast(pa.string()).to_pylist()
        ]
        per_row = {
            k: pc.take(v, idx).to_pylist() if isinstance(v, pa.Array) else None
            for k, v in problem.kwargs.items()
        }
        vis: list[str] = []
        ens: list[str] = []
        for i, value in enumerate(values):
            kwargs = {}
            for k, v in problem.kwargs.items():
                column_values = per_row[k]
                kwargs[k] = column_values[i] if column_values is not None else v
            vi, en = text(problem.code, value=value if value is not None else "", **kwargs)
            vis.append(vi)
            ens.append(en)
        m = len(values)
        pieces.append(
            pa.table(
                {
                    "row": pc.take(rows, idx),
                    "column": pa.array([problem.column] * m, pa.string()),
                    "value": pa.array(values, pa.string()),
                    "severity": pa.array([problem.severity] * m, pa.string()),
                    "reason_code": pa.array([problem.code] * m, pa.string()),
                    "reason_vi": pa.array(vis, pa.string()),
                    "reason_en": pa.array(ens, pa.string()),
                },
                schema=ISSUE_SCHEMA,
            )
        )
    if not pieces:
        return ISSUE_SCHEMA.empty_table()
    return pa.concat_tables(pieces).sort_by([("row", "ascending"), ("column", "ascending")])


def reject_mask(problems: list[Problem], n: int) -> pa.Array:
    mask = pa.array(np.zeros(n, dtype=bool))
    for problem in problems:
        if problem.severity == "reject":
            mask = pc.or_(mask, pc.fill_null(problem.mask, False))
    return mask
