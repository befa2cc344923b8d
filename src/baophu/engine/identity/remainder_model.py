"""The remainder linkage as data: what the exact steps leave, compared with the register.

Enrolment rows whose ID is missing, malformed, not in the register, or a resident's whose
birth date disagrees (``links.link_enrolments`` statuses ``no_id`` … ``id_conflict``) are
compared with every resident by Splink, in the manner of ``engine.linkage`` (comparisons as
ordered levels with a code and a Vietnamese phrase, blocking rules, thresholds on the best
candidate's match weight):

* ``full_name`` — with diacritics, without them, one or two letters off, the same surname and
  given name with another middle name, different;
* ``birth_date`` — equal, day and month swapped, same month, same year, different;
* ``sex``;
* ``residence`` — the enrolment's hamlet is the resident's, or in the same commune;
* ``person_id`` — one or two keystrokes away (a mistyped ID) or different;
* ``si_code`` — the legacy social-insurance code;
* ``employer`` — the employer of the row and the employer of the resident's latest spell
  linked by ID (an employee's BHYT row with a mistyped ID beside a BHXH row with the right one).

Unlike the lists' linkage, the m probabilities are not trained: the remainder is a small,
one-sided sample (almost every row *is* some resident) on which expectation maximisation
has little to learn and can go astray on a small office's data.  They are stated here as
data, with the u probabilities of a province-sized register, which random sampling replaces
once the register has ``U_SAMPLE_MIN`` residents (a handful of residents would make every
agreement look common); the prior is one in the register's size, so a link needs several
independent agreements.

Someone else's ID: a row carrying a resident's real ID (``id_conflict``) with a name that is
not that resident's (more than two letters apart once folded) is flagged; unless the
comparisons show a resident whose own ID is one or two keystrokes from the row's (then the
ID was only mistyped), it is never linked automatically: it goes to review if anyone fits,
and never counts as the ID owner's coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import splink.comparison_level_library as cll
from ibis.expr.types import StringValue, Table
from splink import SettingsCreator, block_on

from baophu.engine.identity.comparisons import (
    Comparison,
    Level,
    birth_date_comparison,
    link_only_settings,
)
from baophu.engine.identity.links import normalise_person_id, person_key
from baophu.engine.identity.names import NAME_COLUMNS, with_names

SEED = 20260102
U_MAX_PAIRS = 2e6
U_SAMPLE_MIN = 10_000  # residents: below, the stated u probabilities stand (too few to sample)


def _mu(level: Any, m: float, u: float) -> Any:
    return level.configure(m_probability=m, u_probability=u)


def _custom(sql: str, label: str, m: float, u: float) -> Any:
    return _mu(cll.CustomLevel(sql, label_for_charts=label), m, u)


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "full_name",
        "name_level",
        (
            Level("missing", "thiếu họ tên", cll.NullLevel("name_folded")),
            Level("exact", "họ tên khớp", _mu(cll.ExactMatchLevel("name_key"), 0.90, 1e-4)),
            Level(
                "folded",
                "họ tên khớp khi bỏ dấu",
                _mu(cll.ExactMatchLevel("name_folded"), 0.05, 2e-5),
            ),
            Level(
                "typo",
                "họ tên gần khớp (sai 1–2 ký tự)",
                _mu(cll.LevenshteinLevel("name_folded", 2), 0.03, 1e-4),
            ),
            Level(
                "middle_differs",
                "cùng họ và tên, khác tên đệm",
                _custom(
                    "surname_l = surname_r AND given_name_l = given_name_r",
                    "same surname and given name",
                    0.01,
                    1e-3,
                ),
            ),
            Level("different", "họ tên khác", _mu(cll.ElseLevel(), 0.01, 0.999)),
        ),
    ),
    birth_date_comparison(
        {
            "exact": (0.93, 4e-5),
            "swapped": (0.03, 3e-5),
            "same_month": (0.01, 1e-3),
            "same_year": (0.01, 1.2e-2),
            "different": (0.02, 0.987),
        }
    ),
    Comparison(
        "sex",
        "sex_level",
        (
            Level("missing", "thiếu giới tính", cll.NullLevel("sex")),
            Level("exact", "cùng giới tính", _mu(cll.ExactMatchLevel("sex"), 0.99, 0.5)),
            Level("different", "khác giới tính", _mu(cll.ElseLevel(), 0.01, 0.5)),
        ),
    ),
    Comparison(
        "residence",
        "residence_level",
        (
            Level("missing", "không ghi nơi cư trú", cll.NullLevel("hamlet_code")),
            Level("hamlet", "cùng thôn/ấp", _mu(cll.ExactMatchLevel("hamlet_code"), 0.85, 3e-4)),
            Level(
                "commune",
                "cùng xã, khác thôn/ấp",
                _mu(cll.ExactMatchLevel("commune_code"), 0.08, 3e-3),
            ),
            Level("different", "khác xã", _mu(cll.ElseLevel(), 0.07, 0.9967)),
        ),
    ),
    Comparison(
        "person_id",
        "id_level",
        (
            Level("missing", "không có số định danh", cll.NullLevel("person_id")),
            Level(
                "near",
                "số định danh sai 1–2 chữ số",
                _mu(cll.LevenshteinLevel("person_id", 2), 0.90, 1e-7),
            ),
            Level("different", "số định danh khác", _mu(cll.ElseLevel(), 0.10, 1.0 - 1e-7)),
        ),
    ),
    Comparison(
        "si_code",
        "si_level",
        (
            Level("missing", "", cll.NullLevel("si_code")),
            Level("exact", "mã số BHXH khớp", _mu(cll.ExactMatchLevel("si_code"), 0.95, 1e-7)),
            Level("different", "mã số BHXH khác", _mu(cll.ElseLevel(), 0.05, 1.0 - 1e-7)),
        ),
    ),
    Comparison(
        "employer",
        "employer_level",
        (
            Level("missing", "", cll.NullLevel("employer_code")),
            Level(
                "exact",
                "cùng đơn vị sử dụng lao động",
                _mu(cll.ExactMatchLevel("employer_code"), 0.80, 1e-3),
            ),
            Level("different", "khác đơn vị sử dụng lao động", _mu(cll.ElseLevel(), 0.20, 0.999)),
        ),
    ),
)
LEVEL_COLUMNS: tuple[str, ...] = tuple(c.column for c in COMPARISONS)
ID_EQUAL_VI = "số định danh khớp"
NO_CANDIDATE_VI = "Không tìm thấy người phù hợp trong dữ liệu dân cư"
TIE_VI = "có người khác gần giống như vậy, cần người xem xét"
OTHER_ID_VI = (
    "số định danh là của một người khác trong dữ liệu dân cư (khác họ tên, khác ngày sinh): "
    "không tính cho người có số định danh đó, cần người xem xét"
)
COMPARED: tuple[str, ...] = (
    *NAME_COLUMNS,
    "birth_date",
    "birth_year",
    "sex",
    "hamlet_code",
    "commune_code",
    "person_id",
    "person_key",
    "si_code",
    "employer_code",
)


def prediction_rules() -> list[Any]:
    """Pairs compared: the same folded name and birth year, the same birth date and commune,
    the same surname, given name and birth date, the same ID (a resident's, birth date
    disagreeing), the same legacy code."""
    return [
        block_on("name_folded", "birth_year"),
        block_on("birth_date", "commune_code"),
        block_on("surname", "given_name", "birth_date"),
        block_on("person_key"),
        block_on("si_code"),
    ]


def settings(n_register: int) -> SettingsCreator:
    return link_only_settings(
        COMPARISONS,
        prediction_rules(),
        n_register,
        retain_intermediate_calculation_columns=False,
    )


@dataclass(frozen=True)
class Thresholds:
    """Decisions on each row's best candidate (match weights in bits, the prior included):
    linked at or above ``link_weight`` (odds of 2^10 to 1) unless a runner-up is within
    ``tie_margin`` bits; review from ``review_weight``; unlinked below."""

    link_weight: float = 10.0
    review_weight: float = 0.0
    tie_margin: float = 3.0

    @property
    def candidate_floor(self) -> float:
        return self.review_weight - self.tie_margin


# ------------------------------------------------------------------------------ preparation


def _parents(units: Table, level: str) -> Table:
    u = units.filter(units.level == level)
    return u.select(_child=u.unit_code, _parent=u.parent_code)


def _compared(t: Table, commune: StringValue, employer: StringValue) -> dict[str, ibis.Value]:
    pid = normalise_person_id(t.person_id)
    return {
        **{c: t[c] for c in NAME_COLUMNS},
        "birth_date": t.birth_date,
        "birth_year": t.birth_date.year().cast("int64"),
        "sex": t.sex,
        "hamlet_code": t.hamlet_code,
        "commune_code": commune,
        "person_id": pid,
        "person_key": person_key(pid),
        "si_code": t.si_code,
        "employer_code": employer,
    }


def prepare_open_rows(open_rows: Table, units: Table) -> Table:
    """The rows left (``enrolment_id``, ``unlinked_reason`` and the enrolment columns) with
    the compared columns, numbered for Splink (``unique_id``)."""
    communes = _parents(units, "hamlet")
    j = with_names(open_rows)
    j = j.left_join(communes, j.hamlet_code == communes._child)
    out = j.select("enrolment_id", "unlinked_reason", **_compared(j, j._parent, j.employer_code))
    return out.mutate(unique_id=ibis.row_number().over(order_by=out.enrolment_id).cast("int64"))


def prepare_register(residents: Table, units: Table, employers: Table) -> Table:
    """Every resident with the compared columns (``unique_id``: their ``person_key``);
    ``employers``: ``person_key`` → ``employer_code`` (their latest spell linked by ID)."""
    communes = _parents(units, "hamlet")
    r = with_names(residents)
    r = r.left_join(communes, r.hamlet_code == communes._child)
    r = r.mutate(_pk=person_key(r.person_id))
    emp = employers.select(_ek=employers.person_key, _employer=employers.employer_code)
    r = r.left_join(emp, r._pk == emp._ek)
    out = r.select(**_compared(r, r._parent, r._employer))
    out = out.filter(out.person_key.notnull())
    return out.mutate(unique_id=out.person_key).select("unique_id", *COMPARED)


def latest_employers(linked: Table) -> Table:
    """``person_key`` → the employer of their latest-starting spell with an employer."""
    t = linked.filter(linked.person_key.notnull() & linked.employer_code.notnull())
    return t.group_by("person_key").aggregate(employer_code=t.employer_code.argmax(t.start_date))


def id_owners(rows: Table, register: Table) -> Table:
    """Someone else's ID: rows whose ID is a resident's (``id_conflict``: the birth dates
    disagree) and whose folded name is more than two letters from that resident's.
    ``enrolment_id``, ``owner_key``, ``owner_name_level``, ``owner_birth_level``."""
    c = rows.filter((rows.unlinked_reason == "id_conflict") & rows.person_key.notnull())
    r = register.select(
        _rk=register.person_key,
        _rfold=register.name_folded,
        _rbirth=register.birth_date,
    )
    j = c.join(r, c.person_key == r._rk)
    far = (j.name_folded.levenshtein(j._rfold) > 2).fill_null(False)
    j = j.filter(far)
    return j.select(
        enrolment_id=j.enrolment_id,
        owner_key=j._rk,
        owner_birth_level=ibis.ifelse(
            j.birth_date.isnull() | j._rbirth.isnull(), "missing", "different"
        ),
    )


# ------------------------------------------------------------------------------ decisions


def gamma_levels(candidates: Table) -> dict[str, StringValue]:
    out: dict[str, StringValue] = {}
    for comp in COMPARISONS:
        gamma = candidates[f"gamma_{comp.name}"]
        out[comp.column] = ibis.cases(
            *[(gamma == value, level.code) for value, level in comp.gamma_codes().items()],
            else_=ibis.null("string"),
        )
    return out


def _label(comparison: Comparison, code: StringValue) -> StringValue:
    cases = [(code == lv.code, lv.label_vi) for lv in comparison.levels if lv.label_vi]
    return ibis.cases(*cases, else_=ibis.null("string"))


def explanation(t: Table) -> StringValue:
    """The levels of the best candidate in plain Vietnamese, name first; a ``near`` ID that is
    in fact equal says so."""
    phrases = []
    for comp in COMPARISONS:
        label = _label(comp, t[comp.column])
        if comp.column == "id_level":
            equal = (t[comp.column] == "near") & t.id_equal.fill_null(False)
            label = ibis.ifelse(equal, ID_EQUAL_VI, label)
        phrases.append(label)
    text = ibis.literal("; ").join(phrases)
    return text.substr(0, 1).upper() + text.substr(1)


MART_COLUMNS: tuple[str, ...] = (
    "enrolment_id",
    "unlinked_reason",
    "person_key",
    "decision",
    "match_weight",
    "match_probability",
    "candidate_key",
    "runner_up_key",
    "runner_up_weight",
    "other_id",
    "owner_key",
    "explanation",
    *LEVEL_COLUMNS,
)


def decide(rows: Table, candidates: Table, owners: Table, thresholds: Thresholds) -> Table:
    """Every row left, with its decision (``MART_COLUMNS``).

    ``candidates``: ``unique_id``, ``person_key``, ``match_weight``, ``match_probability``,
    ``id_equal`` and the ``gamma_`` columns.  The best candidate (ties broken by
    ``person_key``) is linked from ``link_weight`` without a runner-up within
    ``tie_margin``; a row flagged by ``id_owners`` is linked to nobody: review when its
    best candidate (never the ID's owner) reaches ``review_weight`` unless that candidate's
    own ID is one or two keystrokes away (a mistyped ID, then linked as usual)."""
    c = candidates.mutate(**gamma_levels(candidates))
    own = owners.select(_oeid=owners.enrolment_id, _owner=owners.owner_key)
    rid = rows.select(_ruid=rows.unique_id, _reid=rows.enrolment_id)
    c = c.join(rid, c.unique_id == rid._ruid)
    c = c.left_join(own, c._reid == own._oeid)
    # the ID's owner is not a candidate for a row carrying someone else's ID
    c = c.filter(c._owner.isnull() | (c.person_key != c._owner))
    order = ibis.window(group_by=c.unique_id, order_by=[c.match_weight.desc(), c.person_key.asc()])
    c = c.mutate(_rank=ibis.row_number().over(order))
    best = c.filter(c._rank == 0)
    second = c.filter(c._rank == 1).select(
        _uid2=c.unique_id, runner_up_key=c.person_key, runner_up_weight=c.match_weight
    )
    best = best.select(
        _uid=best.unique_id,
        candidate_key=best.person_key,
        match_weight=best.match_weight,
        match_probability=best.match_probability,
        id_equal=best.id_equal,
        **{col: best[col] for col in LEVEL_COLUMNS},
    )
    j = rows.select("unique_id", "enrolment_id", "unlinked_reason")
    j = j.left_join(best, j.unique_id == best._uid)
    j = j.left_join(second, j.unique_id == second._uid2)
    j = j.left_join(owners, j.enrolment_id == owners.enrolment_id)
    w = j.match_weight
    tie = (
        j.runner_up_weight.notnull() & (w - j.runner_up_weight < thresholds.tie_margin)
    ).fill_null(False)
    mistyped = (j.id_level == "near").fill_null(False)
    other = j.owner_key.notnull() & ~mistyped
    decision = ibis.cases(
        (w.isnull(), "unlinked"),
        ((w >= thresholds.link_weight) & ~tie & ~other, "linked"),
        (w >= thresholds.review_weight, "review"),
        else_="unlinked",
    )
    j = j.mutate(decision=decision, _tie=tie & (w >= thresholds.review_weight), _other=other)
    text = explanation(j)
    text = ibis.cases(
        (j.candidate_key.isnull(), NO_CANDIDATE_VI),
        (j._tie, text + "; " + TIE_VI),
        else_=text,
    )
    text = ibis.ifelse(j._other, text + "; " + OTHER_ID_VI, text)
    return j.select(
        enrolment_id=j.enrolment_id,
        unlinked_reason=j.unlinked_reason,
        person_key=ibis.ifelse(j.decision == "linked", j.candidate_key, ibis.null("int64")),
        decision=j.decision,
        match_weight=w.cast("float64"),
        match_probability=j.match_probability.cast("float64"),
        candidate_key=j.candidate_key.cast("int64"),
        runner_up_key=j.runner_up_key.cast("int64"),
        runner_up_weight=j.runner_up_weight.cast("float64"),
        other_id=j._other,
        owner_key=ibis.ifelse(j._other, j.owner_key, ibis.null("int64")).cast("int64"),
        explanation=text,
        **{col: j[col] for col in LEVEL_COLUMNS},
    )


OTHER_ID_COLUMNS: tuple[str, ...] = (
    "enrolment_id",
    "owner_key",
    "candidate_key",
    "decision",
    "match_weight",
    "name_level",
    "birth_level",
    "explanation",
)


def other_id_rows(decided: Table) -> Table:
    """The rows carrying someone else's ID, with their explanation (``OTHER_ID_COLUMNS``)."""
    t = decided.filter(decided.other_id)
    return t.select(
        enrolment_id=t.enrolment_id,
        owner_key=t.owner_key,
        candidate_key=t.candidate_key,
        decision=t.decision,
        match_weight=t.match_weight,
        name_level=t.name_level,
        birth_level=t.birth_level,
        explanation=ibis.literal(OTHER_ID_VI[:1].upper() + OTHER_ID_VI[1:])
        + ibis.ifelse(
            t.candidate_key.notnull(),
            ibis.literal(". Người phù hợp nhất: ") + t.explanation,
            ibis.literal(""),
        ),
    )
