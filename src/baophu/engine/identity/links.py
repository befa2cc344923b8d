"""Identity: link every enrolment to a resident of the population register, or say why not.

Deterministic steps, in order (each only for rows the previous steps left unlinked):

1. ``person_id`` — the personal ID after normalising it (spaces, dots, dashes and a trailing
   ``.0`` removed; an 11-digit value gets back the leading zero a spreadsheet dropped: the same
   rules as ``baophu.ingest.validate.normalise_person_id``) equals a resident's ID and the
   birth dates agree (equal, or day and month swapped, or one of them missing).  The birth
   check stops a mistyped ID that happens to be another resident's from linking;
2. ``si_code`` — the legacy 10-digit social-insurance code maps to exactly one resident (and
   the birth dates agree as above);
3. ``remainder_linker`` — an optional hook for probabilistic linkage (``identity.remainder``:
   Splink on what is left, its accepted links): a function from the still-unlinked rows and
   the residents to ``enrolment_id``, ``person_key``, ``link_method``; a row it links gets
   ``link_status`` ``BY_LINKAGE`` (``link_method`` ``probabilistic``).

What remains unlinked keeps its reason, never silently dropped:

* ``no_id`` — no personal ID (and no legacy code that maps);
* ``invalid_id`` — the ID is not a well-formed personal ID (not 12 digits, unknown province);
* ``id_not_in_register`` — a well-formed ID that is not in the register.  When the enrolment
  gives no residence in this province the row is a **non-resident** participant: it keeps its
  ID as ``person_key`` (``link_method = 'non_resident_id'``) and counts as such in coverage;
  when it names a hamlet of this province it is most likely a resident with a mistyped ID
  and stays unresolved;
* ``id_conflict`` — the ID is a resident's but the birth dates disagree.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
from ibis.expr.types import BooleanValue, IntegerValue, StringValue, Table

from baophu.contracts.person_id import BIRTH_PROVINCE_CODES

UNLINKED_REASONS: tuple[str, ...] = ("no_id", "invalid_id", "id_not_in_register", "id_conflict")
UNLINKED_REASON_VI: dict[str, str] = {
    "no_id": "Không có số định danh",
    "invalid_id": "Số định danh không hợp lệ",
    "id_not_in_register": "Số định danh không có trong dữ liệu dân cư",
    "id_conflict": "Số định danh trùng người khác (ngày sinh không khớp)",
}
LINK_METHODS: tuple[str, ...] = ("person_id", "si_code", "non_resident_id", "probabilistic")

RemainderLinker = Callable[[Table, Table], Table]

_CODES = sorted(int(c) for c in BIRTH_PROVINCE_CODES)
_CODE_MAP_LOW = sum(1 << c for c in _CODES if c < 63)
_CODE_MAP_HIGH = sum(1 << (c - 64) for c in _CODES if 64 <= c < 127)
if any(c in (63, 127) or c >= 128 for c in _CODES):  # pragma: no cover - sign bit
    raise RuntimeError("province codes must fit the two 63-bit maps")


def _normalise_slow(raw: StringValue) -> StringValue:
    """The ingest normalisation with regular expressions (null when empty)."""
    text = raw.strip().re_replace(r"\.0+$", "").re_replace(r"[\s.\-']", "")
    text = ibis.ifelse(text == "", ibis.null("string"), text)
    eleven = text.re_search(r"^[0-9]{11}$")
    return ibis.ifelse(eleven, ibis.literal("0") + text, text)


def normalise_person_id(raw: StringValue) -> StringValue:
    """The ingest normalisation of a personal ID, as an Ibis expression (null when empty)."""
    # Most IDs are already clean (twelve digits): skip the regular expressions for them.
    clean = person_key(raw).notnull()
    return ibis.ifelse(clean, raw, _normalise_slow(raw))


def normalised_key(raw: StringValue) -> tuple[IntegerValue, BooleanValue]:
    """``(person_key(normalise_person_id(raw)), normalise_person_id(raw) is null)`` without
    building the normalised text for the clean IDs (almost all): one cast for those, the
    regular expressions only for the rest."""
    quick = person_key(raw)
    slow = _normalise_slow(raw)
    key = ibis.ifelse(quick.notnull(), quick, person_key(slow))
    no_id = ibis.ifelse(quick.notnull(), ibis.literal(False), slow.isnull())
    return key, no_id


def well_formed_person_id(person_id: StringValue) -> BooleanValue:
    """True for 12 digits whose first three are a known province of birth registration."""
    return well_formed_key(person_key(person_id))


def well_formed_key(key: IntegerValue) -> BooleanValue:
    """A personal ID's integer form (``person_key``) has a known province code: a bit test
    in two 64-bit maps of the codes, arithmetic rather than a join against a list."""
    code = key // 1_000_000_000
    # shift amounts kept within 0 … 63 on every row (no lazy CASE is assumed)
    low = (ibis.literal(_CODE_MAP_LOW, "int64") >> ibis.least(ibis.greatest(code, 0), 63)) & 1
    high_shift = ibis.least(ibis.greatest(code - 64, 0), 63)
    high = (ibis.literal(_CODE_MAP_HIGH, "int64") >> high_shift) & 1
    known = ibis.ifelse(code < 64, low, ibis.ifelse(code < 128, high, 0)) == 1
    return (key.notnull() & known).fill_null(False)


def births_agree(a: ibis.Value, b: ibis.Value) -> BooleanValue:
    """Equal, day and month swapped, or either missing."""
    swapped = (a.year() == b.year()) & (a.month() == b.day()) & (a.day() == b.month())
    return (a.isnull() | b.isnull() | (a == b) | swapped).fill_null(False)


def person_key(person_id: StringValue) -> IntegerValue:
    """The integer form of a normalised 12-digit ID (null otherwise): the key the engine
    groups and joins on (integers hash faster than text).  ``person_id`` keeps the text."""
    first = person_id.substr(0, 1)
    twelve = (person_id.length() == 12) & (first >= "0") & (first <= "9")
    return ibis.ifelse(twelve.fill_null(False), person_id.try_cast("int64"), ibis.null("int64"))


# link_status: how a row was linked (< 10) or why not (≥ 10)
BY_PERSON_ID, BY_SI_CODE, NON_RESIDENT, BY_LINKAGE = 0, 1, 2, 3
NO_ID, INVALID_ID, NOT_IN_REGISTER, ID_CONFLICT = 10, 11, 12, 13
RESIDENT_STATUSES = (BY_PERSON_ID, BY_SI_CODE, BY_LINKAGE)  # linked to a resident
STATUS_METHOD = {
    BY_PERSON_ID: "person_id",
    BY_SI_CODE: "si_code",
    NON_RESIDENT: "non_resident_id",
    BY_LINKAGE: "probabilistic",
}
STATUS_REASON = {
    NON_RESIDENT: "id_not_in_register",
    NO_ID: "no_id",
    INVALID_ID: "invalid_id",
    NOT_IN_REGISTER: "id_not_in_register",
    ID_CONFLICT: "id_conflict",
}


def link_enrolments(
    enrolments: Table,
    residents: Table,
    units: Table,
    remainder_linker: RemainderLinker | None = None,
) -> Table:
    """Every enrolment row with its link to the register.

    Adds to the enrolment columns: ``person_key`` (integer form of the resident's personal
    ID, or of a non-resident's own ID; null when unlinked), ``link_status`` (see
    ``STATUS_METHOD`` / ``STATUS_REASON``), ``resident`` (linked to the register),
    ``non_resident``, ``link_method``, ``unlinked_reason`` (see the module docstring) and
    ``person_death_date`` (the linked resident's).  Row count and order of the enrolment
    columns are kept.
    """
    norm_key, no_id = normalised_key(enrolments.person_id)
    e = enrolments.mutate(_norm_key=norm_key, _no_id=no_id)
    r_id = residents.select(
        _rid=person_key(residents.person_id),
        _rid_birth=residents.birth_date,
        _rid_death=residents.death_date,
    )
    j = e.left_join(r_id, e._norm_key == r_id._rid)
    j = j.mutate(_by_id=j._rid.notnull() & births_agree(j.birth_date, j._rid_birth))
    si_int = j.si_code.try_cast("int64")
    j = j.mutate(_si_key=ibis.ifelse(j._by_id, ibis.null("int64"), si_int))

    with_si = residents.filter(residents.si_code.notnull())
    with_si = with_si.select(
        _si=with_si.si_code.try_cast("int64"),
        _pk=person_key(with_si.person_id),
        birth_date=with_si.birth_date,
        death_date=with_si.death_date,
    )
    r_si = with_si.group_by("_si").aggregate(
        _sid=with_si._pk.min(),
        _sid_birth=with_si.birth_date.min(),
        _sid_death=with_si.death_date.min(),
        _sid_n=with_si.count(),
    )
    r_si = r_si.filter(r_si._sid.notnull() & (r_si._sid_n == 1)).drop("_sid_n")
    k = j.left_join(r_si, j._si_key == r_si._si)
    k = k.mutate(_by_si=~k._by_id & k._sid.notnull() & births_agree(k.birth_date, k._sid_birth))

    hamlets = units.filter(units.level == "hamlet").select(_hamlet=units.unit_code)
    k = k.left_join(hamlets, k.hamlet_code == hamlets._hamlet)
    linked_ = k._by_id | k._by_si
    # well-formedness matters only for rows the register did not take
    k = k.mutate(_well_formed=ibis.ifelse(linked_, True, well_formed_key(k._norm_key)))
    status = ibis.cases(
        (k._by_id, BY_PERSON_ID),
        (k._by_si, BY_SI_CODE),
        (k._no_id, NO_ID),
        (~k._well_formed, INVALID_ID),
        (k._rid.isnull() & k._hamlet.isnull(), NON_RESIDENT),
        (k._rid.isnull(), NOT_IN_REGISTER),
        else_=ID_CONFLICT,
    ).cast("int8")
    k = k.mutate(link_status=status)
    linked = k.mutate(
        person_key=ibis.cases(
            (k.link_status == BY_PERSON_ID, k._rid),
            (k.link_status == BY_SI_CODE, k._sid),
            (k.link_status == NON_RESIDENT, k._norm_key),
            else_=ibis.null("int64"),
        ),
        resident=k.link_status <= BY_SI_CODE,
        non_resident=k.link_status == NON_RESIDENT,
        link_method=decode_status(k.link_status, STATUS_METHOD),
        unlinked_reason=decode_status(k.link_status, STATUS_REASON),
        person_death_date=ibis.cases(
            (k.link_status == BY_PERSON_ID, k._rid_death),
            (k.link_status == BY_SI_CODE, k._sid_death),
            else_=ibis.null("date"),
        ),
    )
    out = linked.select(*enrolments.columns, *LINK_COLUMNS)
    if remainder_linker is not None:
        out = _apply_remainder(out, residents, remainder_linker)
    return out


def decode_status(status: IntegerValue, names: dict[int, str]) -> StringValue:
    """``link_status`` as its method (``STATUS_METHOD``) or reason (``STATUS_REASON``)."""
    return ibis.cases(*[(status == k, v) for k, v in names.items()], else_=ibis.null("string"))


# the columns of an enrolment ``link_enrolments`` reads (the ID, the SI code and the birth
# date to link by, the hamlet for the province, the id for the remainder's links)
LINK_INPUTS: tuple[str, ...] = ("enrolment_id", "person_id", "si_code", "birth_date", "hamlet_code")
# the columns ``link_enrolments`` adds to the enrolments
LINK_COLUMNS: tuple[str, ...] = (
    "person_key",
    "link_status",
    "resident",
    "non_resident",
    "link_method",
    "unlinked_reason",
    "person_death_date",
)


def _apply_remainder(linked: Table, residents: Table, linker: RemainderLinker) -> Table:
    """Let ``linker`` link what the deterministic steps left (person_key null).  It returns
    ``enrolment_id``, ``person_key`` (integer) and ``link_method``; a row it links becomes
    ``BY_LINKAGE``, a resident with the linked resident's death date."""
    open_rows = linked.filter(linked.person_key.isnull())
    found = linker(open_rows, residents).select(
        _eid="enrolment_id", _pk="person_key", _lm="link_method"
    )
    deaths = residents.select(_dk=person_key(residents.person_id), _death=residents.death_date)
    found = found.left_join(deaths, found._pk == deaths._dk)
    j = linked.left_join(found, linked.enrolment_id == found._eid)
    hit = j.person_key.isnull() & j._pk.notnull()
    return j.mutate(
        person_key=ibis.ifelse(hit, j._pk, j.person_key),
        link_status=ibis.ifelse(hit, ibis.literal(BY_LINKAGE, "int8"), j.link_status),
        resident=j.resident | hit,
        link_method=ibis.ifelse(hit, j._lm, j.link_method),
        unlinked_reason=ibis.ifelse(hit, ibis.null("string"), j.unlinked_reason),
        person_death_date=ibis.ifelse(hit, j._death, j.person_death_date),
    ).select(*linked.columns)


def active_on(start: ibis.Value, end: ibis.Value, on: ibis.Value) -> BooleanValue:
    """A spell is in force on ``on``: start ≤ on and (no end or end ≥ on)."""
    return (start <= on) & (end.isnull() | (end >= on))


def unlinked_summary(linked: Table, reference_date: ibis.Value | None = None) -> Table:
    """Counts of enrolment rows by link outcome, reason and scheme (nothing dropped).

    Columns: ``outcome`` (``linked`` / ``non_resident`` / ``unlinked``), ``link_method``,
    ``unlinked_reason``, ``scheme``, ``rows`` and ``rows_active`` (in force on the reference
    date, when given).
    """
    outcome = ibis.cases(
        (linked.resident, "linked"),
        (linked.non_resident, "non_resident"),
        else_="unlinked",
    )
    active = (
        active_on(linked.start_date, linked.end_date, reference_date)
        if reference_date is not None
        else ibis.literal(False)
    )
    t = linked.mutate(_outcome=outcome, _active=active.fill_null(False).cast("int64"))
    return t.group_by(
        outcome=t._outcome,
        link_method=t.link_method,
        unlinked_reason=t.unlinked_reason,
        scheme=t.scheme,
    ).aggregate(
        rows=t.count(),
        rows_active=t._active.sum().cast("decimal(38, 0)").cast("int64").fill_null(0),
    )
