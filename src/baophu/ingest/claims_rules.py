"""Import checks of the claim tables beyond single columns, and the card columns derived.

What an appraisal reviewer expects at the door, vectorised over a chunk of rows:

* claims (XML1): T_BHTT = T_TONGCHI_BH − T_BNCCT (to 1 VND); NGAY_VAO_NOI_TRU and NGAY_RA not
  before NGAY_VAO; THANG_QT in 1–12; the ';'-joined card fields of a card renewed during
  treatment agree in length and parse — all rejects; SO_NGAY_DTRI against the dates and the
  care type, and a card unknown to the enrolments — warnings.  The first and last card, their
  count, the chain's validity and the last registration are derived into their own columns.
* lines (XML2, XML3): the claim (MA_CSKCB, MA_LK) must exist — a line without its XML1 is
  rejected; a service line names a service or a supply; a bed code is H/T/C/K + 3 digits
  (a warning).

``TABLE_RULES`` maps a table to its rules; ``ingest/validate.py`` calls them after the column
checks, with the coerced columns, the raw text and the key lookup of the import batch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baophu.ingest.errors import ImportFileError
from baophu.ingest.problems import KeyLookup, Problem, fixed_digits, parse_exact

Columns = dict[str, pa.Array]
Rules = Callable[[dict[str, str], Columns, Columns, list[Problem], KeyLookup], None]

TOTALS_TOLERANCE_VND = 1.0
ZERO_DAY_TYPES = ("01", "07", "09")  # SO_NGAY_DTRI is 0
COUNTED_DAY_TYPES = ("02", "03", "04")  # SO_NGAY_DTRI = NGAY_RA − NGAY_VAO + 1
BED_CODE = r"^[HTCK]\d{3}(;[HTCK]\d{3})*$"
_CARD_DATE_FORMATS = (
    ("%Y%m%d", r"^\d{8}$"),
    ("%d/%m/%Y", r"^\d{2}/\d{2}/\d{4}$"),
    ("%Y-%m-%d", r"^\d{4}-\d{2}-\d{2}$"),
)


def _mask(values: pa.Array) -> pa.Array:
    return pc.fill_null(values, False)


def _joined(text: pa.Array) -> bool:
    """Whether any value lists several ';'-joined parts."""
    return bool(pc.any(pc.fill_null(pc.match_substring(text, ";"), False)).as_py())


def _first_part(text: pa.Array) -> pa.Array:
    if not _joined(text):
        return text
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r";.*$", ""))


def _last_part(text: pa.Array) -> pa.Array:
    if not _joined(text):
        return text
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"^.*;", ""))


def _parts(text: pa.Array) -> pa.Array:
    """Number of ';'-joined parts (null stays null)."""
    return pc.add(pc.count_substring(text, ";"), 1)


def card_dates(text: pa.Array) -> pa.Array:
    """yyyymmdd (or dd/mm/yyyy, yyyy-mm-dd; a trailing HHMM ignored) → date; else null.
    Each distinct text is parsed once (validity dates repeat across a month's claims)."""
    if len(text) >= 1_000:
        encoded = pc.dictionary_encode(text)
        return pc.take(_card_dates(encoded.dictionary), encoded.indices)
    return _card_dates(text)


def _card_dates(text: pa.Array) -> pa.Array:
    text = pc.utf8_trim_whitespace(text)
    text = pc.replace_substring_regex(text, r"^(\d{8})\d{4}$", r"\1")
    return parse_exact(text, _CARD_DATE_FORMATS).cast(pa.date32())


def _every_part_parses(text: pa.Array) -> pa.Array:
    """True where every ';'-joined part of the text is a date (null text: True)."""
    if not _joined(text):
        return pc.or_(pc.is_null(text), pc.is_valid(card_dates(text)))
    lists = pc.split_pattern(text, ";")
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists)
    bad = pc.and_(pc.is_valid(flat), pc.is_null(card_dates(flat)))
    ok = np.ones(len(text), dtype=bool)
    bad_rows = pc.filter(parents, bad).to_numpy(zero_copy_only=False)
    ok[bad_rows] = False
    return pa.array(ok)


def _header(mapping: dict[str, str], name: str) -> str:
    return mapping.get(name, name)


# ------------------------------------------------------------------------------- claims


