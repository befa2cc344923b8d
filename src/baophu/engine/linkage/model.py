"""Linkage of hand-made lists to the population register: the Ibis side of it.

Owns the tables before and after Splink, written as backend-agnostic Ibis expressions:

1. ``prepare_source`` / ``prepare_residents`` — one row per list row (``record_id``: the
   contract key joined with ``|``) or per resident, with the columns the comparisons read
   (``identity.names``; a resident's commune is their hamlet's parent unit);
2. ``exact_links`` — stage 1: the normalised personal ID is a resident's and the birth
   dates agree (equal or day and month swapped).  The birth check stops a mistyped ID that
   happens to be someone else's;
3. ``decide`` — stage 2's outcome from Splink's scored candidate pairs: each record's best
   candidate is linked (weight ≥ ``link_weight`` and no runner-up within ``tie_margin``),
   sent to review, or left unlinked; ``resolve_conflicts`` sends to review a probabilistic
   link whose resident another row of the same list and period already took;
4. ``explanation`` — the deciding comparisons in plain Vietnamese.

The mart ``person_links`` (``LINK_COLUMNS``) has one row per list row and source; other
components read ``decision = 'linked'`` rows to know which resident a pupil is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
from ibis.expr.types import StringValue, Table

from baophu.contracts import CONTRACTS
from baophu.engine.identity import (
    NAME_COLUMNS,
    births_agree_expr,
    normalise_person_id,
    person_key,
    with_names,
)
from baophu.engine.linkage.settings import (
    ID_EQUAL_VI,
    LEVEL_COLUMNS,
    Comparison,
    Thresholds,
    comparisons,
)

METHODS = ("exact_id", "probabilistic")
DECISIONS = ("linked", "review", "unlinked")
NO_CANDIDATE_VI = "Không tìm thấy người phù hợp trong dữ liệu dân cư"
TIE_VI = "có người khác gần giống như vậy, cần người xem xét"
CONFLICT_VI = "người này đã được ghép với dòng khác của cùng danh sách, cần người xem xét"
EXACT_LEVEL = "exact"  # id_level of stage-1 links (not a Splink level)

# The mart, in this order (``level`` columns: the code of each comparison's level).
LINK_COLUMNS: tuple[str, ...] = (
    "source",
    "record_id",
    "person_key",
    "match_weight",
    "match_probability",
    "method",
    "decision",
    "explanation",
    "candidate_key",
    "runner_up_weight",
    "name_level",
    "birth_level",
    "sex_level",
    "commune_level",
    "id_level",
    "household_level",
)
COMPARED: tuple[str, ...] = (
    "name_key",
    "name_folded",
    "surname",
    "given_name",
    "birth_date",
    "birth_year",
    "sex",
    "commune_code",
    "office_code",
    "person_id",
    "person_key",
    "household_id",
)


@dataclass(frozen=True)
class LinkSource:
    """A list linked to the register: its table, key, and the columns within which one
    person appears once (``period``)."""

    table: str
    period: tuple[str, ...]
    household: bool

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(CONTRACTS[self.table].key)


SOURCES: dict[str, LinkSource] = {
    "school_rosters": LinkSource("school_rosters", ("school_year",), household=False),
    "household_classifications": LinkSource(
        "household_classifications", ("list_year",), household=True
    ),
}


def record_id(t: Table, key: Sequence[str]) -> StringValue:
    """The contract key values joined with ``|`` in key order (a missing value is empty)."""
    parts = [t[k].cast("string").fill_null("") for k in key]
    out = parts[0]
    for part in parts[1:]:
        out = out + "|" + part
    return out


def _compared(
    t: Table, commune: StringValue, office: StringValue, household: StringValue | None
) -> dict[str, ibis.Value]:
    pid = normalise_person_id(t.person_id)
    return {
        **{c: t[c] for c in NAME_COLUMNS},
        "birth_date": t.birth_date,
        "birth_year": t.birth_date.year().cast("int64"),
        "sex": t.sex,
        "commune_code": commune,
        "office_code": office,
        "person_id": pid,
        "person_key": person_key(pid),
        "household_id": household if household is not None else ibis.null("string"),
    }


def _parents(units: Table, level: str) -> Table:
    """``_child`` → ``_parent`` for the units of ``level``."""
    u = units.filter(units.level == level)
    return u.select(_child=u.unit_code, _parent=u.parent_code)


def prepare_source(t: Table, source: LinkSource, units: Table) -> Table:
    """``record_id``, ``period`` and the compared columns of every row of a list (the
    office: the commune's parent unit)."""
    offices = _parents(units, "commune")
    j = with_names(t)
    j = j.left_join(offices, j.commune_code == offices._child)
    household = j.household_id if source.household else None
    return j.select(
        record_id=record_id(j, source.key),
        period=record_id(j, source.period),
        **_compared(j, j.commune_code, j._parent, household),
    )


def prepare_residents(residents: Table, units: Table) -> Table:
    """The compared columns of every resident (``unique_id``: their ``person_key``); the
    commune is the hamlet's parent unit, the office the commune's."""
    hamlets = _parents(units, "hamlet").rename(_hamlet="_child", _commune="_parent")
    communes = _parents(units, "commune").rename(_c="_child", _office="_parent")
    r = with_names(residents)
    r = r.left_join(hamlets, r.hamlet_code == hamlets._hamlet)
    r = r.left_join(communes, r._commune == communes._c)
    out = r.select(**_compared(r, r._commune, r._office, r.household_id))
    out = out.filter(out.person_key.notnull())
    return out.mutate(unique_id=out.person_key).select("unique_id", *COMPARED)


def _level_eq(a: ibis.Value, b: ibis.Value) -> StringValue:
    return ibis.cases((a.isnull() | b.isnull(), "missing"), (a == b, "exact"), else_="different")


def exact_links(src: Table, res: Table) -> Table:
    """Stage 1: rows whose normalised ID is a resident's with an agreeing birth date.

    Returns ``record_id``, ``period``, ``person_key`` and the level columns (name: exact /
    folded / different; birth: exact / swapped; ``id_level`` ``exact``)."""
    r = res.select(
        _rk=res.person_key,
        _rbirth=res.birth_date,
        _rkey=res.name_key,
        _rfold=res.name_folded,
        _rsex=res.sex,
        _rcommune=res.commune_code,
        _rhh=res.household_id,
    )
    j = src.join(r, src.person_key == r._rk)
    j = j.filter(births_agree_expr(j.birth_date, j._rbirth))
    name = ibis.cases(
        (j.name_key.isnull() | j._rkey.isnull(), "missing"),
        (j.name_key == j._rkey, "exact"),
        (j.name_folded == j._rfold, "folded"),
        else_="different",
    )
    return j.select(
        record_id=j.record_id,
        period=j.period,
        person_key=j._rk,
        name_level=name,
        birth_level=ibis.ifelse(j.birth_date == j._rbirth, "exact", "swapped"),
        sex_level=_level_eq(j.sex, j._rsex),
        commune_level=_level_eq(j.commune_code, j._rcommune),
        id_level=ibis.literal(EXACT_LEVEL),
        household_level=_level_eq(j.household_id, j._rhh),
    )


def remainder(src: Table, exact: Table) -> Table:
    """The rows stage 1 did not link, numbered (``unique_id``) for Splink."""
    done = exact.select(_done=exact.record_id)
    rest = src.anti_join(done, src.record_id == done._done)
    return rest.mutate(unique_id=ibis.row_number().over(order_by=rest.record_id).cast("int64"))


def _label(comparison: Comparison, code: StringValue) -> StringValue:
    """The Vietnamese phrase of a level code (null for a phrase left empty)."""
    cases = [(code == lv.code, lv.label_vi) for lv in comparison.levels if lv.label_vi]
    return ibis.cases(*cases, else_=ibis.null("string"))


def _capitalised(text: StringValue) -> StringValue:
    return text.substr(0, 1).upper() + text.substr(1)


def explanation(t: Table, household: bool, id_equal: ibis.Value | None = None) -> StringValue:
    """The comparisons of a link in plain Vietnamese, name first ("Họ tên khớp khi bỏ dấu;
    ngày sinh đảo ngày/tháng; cùng xã"); a stage-1 link (``id_level = 'exact'``) starts with
    its ID.  ``id_equal`` marks a ``near`` ID that is in fact equal."""
    phrases: dict[str, StringValue] = {}
    for comp in comparisons(household):
        code = t[comp.column]
        label = _label(comp, code)
        if comp.column == "id_level":
            exact = code == EXACT_LEVEL
            if id_equal is not None:
                exact = exact | ((code == "near") & id_equal.fill_null(False))
            label = ibis.ifelse(exact, ID_EQUAL_VI, label)
        phrases[comp.column] = label
    order = list(phrases)
    id_first = ["id_level", *[c for c in order if c != "id_level"]]
    sep = ibis.literal("; ")
    text = ibis.ifelse(
        t.id_level == EXACT_LEVEL,
        sep.join([phrases[c] for c in id_first]),
        sep.join([phrases[c] for c in order]),
    )
    return _capitalised(text)


def gamma_levels(candidates: Table, household: bool) -> dict[str, StringValue]:
    """Each comparison's level code from Splink's ``gamma_<comparison>`` column."""
    out: dict[str, StringValue] = {}
    for comp in comparisons(household):
        gamma = candidates[f"gamma_{comp.name}"]
        out[comp.column] = ibis.cases(
            *[(gamma == value, level.code) for value, level in comp.gamma_codes().items()],
            else_=ibis.null("string"),
        )
    return out


def decide(rest: Table, candidates: Table, thresholds: Thresholds, household: bool) -> Table:
    """Stage 2's decision for every remaining row.

    ``candidates``: ``unique_id`` (of ``rest``), ``person_key``, ``match_weight``,
    ``match_probability``, ``id_equal`` and the ``gamma_`` columns.  Ties in weight are
    broken by ``person_key`` so that the outcome does not depend on row order.
    """
    c = candidates.mutate(**gamma_levels(candidates, household))
    order = ibis.window(group_by=c.unique_id, order_by=[c.match_weight.desc(), c.person_key.asc()])
    c = c.mutate(_rank=ibis.row_number().over(order))
    best = c.filter(c._rank == 0).drop("_rank")
    second = c.filter(c._rank == 1).select(_uid2=c.unique_id, runner_up_weight=c.match_weight)
    best = best.select(
        _uid=best.unique_id,
        candidate_key=best.person_key,
        match_weight=best.match_weight,
        match_probability=best.match_probability,
        id_equal=best.id_equal,
        **{comp.column: best[comp.column] for comp in comparisons(household)},
    )
    j = rest.select("unique_id", "record_id", "period").left_join(best, rest.unique_id == best._uid)
    j = j.left_join(second, j.unique_id == second._uid2)
    w = j.match_weight
    tie = j.runner_up_weight.notnull() & (w - j.runner_up_weight < thresholds.tie_margin)
    decision = ibis.cases(
        (w.isnull(), "unlinked"),
        ((w >= thresholds.link_weight) & ~tie, "linked"),
        (w >= thresholds.review_weight, "review"),
        else_="unlinked",
    )
    j = j.mutate(decision=decision, _tie=tie.fill_null(False) & (w >= thresholds.review_weight))
    levels = {col: j[col] for col in _level_columns(household)}
    text = explanation(j, household, j.id_equal)
    text = ibis.cases(
        (j.candidate_key.isnull(), NO_CANDIDATE_VI),
        (j._tie, text + "; " + TIE_VI),
        else_=text,
    )
    return j.select(
        record_id=j.record_id,
        period=j.period,
        person_key=ibis.ifelse(j.decision == "linked", j.candidate_key, ibis.null("int64")),
        match_weight=j.match_weight.cast("float64"),
        match_probability=j.match_probability.cast("float64"),
        method=ibis.literal("probabilistic"),
        decision=j.decision,
        explanation=text,
        candidate_key=j.candidate_key.cast("int64"),
        runner_up_weight=j.runner_up_weight.cast("float64"),
        **levels,
        **{k: v for k, v in _missing_levels(household).items() if k not in levels},
    )


def _level_columns(household: bool) -> list[str]:
    return [c.column for c in comparisons(household)]


def _missing_levels(household: bool) -> dict[str, StringValue]:
    """The level columns a source has no comparison for (null)."""
    have = set(_level_columns(household))
    return {c: ibis.null("string") for c in LEVEL_COLUMNS if c not in have}


def exact_rows(exact: Table, household: bool) -> Table:
    """Stage-1 links as mart rows."""
    t = exact if household else exact.mutate(household_level=ibis.null("string"))
    return t.select(
        record_id=t.record_id,
        period=t.period,
        person_key=t.person_key.cast("int64"),
        match_weight=ibis.null("float64"),
        match_probability=ibis.literal(1.0, "float64"),
        method=ibis.literal("exact_id"),
        decision=ibis.literal("linked"),
        explanation=explanation(t, household),
        candidate_key=t.person_key.cast("int64"),
        runner_up_weight=ibis.null("float64"),
        name_level=t.name_level,
        birth_level=t.birth_level,
        sex_level=t.sex_level,
        commune_level=t.commune_level,
        id_level=t.id_level,
        household_level=t.household_level,
    )


def resolve_conflicts(links: Table) -> Table:
    """A probabilistic link to a resident whom another row of the same period also links to
    goes to review (stage-1 links stand: their ID and birth date say who they are)."""
    linked = links.filter(links.decision == "linked")
    claims = linked.group_by(_p=linked.period, _k=linked.person_key).aggregate(_n=linked.count())
    claims = claims.filter(claims._n > 1)
    j = links.left_join(claims, (links.period == claims._p) & (links.person_key == claims._k))
    clash = j._n.notnull() & (j.method == "probabilistic") & (j.decision == "linked")
    return j.mutate(
        decision=ibis.ifelse(clash, "review", j.decision),
        person_key=ibis.ifelse(clash, ibis.null("int64"), j.person_key),
        explanation=ibis.ifelse(clash, j.explanation + "; " + CONFLICT_VI, j.explanation),
    ).select(*links.columns)


def source_links(exact: Table, decided: Table, source: str, household: bool) -> Table:
    """Both stages of one source as ``person_links`` rows (``LINK_COLUMNS``)."""
    both = ibis.union(exact_rows(exact, household), decided.select(*_ROW_COLUMNS), distinct=False)
    both = resolve_conflicts(both)
    return both.mutate(source=ibis.literal(source)).select(*LINK_COLUMNS)


_ROW_COLUMNS = (
    "record_id",
    "period",
    *[c for c in LINK_COLUMNS if c not in ("source", "record_id")],
)
