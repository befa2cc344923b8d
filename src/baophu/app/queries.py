"""What the pages read from the marts: one function per block of a page, plain SQL on the
copy (``marts.MartSnapshot``), filtered by the caller's scope conditions.

Nothing here computes an indicator: every figure is a mart's (coverage, achievement,
campaign, compliance, potential lists); the functions select, filter, sort and page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from baophu.app.marts import MartSnapshot
from baophu.app.scope import Scope, employer_condition, people_condition, unit_condition
from baophu.engine.targets import INDICATORS
from baophu.engine.units import LEVEL_VI, LEVELS
from baophu.vn import formats

RATES: tuple[tuple[str, str, str, str], ...] = (
    # (rate column, Vietnamese, numerator, denominator)
    ("bhyt_rate", "Bao phủ BHYT", "bhyt_insured", "population"),
    ("bhxh_rate", "Tham gia BHXH", "bhxh_participants", "labour_force"),
    ("bhtn_rate", "Tham gia BHTN", "bhtn_participants", "labour_force"),
    ("compulsory_rate", "BHXH bắt buộc", "compulsory_participants", "compulsory_required"),
    ("voluntary_rate", "BHXH tự nguyện", "voluntary_participants", "voluntary_pool"),
)
RATE_VI = {r[0]: r[1] for r in RATES}
CHILD_LEVEL = {"province": "office", "office": "commune", "commune": "hamlet"}
PAGE_SIZE = 50


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.size + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.size)


def _where(*parts: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    sql = " AND ".join(f"({p[0]})" for p in parts if p[0] and p[0] != "TRUE") or "TRUE"
    params: list[Any] = []
    for p in parts:
        params += p[1]
    return sql, params


# --------------------------------------------------------------------------------- units


def unit(snap: MartSnapshot, code: str) -> dict[str, Any] | None:
    if snap.has("coverage_by_unit"):
        row = snap.one("SELECT * FROM mart_coverage_by_unit WHERE unit_code = ?", [code])
        if row is not None:
            return row
    if snap.has_table("units"):
        return snap.one(
            "SELECT unit_code, unit_name, level, parent_code FROM units WHERE unit_code = ?",
            [code],
        )
    return None


def province(snap: MartSnapshot) -> dict[str, Any] | None:
    if not snap.has_table("units"):
        return None
    return snap.one(
        "SELECT unit_code, unit_name FROM units WHERE level = 'province' ORDER BY unit_code"
    )


def breadcrumbs(snap: MartSnapshot, code: str, scope: Scope) -> list[dict[str, Any]]:
    """The unit's ancestors from the province down (those the user may open are links)."""
    if not snap.has("unit_ancestors"):
        return []
    rows = snap.rows(
        "SELECT ancestor_code AS unit_code, ancestor_name AS unit_name, ancestor_level AS level "
        "FROM mart_unit_ancestors WHERE unit_code = ? ORDER BY distance DESC",
        [code],
    )
    for r in rows:
        r["link"] = scope.units is None or r["unit_code"] in scope.units
    return rows


def achievements(snap: MartSnapshot, code: str, hierarchy: str = "units") -> list[dict[str, Any]]:
    """Each indicator with a target for the unit: target, achieved, gap, pace (mart)."""
    if not snap.has("achievement_by_unit"):
        return []
    rows = snap.rows(
        "SELECT * FROM mart_achievement_by_unit WHERE unit_code = ? AND hierarchy = ? "
        "ORDER BY year DESC, indicator",
        [code, hierarchy],
    )
    if not rows:
        return []
    year = rows[0]["year"]
    order = list(INDICATORS)
    rows = [r for r in rows if r["year"] == year]
    rows.sort(key=lambda r: order.index(r["indicator"]) if r["indicator"] in order else 99)
    for r in rows:
        ind = INDICATORS.get(r["indicator"])
        r["indicator_vi"] = ind.vi if ind else r["indicator"]
        r["is_rate"] = bool(ind and ind.is_rate)
    return rows