def _derive_cards(
    mapping: dict[str, str], columns: Columns, raws: Columns, problems: list[Problem]
) -> None:
    cards = columns["card_numbers"]
    ma_lk = columns["claim_code"]
    count = _parts(cards)
    columns["card_number"] = _first_part(cards)
    columns["card_number_last"] = _last_part(cards)
    columns["card_count"] = count.cast(pa.int64())
    registrations = columns["card_registrations"]
    columns["registered_facility"] = _last_part(registrations)
    for name in ("card_valid_froms", "card_valid_tos"):
        text = columns[name]
        if name not in mapping:
            continue
        header = _header(mapping, name)
        mismatch = _mask(pc.not_equal(_parts(text), count))
        problems.append(
            Problem(
                mismatch,
                header,
                raws[name],
                "card_parts_mismatch",
                kwargs={"ma_lk": ma_lk, "cards": count},
            )
        )
        unparsed = pc.and_(pc.is_valid(text), pc.invert(_every_part_parses(text)))
        problems.append(
            Problem(unparsed, header, raws[name], "card_bad_validity", kwargs={"ma_lk": ma_lk})
        )
    valid_from = card_dates(_first_part(columns["card_valid_froms"]))
    valid_to = card_dates(_last_part(columns["card_valid_tos"]))
    columns["card_valid_from"] = valid_from
    columns["card_valid_to"] = valid_to
    if "card_valid_tos" in mapping:
        reversed_ = _mask(pc.less(valid_to, valid_from))
        problems.append(
            Problem(
                reversed_,
                _header(mapping, "card_valid_tos"),
                raws["card_valid_tos"],
                "card_validity_reversed",
                kwargs={"ma_lk": ma_lk},
            )
        )


def _totals(
    mapping: dict[str, str], columns: Columns, raws: Columns, problems: list[Problem]
) -> None:
    if not all(n in mapping for n in ("fund_paid", "total_insured", "patient_copay")):
        return
    expected = pc.subtract(columns["total_insured"], columns["patient_copay"])
    diff = pc.abs(pc.subtract(columns["fund_paid"], expected))
    bad = _mask(pc.greater(diff, TOTALS_TOLERANCE_VND))
    shown = pc.cast(pc.round(expected, 2), pa.string())
    problems.append(
        Problem(
            bad,
            _header(mapping, "fund_paid"),
            raws["fund_paid"],
            "claim_totals_mismatch",
            kwargs={"ma_lk": columns["claim_code"], "expected": shown},
        )
    )


def _dates(
    mapping: dict[str, str], columns: Columns, raws: Columns, problems: list[Problem]
) -> None:
    admitted = columns["admitted_at"]
    ma_lk = columns["claim_code"]
    for name, code in (
        ("inpatient_at", "inpatient_before_admission"),
        ("discharged_at", "discharge_before_admission"),
    ):
        if name not in mapping:
            continue
        early = _mask(pc.less(columns[name], admitted))
        problems.append(
            Problem(
                early,
                _header(mapping, name),
                raws[name],
                code,
                kwargs={"ma_lk": ma_lk, "admitted": raws["admitted_at"]},
            )
        )
    if "settlement_month" in mapping:
        month = columns["settlement_month"]
        out = _mask(pc.or_(pc.less(month, 1), pc.greater(month, 12)))
        problems.append(
            Problem(
                out,
                _header(mapping, "settlement_month"),
                raws["settlement_month"],
                "bad_settlement_month",
                kwargs={"ma_lk": ma_lk},
            )
        )
    care = columns["care_type"]
    span = pc.add(pc.days_between(admitted, columns["discharged_at"]), 1)
    expected = pc.if_else(
        pc.is_in(care, pa.array(ZERO_DAY_TYPES)),
        pa.scalar(0, pa.int64()),
        pc.if_else(pc.is_in(care, pa.array(COUNTED_DAY_TYPES)), span, pa.scalar(None, pa.int64())),
    )
    wrong = _mask(pc.not_equal(columns["treatment_days"], expected))
    problems.append(
        Problem(
            wrong,
            _header(mapping, "treatment_days"),
            raws["treatment_days"],
            "treatment_days_mismatch",
            severity="warning",
            kwargs={"ma_lk": ma_lk, "expected": expected.cast(pa.string())},
        )
    )


