"""People across provinces: residents insured in another province found (and named) in that
province's store, and non-resident participants placed in their home province's register.

For the reference date D and every province A:

* *home side* — A's residents (in its register, living and not moved out on D) with an
  enrolment held in another province B in force on D (A's enrolments with
  ``enrol_province_code`` = B, linked to the register by personal ID then legacy code,
  ``identity.link_enrolments``) are looked up in B's store among its enrolments held there
  and in force on D, by personal ID and then by legacy code: ``found`` (B's employer and
  schemes) or ``not_found``;
* *work side* — B's non-resident participants in force on D (``linked_spells`` rows held in B
  whose ID is not in B's register) are looked up in the other provinces' registers (living
  and not moved out on D): the resident of A found by the home side already, else
  ``registered_in_home`` (in A's register, though A's own records hold nothing in B), else
  ``residence_unknown`` (no register names them; no home province).

Each person is one row per (home, work) pair: ``MART_PEOPLE`` (``nation_cross_province``)
has ``home_province_code`` (null when unknown), ``work_province_code``, ``person_id``,
``si_code``, ``status``, ``home_schemes`` / ``work_schemes`` (the schemes in force on D,
``;``-joined in alphabetical order), ``employer_code`` (in the work province).
``MART_PAIRS`` (``nation_cross_province_pairs``) counts them by pair and status;
``by_province`` sums those per province.

The province stores are separate connections, so each province's query is an Ibis
expression on its own store whose small result comes back through pyarrow; the national
composition is Ibis over those pieces (``ibis.memtable``) on the national store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ibis
import pyarrow as pa
import pyarrow.compute as pc
from ibis.expr.types import Table

from baophu.backends import Store
from baophu.engine.identity import (
    MART_SPELLS,
    NON_RESIDENT,
    RESIDENT_STATUSES,
    SCHEME_INDEX,
    active_on,
    link_enrolments,
    normalise_person_id,
)

MART_PEOPLE = "nation_cross_province"
MART_PAIRS = "nation_cross_province_pairs"
FOUND, NOT_FOUND, REGISTERED, UNKNOWN = (
    "found",
    "not_found",
    "registered_in_home",
    "residence_unknown",
)
STATUSES = (FOUND, NOT_FOUND, REGISTERED, UNKNOWN)
STATUS_VI = {
    FOUND: "Tìm thấy ở tỉnh nơi làm việc",
    NOT_FOUND: "Không tìm thấy ở tỉnh nơi làm việc",
    REGISTERED: "Có trong dữ liệu dân cư tỉnh khác",
    UNKNOWN: "Không rõ nơi cư trú",
}
SCHEMES = tuple(sorted(SCHEME_INDEX))  # alphabetical: the order of ``*_schemes``


def _living(residents: Table, day: ibis.Value) -> Table:
    gone = (residents.death_date <= day).fill_null(False) | (
        residents.moved_out_date <= day
    ).fill_null(False)
    return residents.filter(~gone)


def home_rows(store: Store, code: str, day: dt.date) -> pa.Table:
    """A's living residents with an enrolment held in another province in force on D: one
    row per person, province and scheme (``home_province_code``, ``work_province_code``,
    ``person_id``, ``si_code``, ``scheme``)."""
    d = ibis.literal(day, "date")
    e = store.table("enrolments")
    held = e.filter(
        (e.enrol_province_code != code)
        & e.enrol_province_code.notnull()
        & active_on(e.start_date, e.end_date, d).fill_null(False)
    ).select(
        "enrolment_id",
        "person_id",
        "si_code",
        "birth_date",
        "hamlet_code",
        "scheme",
        "enrol_province_code",
    )
    residents = _living(store.table("residents"), d)
    linked = link_enrolments(held, residents, store.table("units"))
    linked = linked.filter(linked.link_status.isin(RESIDENT_STATUSES))
    r = residents.select(
        _key=residents.person_id.try_cast("int64"),
        r_person_id=residents.person_id,
        r_si_code=residents.si_code,
    )
    j = linked.join(r, linked.person_key == r._key)
    return (
        j.select(
            home_province_code=ibis.literal(code),
            work_province_code=j.enrol_province_code,
            person_id=j.r_person_id,
            si_code=j.r_si_code,
            scheme=j.scheme,
        )
        .distinct()
        .to_pyarrow()
    )


def non_residents(store: Store, code: str, day: dt.date) -> pa.Table:
    """B's non-resident participants in force on D (held in B): ``work_province_code``,
    ``person_id``, ``scheme``, ``employer_code``, one row per person and scheme."""
    s = store.read_mart(MART_SPELLS)
    d = ibis.literal(day, "date")
    s = s.filter(
        (s.link_status == NON_RESIDENT)
        & (s.cls % 2 == 0)
        & active_on(s.start_date, s.end_date, d).fill_null(False)
    )
    scheme = ibis.cases(*[(s.cls // 2 == i, n) for n, i in SCHEME_INDEX.items()])
    pid = s.person_key.cast("string").lpad(12, "0")
    t = s.select(
        work_province_code=ibis.literal(code),
        person_id=pid,
        scheme=scheme,
        employer_code=s.employer_code,
    )
    return (
        t.group_by("work_province_code", "person_id", "scheme")
        .aggregate(employer_code=t.employer_code.min())
        .to_pyarrow()
    )


def held_rows(store: Store, code: str, day: dt.date, ids: pa.Table) -> pa.Table:
    """B's enrolments held in B in force on D whose personal ID or legacy code is one of
    ``ids`` (``person_id``, ``si_code``): ``person_id`` (normalised), ``si_code``,
    ``scheme``, ``employer_code``."""
    d = ibis.literal(day, "date")
    e = store.table("enrolments")
    e = e.filter(
        (e.enrol_province_code == code) & active_on(e.start_date, e.end_date, d).fill_null(False)
    )
    e = e.mutate(_pid=normalise_person_id(e.person_id))
    wanted = ibis.memtable(ids)
    by_id = wanted.filter(wanted.person_id.notnull()).select(w_id=wanted.person_id).distinct()
    by_si = wanted.filter(wanted.si_code.notnull()).select(w_si=wanted.si_code).distinct()
    hit = e.filter(e._pid.isin(by_id.w_id) | e.si_code.isin(by_si.w_si))
    return hit.select(
        person_id=hit._pid, si_code=hit.si_code, scheme=hit.scheme, employer_code=hit.employer_code
    ).to_pyarrow()


def registered(store: Store, code: str, day: dt.date, ids: pa.Array) -> pa.Table:
    """Those of ``ids`` (personal IDs) in A's register, living and not moved out on D:
    ``home_province_code``, ``person_id``, ``si_code``."""
    r = _living(store.table("residents"), ibis.literal(day, "date"))
    wanted = ibis.memtable(pa.table({"w_id": ids}))
    hit = r.filter(r.person_id.isin(wanted.w_id))
    return hit.select(
        home_province_code=ibis.literal(code), person_id=hit.person_id, si_code=hit.si_code
    ).to_pyarrow()


def _schemes_of(t: Table, keys: list[str], prefix: str) -> Table:
    """One row per ``keys`` with ``<prefix>_schemes``: the schemes present, ``;``-joined."""
    flags = {f"_{s}": (t.scheme == s).cast("int8").max() for s in SCHEMES}
    g = t.group_by(keys).aggregate(**flags)
    joined = ibis.literal("")
    for s in SCHEMES:
        joined = joined + ibis.ifelse(g[f"_{s}"] == 1, f"{s};", "")
    return g.select(*keys, **{f"{prefix}_schemes": joined.re_replace(";$", "")})


def cross_province_people(
    home: pa.Table, held: pa.Table, non_res: pa.Table, homes: pa.Table
) -> Table:
    """The mart ``MART_PEOPLE`` from the pieces: ``home`` (``home_rows`` of every province),
    ``held`` (``held_rows`` with ``work_province_code``), ``non_res`` (``non_residents``),
    ``homes`` (``registered``: the non-residents' IDs found in a register)."""
    h = _schemes_of(
        ibis.memtable(home),
        ["home_province_code", "work_province_code", "person_id", "si_code"],
        "home",
    )
    b = ibis.memtable(held)
    # a home row is found by personal ID, else by legacy code
    by_id = h.join(
        b,
        (h.work_province_code == b.work_province_code) & (h.person_id == b.person_id),
    ).select(h.home_province_code, h.work_province_code, h.person_id, b.scheme, b.employer_code)
    rest = h.anti_join(
        by_id,
        (h.work_province_code == by_id.work_province_code) & (h.person_id == by_id.person_id),
    )
    by_si = rest.join(
        b,
        (rest.work_province_code == b.work_province_code)
        & (rest.si_code == b.si_code)
        & rest.si_code.notnull(),
    ).select(
        rest.home_province_code, rest.work_province_code, rest.person_id, b.scheme, b.employer_code
    )
    found = ibis.union(by_id, by_si, distinct=False)
    keys = ["home_province_code", "work_province_code", "person_id"]
    found_schemes = _schemes_of(found, keys, "work")
    found_emp = found.group_by(keys).aggregate(f_employer=found.employer_code.min())
    fs = found_schemes.join(found_emp, keys)
    hs = h.left_join(fs, keys)
    home_side = hs.select(
        home_province_code=hs.home_province_code,
        work_province_code=hs.work_province_code,
        person_id=hs.person_id,
        si_code=hs.si_code,
        status=ibis.ifelse(hs.work_schemes.notnull(), FOUND, NOT_FOUND),
        home_schemes=hs.home_schemes,
        work_schemes=hs.work_schemes,
        employer_code=hs.f_employer,
    )
    n = ibis.memtable(non_res)
    n_schemes = _schemes_of(n, ["work_province_code", "person_id"], "work")
    n_emp = n.group_by("work_province_code", "person_id").aggregate(
        employer_code=n.employer_code.min()
    )
    nr = n_schemes.join(n_emp, ["work_province_code", "person_id"])
    reg = ibis.memtable(homes)
    # a non-resident found in their own work province's register cannot be: other registers
    nj = nr.left_join(
        reg,
        (nr.person_id == reg.person_id) & (nr.work_province_code != reg.home_province_code),
    )
    nj = nj.select(
        home_province_code=nj.home_province_code,
        work_province_code=nj.work_province_code,
        person_id=nj.person_id,
        si_code=nj.si_code,
        work_schemes=nj.work_schemes,
        employer_code=nj.employer_code,
    )
    seen = home_side.select(
        s_work=home_side.work_province_code, s_id=home_side.person_id
    ).distinct()
    work_only = nj.anti_join(
        seen, (nj.work_province_code == seen.s_work) & (nj.person_id == seen.s_id)
    )
    work_side = work_only.select(
        home_province_code=work_only.home_province_code,
        work_province_code=work_only.work_province_code,
        person_id=work_only.person_id,
        si_code=work_only.si_code,
        status=ibis.ifelse(work_only.home_province_code.notnull(), REGISTERED, UNKNOWN),
        home_schemes=ibis.null("string"),
        work_schemes=work_only.work_schemes,
        employer_code=work_only.employer_code,
    )
    return ibis.union(home_side, work_side, distinct=False)


def pair_counts(people: Table) -> Table:
    """``MART_PAIRS``: people by (home, work) pair, one count column per status."""
    return people.group_by("home_province_code", "work_province_code").aggregate(
        **{
            s: (people.status == s).cast("int64").sum().cast("float64").cast("int64")
            for s in STATUSES
        }
    )


def by_province(pairs: Table) -> Table:
    """Per province: as home, its residents found / not found elsewhere (and those other
    provinces place in its register); as workplace, its non-residents placed at home or of
    unknown residence.  Ordered by province code."""
    as_home = pairs.filter(pairs.home_province_code.notnull())
    h = as_home.group_by(province_code=as_home.home_province_code).aggregate(
        residents_found=as_home[FOUND].sum(),
        residents_not_found=as_home[NOT_FOUND].sum(),
        residents_registered_only=as_home[REGISTERED].sum(),
    )
    w = pairs.group_by(province_code=pairs.work_province_code).aggregate(
        nonresidents_placed=(pairs[FOUND] + pairs[REGISTERED]).sum(),
        nonresidents_unknown=pairs[UNKNOWN].sum(),
    )
    j = h.outer_join(w, h.province_code == w.province_code)
    code = ibis.coalesce(j.province_code, j.province_code_right)
    cols = (
        "residents_found",
        "residents_not_found",
        "residents_registered_only",
        "nonresidents_placed",
        "nonresidents_unknown",
    )
    return j.select(
        province_code=code, **{c: j[c].fill_null(0).cast("float64").cast("int64") for c in cols}
    ).order_by("province_code")


def cross_province(provinces: Mapping[str, Store], day: dt.date) -> tuple[Table, int] | None:
    """The mart ``MART_PEOPLE`` over ``provinces`` (code → store) on ``day`` and how many
    provinces it read; ``None`` when a province has no linked enrolments to read."""
    if not all(p.has_mart(MART_SPELLS) for p in provinces.values()):
        return None
    homes = [home_rows(p, code, day) for code, p in sorted(provinces.items())]
    home = pa.concat_tables(homes, promote_options="default")
    non_res = pa.concat_tables(
        [non_residents(p, code, day) for code, p in sorted(provinces.items())],
        promote_options="default",
    )
    held: list[pa.Table] = []
    for code, p in sorted(provinces.items()):
        mine = home.filter(pc.equal(home.column("work_province_code"), code))
        if mine.num_rows == 0:
            continue
        rows = held_rows(p, code, day, mine.select(["person_id", "si_code"]))
        held.append(rows.append_column("work_province_code", pa.array([code] * rows.num_rows)))
    empty = pa.table(
        {
            "person_id": pa.array([], pa.string()),
            "si_code": pa.array([], pa.string()),
            "scheme": pa.array([], pa.string()),
            "employer_code": pa.array([], pa.string()),
            "work_province_code": pa.array([], pa.string()),
        }
    )
    held_t = pa.concat_tables([empty, *[h.cast(empty.schema) for h in held]])
    ids = pc.unique(non_res.column("person_id"))
    regs = [registered(p, code, day, ids) for code, p in sorted(provinces.items())]
    homes_t = pa.concat_tables(regs, promote_options="default")
    return cross_province_people(home, held_t, non_res, homes_t), len(provinces)