def trend(snap: MartSnapshot, code: str) -> dict[str, Any]:
    """The 24 month-ends of the unit's rates, for the trend chart."""
    if not snap.has("coverage_series"):
        return {"dates": [], "series": []}
    rows = snap.rows(
        "SELECT reference_date, bhyt_rate, bhxh_rate, bhtn_rate, voluntary_rate "
        "FROM mart_coverage_series WHERE unit_code = ? ORDER BY reference_date",
        [code],
    )
    dates = [formats.month(r["reference_date"]) for r in rows]
    series = []
    for col in ("bhyt_rate", "bhxh_rate", "bhtn_rate", "voluntary_rate"):
        series.append(
            {
                "name": RATE_VI.get(col, col),
                "data": [None if r[col] is None else round(r[col] * 100, 2) for r in rows],
            }
        )
    return {"dates": dates, "series": series}


def ranking(
    snap: MartSnapshot,
    parent: dict[str, Any],
    indicator: str,
    scope: Scope,
    at: dt.date | None = None,
) -> dict[str, Any]:
    """The units one level down (communes for the province) ranked by achievement against
    their target (``achievement_by_unit``), or by rate when they have no target or ``at``
    (a past month-end of ``coverage_series``) is asked; the lowest are flagged.  ``position``
    is the rank among the rows shown; ``rank`` the mart's, among every unit of the level in
    the province (the page labels it so)."""
    level = parent["level"]
    child = "commune" if level == "province" else CHILD_LEVEL.get(level)
    if child is None or not snap.has("coverage_by_unit"):
        return {"level": None, "rows": []}
    if at is not None and not snap.has("coverage_series"):
        return {"level": None, "rows": []}
    ind = INDICATORS.get(indicator) or INDICATORS["bhyt_rate"]
    rate_col = indicator if indicator in RATE_VI else "bhyt_rate"
    if level == "province":
        where, params = "c.level = ?", [child]
    else:
        where, params = "c.level = ? AND c.parent_code = ?", [child, parent["unit_code"]]
    cond, cparams = unit_condition(scope, "c.unit_code")
    where, params = _where((where, params), (cond, cparams))
    join = ""
    select_ach = (
        ", NULL AS target_people, NULL AS achieved, NULL AS achievement_ratio, NULL AS gap, "
        "NULL AS needed_per_week, NULL AS rank, FALSE AS is_lowest"
    )
    jparams: list[Any] = []
    source = "mart_coverage_by_unit"
    if at is not None:
        source = "mart_coverage_series"
        where, params = _where((where, params), ("c.reference_date = ?", [at]))
    elif snap.has("achievement_by_unit"):
        year = snap.scalar(
            "SELECT max(year) FROM mart_achievement_by_unit WHERE hierarchy = 'units'"
        )
        join = (
            "LEFT JOIN mart_achievement_by_unit a ON a.unit_code = c.unit_code "
            "AND a.hierarchy = 'units' AND a.indicator = ? AND a.year = ?"
        )
        jparams = [ind.name, year]
        select_ach = (
            ", a.target_people, a.achieved, a.achievement_ratio, a.gap, a.needed_per_week, "
            "a.rank, coalesce(a.is_lowest, FALSE) AS is_lowest"
        )
    rows = snap.rows(
        f"SELECT c.unit_code, c.unit_name, c.level, c.parent_code, c.population, "
        f"c.bhyt_insured, c.{rate_col} AS rate, c.bhyt_rate, c.residents_insured_rate, "
        f"c.bhxh_rate, c.bhtn_rate{select_ach} FROM {source} c {join} WHERE {where}",
        [*jparams, *params],
    )
    with_target = any(r["achievement_ratio"] is not None for r in rows)
    if with_target:
        rows.sort(
            key=lambda r: (
                r["rank"] is None,
                r["rank"] if r["rank"] is not None else 0,
                r["unit_code"],
            )
        )
    else:
        rows.sort(key=lambda r: (r["rate"] is None, -(r["rate"] or 0), r["unit_code"]))
    n = len(rows)
    lowest = max(1, min(5, n // 4)) if n else 0
    for i, r in enumerate(rows):
        r["position"] = i + 1
        r["low"] = bool(r["is_lowest"]) or i >= n - lowest
        r["link"] = scope.units is None or r["unit_code"] in scope.units
    return {
        "level": child,
        "level_vi": LEVEL_VI.get(child, child),
        "rows": rows,
        "by_target": with_target,
        "indicator": ind.name,
        "indicator_vi": ind.vi,
        "rate_vi": RATE_VI.get(rate_col, "Tỷ lệ"),
        # the mart's rank counts every unit of the level in the province; shown beside the
        # position only when the rows are not all of them
        "province_rank": with_target and level != "province",
        "at": at,
    }


def children(
    snap: MartSnapshot, code: str, scope: Scope, at: dt.date | None = None
) -> list[dict[str, Any]]:
    """The units directly below, with their rates (for the drill-down table), on the
    reference date or on ``at`` (a month-end of ``coverage_series``)."""
    source, extra, eparams = "mart_coverage_by_unit", "", []
    if at is not None:
        if not snap.has("coverage_series"):
            return []
        source, extra, eparams = "mart_coverage_series", " AND reference_date = ?", [at]
    elif not snap.has("coverage_by_unit"):
        return []
    cond, params = unit_condition(scope)
    return snap.rows(
        "SELECT unit_code, unit_name, level, population, bhyt_insured, bhyt_rate, "
        "residents_insured_rate, bhyt_insured_nonresident, bhxh_rate, bhtn_rate, "
        f"voluntary_participants FROM {source} WHERE parent_code = ?{extra} "
        f"AND {cond} ORDER BY unit_code",
        [code, *eparams, *params],
    )


def series_dates(snap: MartSnapshot, code: str) -> list[dt.date]:
    """The month-ends of ``coverage_series`` for the unit, latest first (the period picker)."""
    if not snap.has("coverage_series"):
        return []
    return [
        r["reference_date"]
        for r in snap.rows(
            "SELECT reference_date FROM mart_coverage_series WHERE unit_code = ? "
            "ORDER BY reference_date DESC",
            [code],
        )
    ]


def unit_at(snap: MartSnapshot, code: str, day: dt.date) -> dict[str, Any] | None:
    """The unit's figures on a month-end of ``coverage_series``."""
    if not snap.has("coverage_series"):
        return None
    return snap.one(
        "SELECT * FROM mart_coverage_series WHERE unit_code = ? AND reference_date = ?",
        [code, day],
    )


def campaign(snap: MartSnapshot, code: str) -> list[dict[str, Any]]:
    """The campaign's days for the unit, per indicator: achieved against the straight path."""
    if not snap.has("campaign_progress"):
        return []
    rows = snap.rows(
        "SELECT * FROM mart_campaign_progress WHERE unit_code = ? ORDER BY indicator, day",
        [code],
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        item = out.setdefault(
            r["indicator"],
            {
                "indicator": r["indicator"],
                "indicator_vi": INDICATORS[r["indicator"]].vi
                if r["indicator"] in INDICATORS
                else r["indicator"],
                "days": [],
            },
        )
        item["days"].append(r)
    for item in out.values():
        days = item["days"]
        item["last"] = days[-1]
        item["first_day"] = days[0]["day"]
        item["chart"] = {
            "dates": [d["day"].strftime("%d/%m") for d in days],
            "series": [
                {"name": "Đã đạt", "data": [d["achieved"] for d in days]},
                {"name": "Yêu cầu theo ngày", "data": [d["needed_by_day"] for d in days]},
            ],
        }
    return list(out.values())


def arrears(snap: MartSnapshot, level: str, code: str) -> dict[str, Any] | None:
    if not snap.has("arrears_by_unit") or level not in ("province", "office", "commune"):
        return None
    return snap.one(
        "SELECT * FROM mart_arrears_by_unit WHERE dimension = ? AND unit_code = ?", [level, code]
    )


def level_vi(level: str | None) -> str:
    return LEVEL_VI.get(level or "", level or "")


def levels() -> tuple[str, ...]:
    return LEVELS


# ------------------------------------------------------------------------ potential lists
# ``potential_persons``: one row per person (``row_key``) and owner with the reasons as
# comma-joined codes; ``potential_summary``: counts per owner, place and reason.  A row not
# placed in a hamlet (an unidentified school-roster row) is placed by its commune.

PERSONS = "potential_persons"
SUMMARY = "potential_summary"
PLACE = "coalesce(hamlet_code, commune_code)"
LEVEL_COLUMN = {"office": "office_code", "commune": "commune_code", "hamlet": "hamlet_code"}


def potential_available(snap: MartSnapshot) -> bool:
    return snap.has(PERSONS)


def unit_level(snap: MartSnapshot, code: str) -> str | None:
    if not snap.has_table("units"):
        return None
    return snap.scalar("SELECT level FROM units WHERE unit_code = ?", [code])  # type: ignore[no-any-return]


def _place(snap: MartSnapshot, code: str) -> tuple[str, list[Any]]:
    """Rows placed under unit ``code``: a column of the list for each level (the copy is
    sorted by them, so only the unit's blocks are read)."""
    level = unit_level(snap, code)
    if level == "province":
        return "TRUE", []
    column = LEVEL_COLUMN.get(level or "")
    if column is None:
        return "FALSE", []
    if column == "hamlet_code":
        return "place = ?", [code]
    return f"{column} = ?", [code]


def _people(snap: MartSnapshot, scope: Scope) -> tuple[str, list[Any]]:
    """The scope's condition on list rows: offices and communes by their column, a
    collector by their own rows (``people_condition``)."""
    if scope.role in ("office_staff", "commune_official") and scope.code:
        return _place(snap, scope.code)
    sql, params = people_condition(scope, "place", "owner_code")
    if scope.role == "collector":
        sql = f"owner_type = 'collector' AND {sql}"
    return sql, params


def owner_condition(owner_type: str, owner_code: str) -> tuple[str, list[Any]]:
    """Rows an owner (a collector, a case officer, a commune) works: their own list."""
    return (
        "owner_type = ? AND owner_code = ? AND commune_code IN (SELECT commune_code FROM "
        "potential_owner_communes WHERE owner_type = ? AND owner_code = ?)",
        [owner_type, owner_code, owner_type, owner_code],
    )


def potential_filters(
    snap: MartSnapshot,
    scope: Scope,
    unit_code: str | None,
    reason: str | None,
    hamlet: str | None,
    collector: str | None,
    owner: tuple[str, str] | None = None,
) -> tuple[str, list[Any]]:
    parts: list[tuple[str, list[Any]]] = [_people(snap, scope)]
    if owner is not None:
        parts.append(owner_condition(*owner))
    if unit_code:
        parts.append(_place(snap, unit_code))
    if reason:
        parts.append(("list_contains(string_split(reasons, ','), ?)", [reason]))
    if hamlet:
        parts.append(("place = ?", [hamlet]))
    if collector:
        parts.append(("collector_code = ?", [collector]))
    return _where(*parts)


ORDER = "ord"


def potential_page(
    snap: MartSnapshot,
    scope: Scope,
    unit_code: str | None,
    *,
    reason: str | None = None,
    hamlet: str | None = None,
    collector: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
    owner: tuple[str, str] | None = None,
) -> Page:
    if not potential_available(snap):
        return Page([], 0, 1, size)
    where, params = potential_filters(snap, scope, unit_code, reason, hamlet, collector, owner)
    total = int(snap.scalar(f"SELECT count(*) FROM mart_{PERSONS} WHERE {where}", params) or 0)
    page = max(1, min(page, max(1, -(-total // size))))
    rows = snap.rows(
        f"SELECT * FROM mart_{PERSONS} WHERE {where} ORDER BY {ORDER} LIMIT ? OFFSET ?",
        [*params, size, (page - 1) * size],
    )
    return Page(rows, total, page, size)


def potential_all(
    snap: MartSnapshot,
    scope: Scope,
    unit_code: str | None,
    *,
    reason: str | None = None,
    hamlet: str | None = None,
    collector: str | None = None,
    limit: int = 500_000,
    owner: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    if not potential_available(snap):
        return []
    where, params = potential_filters(snap, scope, unit_code, reason, hamlet, collector, owner)
    return snap.rows(
        f"SELECT * FROM mart_{PERSONS} WHERE {where} ORDER BY {ORDER} LIMIT ?", [*params, limit]
    )


def potential_counts(
    snap: MartSnapshot,
    scope: Scope,
    unit_code: str | None,
    owner: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """People per reason under the unit (or of an owner), within the scope, from
    ``potential_summary``."""
    if not snap.has(SUMMARY):
        return []
    parts: list[tuple[str, list[Any]]] = [("reason <> '*'", [])]
    if scope.role in ("office_staff", "commune_official") and scope.code:
        parts.append(_summary_place(snap, scope.code))
    else:
        parts.append(people_condition(scope, PLACE, "owner_code"))
        if scope.role == "collector":
            parts.append(("owner_type = 'collector'", []))
    if owner is not None:
        parts.append(("owner_type = ? AND owner_code = ?", list(owner)))
    if unit_code:
        parts.append(_summary_place(snap, unit_code))
    where, params = _where(*parts)
    return snap.rows(
        f"SELECT reason, CAST(sum(persons) AS BIGINT) AS n FROM mart_{SUMMARY} WHERE {where} "
        "GROUP BY reason ORDER BY n DESC, reason",
        params,
    )


def potential_people(
    snap: MartSnapshot,
    scope: Scope,
    unit_code: str | None,
    owner: tuple[str, str] | None = None,
) -> int:
    """People on the lists under the unit within the scope (each person once per owner:
    the ``*`` rows of ``potential_summary``) — the counts per reason add up to more, since a
    person may have several reasons."""
    if not snap.has(SUMMARY):
        return 0
    parts: list[tuple[str, list[Any]]] = [("reason = '*'", [])]
    if scope.role in ("office_staff", "commune_official") and scope.code:
        parts.append(_summary_place(snap, scope.code))
    else:
        parts.append(people_condition(scope, PLACE, "owner_code"))
        if scope.role == "collector":
            parts.append(("owner_type = 'collector'", []))
    if owner is not None:
        parts.append(("owner_type = ? AND owner_code = ?", list(owner)))
    if unit_code:
        parts.append(_summary_place(snap, unit_code))
    where, params = _where(*parts)
    return int(
        snap.scalar(f"SELECT coalesce(sum(persons), 0) FROM mart_{SUMMARY} WHERE {where}", params)
        or 0
    )


def _summary_place(snap: MartSnapshot, code: str) -> tuple[str, list[Any]]:
    level = unit_level(snap, code)
    if level == "province":
        return "TRUE", []
    if level == "hamlet":
        return f"{PLACE} = ?", [code]
    column = LEVEL_COLUMN.get(level or "")
    return (f"{column} = ?", [code]) if column else ("FALSE", [])


def list_version(snap: MartSnapshot) -> str:
    """A short tag of the potential list in this copy of the marts (its stamp: import state,
    reference date, time computed), so a row handle from an older list is never taken for a
    row of a newer one.  Derived from the stamp only, never from a person."""
    import zlib

    stamp = snap.stamps.get(PERSONS) or {}
    text = "|".join(
        str(stamp.get(k)) for k in ("state_id", "reference_date", "computed_at", "rows")
    )
    return _base36(zlib.crc32(text.encode()))


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def row_handle(snap: MartSnapshot, row: dict[str, Any]) -> str:
    """The opaque handle of a list row in pages: the list's version and the row's position in
    the order the lists are worked (``ord``) — nothing about the person's ID."""
    return f"{list_version(snap)}-{int(row['ord'])}"


class StaleHandle(Exception):
    """A row handle from an earlier version of the list (the page must be reloaded)."""


def potential_by_handle(
    snap: MartSnapshot, scope: Scope, handle: str, owner: tuple[str, str] | None = None
) -> dict[str, Any] | None:
    """The list row a page's handle names, only when the scope (and owner) cover it;
    ``StaleHandle`` when the list was recomputed since the page was shown."""
    import re

    found = re.fullmatch(r"([0-9a-z]{1,8})-([0-9]{1,12})", handle or "")
    if found is None or not potential_available(snap):
        return None
    if found.group(1) != list_version(snap):
        raise StaleHandle()
    where, params = potential_filters(snap, scope, None, None, None, None, owner)
    return snap.one(
        f"SELECT * FROM mart_{PERSONS} WHERE ord = ? AND {where} LIMIT 1",
        [int(found.group(2)), *params],
    )


def hamlets_under(snap: MartSnapshot, code: str, scope: Scope) -> list[dict[str, Any]]:
    if not snap.has("unit_ancestors"):
        return []
    cond, params = unit_condition(scope, "a.unit_code")
    return snap.rows(
        "SELECT a.unit_code, u.unit_name FROM mart_unit_ancestors a JOIN units u "
        "ON u.unit_code = a.unit_code WHERE a.ancestor_code = ? AND u.level = 'hamlet' "
        f"AND {cond} ORDER BY a.unit_code",
        [code, *params],
    )


def collectors_under(snap: MartSnapshot, code: str, scope: Scope) -> list[dict[str, Any]]:
    if not snap.has_table("collectors") or not snap.has("unit_ancestors"):
        return []
    rows = snap.rows(
        "SELECT DISTINCT c.collector_code, c.full_name FROM collectors c JOIN "
        "mart_unit_ancestors a ON a.unit_code = c.hamlet_code WHERE a.ancestor_code = ? "
        "ORDER BY c.collector_code",
        [code],
    )
    if scope.collectors is not None:
        rows = [r for r in rows if r["collector_code"] in scope.collectors]
    return rows


def collector(snap: MartSnapshot, code: str) -> dict[str, Any] | None:
    if not snap.has_table("collectors"):
        return None
    rows = snap.rows(
        "SELECT c.collector_code, c.full_name, c.agent_code, c.hamlet_code, c.phone, "
        "u.unit_name AS hamlet_name, u.parent_code AS commune_code FROM collectors c "
        "LEFT JOIN units u ON u.unit_code = c.hamlet_code WHERE c.collector_code = ? "
        "ORDER BY c.hamlet_code",
        [code],
    )
    if not rows:
        return None
    agent = (
        snap.one(
            "SELECT agent_name, office_code FROM agents WHERE agent_code = ?",
            [rows[0]["agent_code"]],
        )
        if snap.has_table("agents")
        else None
    )
    return {
        "collector_code": code,
        "full_name": rows[0]["full_name"],
        "agent_code": rows[0]["agent_code"],
        "agent_name": agent["agent_name"] if agent else None,
        "phone": rows[0]["phone"],
        "hamlets": [{"unit_code": r["hamlet_code"], "unit_name": r["hamlet_name"]} for r in rows],
    }


# ------------------------------------------------------------------------------ employers

EMPLOYER_SORTS = {
    "late": "late_amount DESC NULLS LAST, employer_code",
    "score": "total_score DESC NULLS LAST, employer_code",
    "months": "months_late DESC NULLS LAST, late_amount DESC NULLS LAST, employer_code",
    "name": "employer_name, employer_code",
}


def employers_page(
    snap: MartSnapshot,
    scope: Scope,
    *,
    q: str | None = None,
    status: str | None = None,
    officer: str | None = None,
    commune: str | None = None,
    min_score: int | None = None,
    sort: str = "late",
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    if not snap.has("employer_balance"):
        return Page([], 0, 1, size)
    has_scores = snap.has("evasion_scores")
    parts: list[tuple[str, list[Any]]] = [employer_condition(scope)]
    if q:
        parts.append(
            (
                "(lower(employer_name) LIKE ? OR employer_code LIKE ? OR tax_code LIKE ?)",
                [f"%{q.lower()}%", f"%{q.upper()}%", f"%{q}%"],
            )
        )
    if status == "late":
        parts.append(("is_late", []))
    elif status == "late3":
        parts.append(("late_3plus", []))
    elif status == "evasion":
        parts.append(("evasion_flag", []))
    elif status == "flagged" and has_scores:
        parts.append(("coalesce(flagged, FALSE)", []))
    if officer:
        parts.append(("officer_code = ?", [officer]))
    if commune:
        parts.append(("commune_code = ?", [commune]))
    if min_score is not None and has_scores:
        parts.append(("coalesce(total_score, 0) >= ?", [min_score]))
    where, params = _where(*parts)
    source = (
        "(SELECT b.*, s.total_score, s.flagged, s.rank AS score_rank FROM mart_employer_balance b "
        "LEFT JOIN mart_evasion_scores s ON s.employer_code = b.employer_code)"
        if has_scores
        else "(SELECT *, NULL AS total_score, NULL AS flagged, NULL AS score_rank "
        "FROM mart_employer_balance)"
    )
    total = int(snap.scalar(f"SELECT count(*) FROM {source} WHERE {where}", params) or 0)
    page = max(1, min(page, max(1, -(-total // size))))
    order = EMPLOYER_SORTS.get(sort, EMPLOYER_SORTS["late"])
    rows = snap.rows(
        f"SELECT * FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, size, (page - 1) * size],
    )
    return Page(rows, total, page, size)


def employers_totals(snap: MartSnapshot, scope: Scope) -> dict[str, Any] | None:
    if not snap.has("employer_balance"):
        return None
    cond, params = employer_condition(scope)
    return snap.one(
        "SELECT count(*) AS employers, count(*) FILTER (WHERE is_late) AS late, "
        "count(*) FILTER (WHERE late_3plus) AS late3, count(*) FILTER (WHERE evasion_flag) "
        "AS evasion, sum(late_amount) AS late_amount, sum(evasion_amount) AS evasion_amount "
        f"FROM mart_employer_balance WHERE {cond}",
        params,
    )


def employer(snap: MartSnapshot, code: str) -> dict[str, Any] | None:
    if not snap.has("employer_balance"):
        return None
    return snap.one("SELECT * FROM mart_employer_balance WHERE employer_code = ?", [code])


def employer_history(snap: MartSnapshot, code: str) -> list[dict[str, Any]]:
    if not snap.has("employer_arrears"):
        return []
    return snap.rows(
        "SELECT month, declared_headcount, declared_wage_bill, due_total, paid_in_month, "
        "interest_in_month, closing_balance, late_amount_end, is_late, days_late, is_evasion, "
        "deadline FROM mart_employer_arrears WHERE employer_code = ? ORDER BY month DESC",
        [code],
    )


SIGNALS: tuple[tuple[str, str], ...] = (
    ("headcount_gap", "Số lao động theo quyết toán thuế cao hơn số đóng BHXH"),
    ("payroll_gap", "Quỹ lương quyết toán thuế cao hơn quỹ lương đóng BHXH"),
    ("minimum_wage", "Tiền lương đóng bình quân thấp hơn lương tối thiểu vùng"),
    ("unregistered", "Chưa đăng ký tham gia BHXH"),
    ("headcount_drop", "Số lao động giảm đột ngột"),
    ("long_arrears", "Chậm đóng kéo dài"),
)


def employer_signals(snap: MartSnapshot, code: str) -> dict[str, Any] | None:
    """The evasion score of the employer with each signal's points and explanation."""
    if not snap.has("evasion_scores"):
        return None
    row = snap.one("SELECT * FROM mart_evasion_scores WHERE employer_code = ?", [code])
    if row is None:
        return None
    signals = []
    for key, label in SIGNALS:
        points = row.get(f"{key}_points")
        signals.append(
            {
                "key": key,
                "label": label,
                "points": points or 0,
                "note": row.get(f"{key}_note"),
            }
        )
    row["signals"] = signals
    return row


def notice_months(snap: MartSnapshot, code: str) -> list[dt.date]:
    if not snap.has("employer_arrears"):
        return []
    return [
        r["month"]
        for r in snap.rows(
            "SELECT month FROM mart_employer_arrears WHERE employer_code = ? AND has_ledger "
            "ORDER BY month DESC LIMIT 12",
            [code],
        )
    ]


def officers_in_scope(snap: MartSnapshot, scope: Scope) -> list[dict[str, Any]]:
    if not snap.has_table("officers"):
        return []
    rows = snap.rows("SELECT officer_code, full_name, office_code FROM officers ORDER BY 1")
    if scope.officers is not None:
        rows = [r for r in rows if r["officer_code"] in scope.officers]
    return rows


def communes_in_scope(snap: MartSnapshot, scope: Scope) -> list[dict[str, Any]]:
    if not snap.has_table("units"):
        return []
    cond, params = unit_condition(scope)
    return snap.rows(
        f"SELECT unit_code, unit_name FROM units WHERE level = 'commune' AND {cond} ORDER BY 1",
        params,
    )


# ----------------------------------------------------------------------------- targets


def targets_for(snap: MartSnapshot, code: str) -> list[dict[str, Any]]:
    """Targets of the unit (official, hand-set or allocated) from ``achievement_by_unit``."""
    return achievements(snap, code)


def allocated_children(
    snap: MartSnapshot, code: str, indicator: str, year: int | None
) -> list[dict[str, Any]]:
    if not snap.has("targets_allocated"):
        return []
    sql = (
        "SELECT * FROM mart_targets_allocated WHERE parent_code = ? AND indicator = ?"
        + (" AND year = ?" if year else "")
        + " ORDER BY unit_code"
    )
    return snap.rows(sql, [code, indicator, *([year] if year else [])])


def snapshots(snap: MartSnapshot, all_: bool = False) -> list[dict[str, Any]]:
    if not snap.has_table("_snapshots"):
        return []
    where = "" if all_ else "WHERE status = 'current'"
    return snap.rows(f"SELECT * FROM _snapshots {where} ORDER BY started_at DESC, table_name")