_NO_CODES = pa.array([], pa.string())


def _fixed_digits(values: pa.Array, width: int) -> np.ndarray:
    """Where ``values`` are exactly ``width`` ASCII digits (null: False), as a NumPy mask."""
    return pc.fill_null(fixed_digits(values, width), False).to_numpy(zero_copy_only=False)


def _as_numbers(values: pa.Array, where: np.ndarray) -> np.ndarray:
    return pc.cast(values.filter(pa.array(where)), pa.int64()).to_numpy(zero_copy_only=False)


def _sorted_unique(numbers: np.ndarray) -> np.ndarray:
    ordered = np.sort(numbers)
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


class KnownCards:
    """Every value that identifies an enrolled person on a card or a claim: personal IDs, their
    last 10 digits (the tail of a card number issued on the ID) and legacy 10-digit codes.

    Looked up once per chunk of claims, against millions of values: the 10- and 12-digit
    values are kept as sorted integers (binary search, no hash set rebuilt per chunk), the
    few others (malformed IDs, codes of another length) as text.  A value of exactly 10 or
    12 digits equals only a value of the same kind, so the lookup is text equality."""

    def __init__(self, values: pa.Array) -> None:
        values = values.drop_null()
        ten, twelve = _fixed_digits(values, 10), _fixed_digits(values, 12)
        self.ten = _sorted_unique(_as_numbers(values, ten))
        self.twelve = _sorted_unique(_as_numbers(values, twelve))
        self.other = pc.unique(values.filter(pa.array(~(ten | twelve))))

    def contains(self, probe: pa.Array) -> pa.Array:
        """Whether each value of ``probe`` is known (null: False)."""
        found = np.zeros(len(probe), dtype=bool)
        ten, twelve = _fixed_digits(probe, 10), _fixed_digits(probe, 12)
        for where, sorted_values in ((ten, self.ten), (twelve, self.twelve)):
            if not where.any() or len(sorted_values) == 0:
                continue
            numbers = _as_numbers(probe, where)
            # probes in order: each binary search starts where the last one ended
            order = np.argsort(numbers, kind="stable")
            ordered = numbers[order]
            at = np.minimum(np.searchsorted(sorted_values, ordered), len(sorted_values) - 1)
            hit = np.empty(len(numbers), dtype=bool)
            hit[order] = sorted_values[at] == ordered
            found[where] = hit
        rest = ~(ten | twelve) & pc.is_valid(probe).to_numpy(zero_copy_only=False)
        if rest.any() and len(self.other):
            hits = pc.is_in(probe.filter(pa.array(rest)), value_set=self.other)
            found[rest] = pc.fill_null(hits, False).to_numpy(zero_copy_only=False)
        return pa.array(found)


_KNOWN: list[tuple[pa.Array, pa.Array, KnownCards]] = []  # (ids, si codes, known)


def _known_cards(ids: pa.Array, si_codes: pa.Array) -> KnownCards:
    """The cards of the enrolments, built once per lookup result (the batch hands the same
    arrays to every chunk)."""
    for cached_ids, cached_si, known in _KNOWN:
        if cached_ids is ids and cached_si is si_codes:
            return known
    tails = pc.utf8_slice_codeunits(ids, 2, 12)
    known = KnownCards(pa.concat_arrays([ids, tails, si_codes.cast(pa.string())]))
    _KNOWN[:] = [(ids, si_codes, known)]
    return known


def _cards_known(
    mapping: dict[str, str],
    columns: Columns,
    raws: Columns,
    problems: list[Problem],
    key_values: KeyLookup,
) -> None:
    try:
        ids = key_values("enrolments", "person_id")
    except ImportFileError:
        return  # no enrolments imported yet: nothing to look the cards up in
    try:
        si_codes = key_values("enrolments", "si_code")
    except ImportFileError:  # no legacy codes at all
        si_codes = _NO_CODES
    known = _known_cards(ids, si_codes)
    first, last = columns["card_number"], columns["card_number_last"]
    n = len(first)
    # one lookup for the three probes (building the set of known values is the cost)
    probe = pa.concat_arrays(
        [
            pc.utf8_slice_codeunits(first, 5, 15),  # 2 letters, level, province, 10 digits
            pc.utf8_slice_codeunits(last, 5, 15),
            columns["person_id"].cast(pa.string()),
        ]
    )
    found = _mask(known.contains(probe))
    first_ok, last_ok, by_id = (found.slice(i * n, n) for i in range(3))
    miss_first = pc.and_(pc.is_valid(first), pc.invert(first_ok))
    miss_last = pc.and_(pc.is_valid(last), pc.invert(last_ok))
    unknown = _mask(pc.and_(pc.or_(miss_first, miss_last), pc.invert(by_id)))
    problems.append(
        Problem(
            unknown,
            _header(mapping, "card_numbers"),
            raws["card_numbers"],
            "card_unknown",
            severity="warning",
            kwargs={"ma_lk": columns["claim_code"]},
        )
    )


def claim_rules(
    mapping: dict[str, str],
    columns: Columns,
    raws: Columns,
    problems: list[Problem],
    key_values: KeyLookup,
) -> None:
    _derive_cards(mapping, columns, raws, problems)
    _totals(mapping, columns, raws, problems)
    _dates(mapping, columns, raws, problems)
    _cards_known(mapping, columns, raws, problems, key_values)


# -------------------------------------------------------------------------------- lines


def _orphans(columns: Columns, key_values: KeyLookup) -> pa.Array:
    """Lines whose (MA_CSKCB, MA_LK) is not among the claims imported (this batch included)."""
    facility, code = columns["facility_code"], columns["claim_code"]
    present = pc.and_(pc.is_valid(facility), pc.is_valid(code))
    batch = getattr(key_values, "batch", None)
    if batch is None:  # a lookup without the batch: MA_LK alone
        known = pc.is_in(code, value_set=key_values("claims", "claim_code"))
        return _mask(pc.and_(present, pc.invert(known)))
    n = len(code)
    candidate = pa.table(
        {
            "facility_code": facility,
            "claim_code": code,
            "_row": pa.array(np.arange(n, dtype=np.int64)),
        }
    ).filter(present)
    found = batch.present_keys("claims", ("facility_code", "claim_code"), candidate)
    exists = np.zeros(n, dtype=bool)
    exists[found.to_numpy(zero_copy_only=False)] = True
    return _mask(pc.and_(present, pa.array(~exists)))


def _line_rules(
    mapping: dict[str, str],
    columns: Columns,
    raws: Columns,
    problems: list[Problem],
    key_values: KeyLookup,
) -> None:
    orphan = _orphans(columns, key_values)
    if bool(pc.any(orphan).as_py()):
        problems.append(
            Problem(
                orphan,
                _header(mapping, "claim_code"),
                raws["claim_code"],
                "line_without_claim",
                kwargs={"facility": columns["facility_code"]},
            )
        )


def drug_rules(
    mapping: dict[str, str],
    columns: Columns,
    raws: Columns,
    problems: list[Problem],
    key_values: KeyLookup,
) -> None:
    _line_rules(mapping, columns, raws, problems, key_values)


def service_rules(
    mapping: dict[str, str],
    columns: Columns,
    raws: Columns,
    problems: list[Problem],
    key_values: KeyLookup,
) -> None:
    _line_rules(mapping, columns, raws, problems, key_values)
    ma_lk = columns["claim_code"]
    neither = pc.and_(pc.is_null(columns["service_code"]), pc.is_null(columns["supply_code"]))
    header = _header(mapping, "service_code") if "service_code" in mapping else "MA_DICH_VU"
    problems.append(
        Problem(
            neither,
            header,
            raws["service_code"],
            "service_or_supply_missing",
            kwargs={"ma_lk": ma_lk},
        )
    )
    if "bed_code" in mapping:
        bed = columns["bed_code"]
        bad = pc.and_(pc.is_valid(bed), pc.invert(_mask(pc.match_substring_regex(bed, BED_CODE))))
        problems.append(
            Problem(
                bad,
                _header(mapping, "bed_code"),
                raws["bed_code"],
                "bad_bed_code",
                severity="warning",
                kwargs={"ma_lk": ma_lk},
            )
        )


TABLE_RULES: dict[str, Rules] = {
    "claims": claim_rules,
    "claim_drugs": drug_rules,
    "claim_services": service_rules,
}
