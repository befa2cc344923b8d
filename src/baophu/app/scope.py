"""What a user may see: the one place that decides, for every route and every export.

A role's scope (``operational.ROLES``) becomes sets of codes, resolved against the current
copy of the marts:

| role | units | collectors | employers | named people |
|---|---|---|---|---|
| province_admin, _analyst | all | all | all | all (IDs masked) |
| office_staff | their office and below | working in it | of the office | in it (masked) |
| commune_official | their commune, hamlets | working in it | of the commune | in it (full IDs) |
| collector | their hamlets | themselves | none | their own rows (full IDs) |
| case_officer | none | none | those they own | none |
| appraisal_reviewer | none | none | none | the flagged BHYT claims of their facilities (masked) |
| national_analyst | none | none | none | none: the national view only (``/nation``) |

The national view (every province's aggregates, ``routes_nation``) is the national analyst's
alone: a province's users see only their province, and the national analyst sees nothing of
a province's units, people, employers or claims.

BHYT claims (the "Chi KCB BHYT" pages) are seen by the province roles (every facility) and by
appraisal reviewers, per row: the claims of their own facilities only (``facilities``).

``require(scope, kind, code)`` raises ``Forbidden`` (403) for anything outside; the list
queries take their SQL conditions from ``unit_condition`` / ``employer_condition`` /
``people_condition`` so a list can never hold a row its page would refuse.

Named people are decided per row: a collector sees the rows of the lists assigned to their
collector code only, also in a hamlet they share with another collector.

Personal IDs and phone numbers are shown in full only to the roles that work with the people
themselves — collectors (their own people) and commune officials (who confirm household lists
and check IDs against the national population database); everyone else sees the last four
digits.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from baophu.app.auth import Forbidden, Viewer
from baophu.app.marts import MartSnapshot
from baophu.operational import ROLES

PROVINCE_ROLES = frozenset({"province_admin", "province_analyst"})
FULL_ID_ROLES = frozenset({"collector", "commune_official"})
TARGET_EDITORS = frozenset({"province_admin", "office_staff", "commune_official"})
ADMIN_ROLES = frozenset({"province_admin"})
NATIONAL_ROLES = frozenset({"national_analyst"})
IMPORT_ROLES = frozenset({"province_admin"})


@dataclass(frozen=True)
class Scope:
    """A user's scope resolved to codes (``None`` = everything of that kind)."""

    role: str
    code: str | None
    units: frozenset[str] | None
    collectors: frozenset[str] | None
    hamlets: frozenset[str] | None  # hamlets whose people the user may see
    employer_column: str | None  # employer_balance column the scope filters on
    officers: frozenset[str] | None = field(default=None)
    root: str | None = None  # office or commune: lists filter on the ancestors mart by it
    # facilities whose BHYT claims the user may see (None: all; empty: none)
    facilities: frozenset[str] | None = field(default=frozenset())

    @property
    def province(self) -> bool:
        return self.role in PROVINCE_ROLES

    @property
    def full_ids(self) -> bool:
        return self.role in FULL_ID_ROLES

    @property
    def sees_people(self) -> bool:
        return self.role != "case_officer" and self.role not in NATIONAL_ROLES

    @property
    def sees_units(self) -> bool:
        return bool(self.units is None or self.units)

    @property
    def sees_employers(self) -> bool:
        return self.employer_column != "none"

    @property
    def may_edit_targets(self) -> bool:
        return self.role in TARGET_EDITORS

    @property
    def sees_claims(self) -> bool:
        return self.facilities is None or bool(self.facilities)

    @property
    def national(self) -> bool:
        return self.role in NATIONAL_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES


_cache: dict[tuple[str, str | None, str, str], Scope] = {}
_cache_lock = threading.Lock()


def scope_for(viewer: Viewer, snap: MartSnapshot) -> Scope:
    """The viewer's scope against ``snap`` (cached per copy of the marts)."""
    key = (viewer.role, viewer.scope_code, snap.key, str(id(snap)))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    scope = _resolve(viewer.role, viewer.scope_code, snap)
    with _cache_lock:
        if len(_cache) > 512:
            _cache.clear()
        _cache[key] = scope
    return scope


def _subtree(snap: MartSnapshot, root: str) -> frozenset[str]:
    if snap.has("unit_ancestors"):
        rows = snap.rows(
            "SELECT unit_code FROM mart_unit_ancestors WHERE ancestor_code = ?", [root]
        )
        return frozenset(r["unit_code"] for r in rows)
    # before coverage has run: walk the units table
    if not snap.has_table("units"):
        return frozenset()
    edges = snap.rows("SELECT unit_code, parent_code FROM units")
    children: dict[str, list[str]] = {}
    for e in edges:
        children.setdefault(e["parent_code"], []).append(e["unit_code"])
    out, todo = {root}, [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return frozenset(out) if any(e["unit_code"] == root for e in edges) else frozenset()


def _hamlets_of(units: frozenset[str], snap: MartSnapshot) -> frozenset[str]:
    if not snap.has_table("units") or not units:
        return frozenset()
    rows = snap.rows("SELECT unit_code FROM units WHERE level = 'hamlet'")
    return frozenset(r["unit_code"] for r in rows if r["unit_code"] in units)


def _collectors_in(hamlets: frozenset[str], snap: MartSnapshot) -> frozenset[str]:
    if not snap.has_table("collectors") or not hamlets:
        return frozenset()
    rows = snap.rows("SELECT DISTINCT collector_code, hamlet_code FROM collectors")
    return frozenset(r["collector_code"] for r in rows if r["hamlet_code"] in hamlets)


def _resolve(role: str, code: str | None, snap: MartSnapshot) -> Scope:
    kind = ROLES.get(role)
    if kind is None:
        return Scope(role, code, frozenset(), frozenset(), frozenset(), "none", frozenset())
    if kind == "province":
        return Scope(role, code, None, None, None, None, None, facilities=None)
    if kind == "facility" and code:
        codes = frozenset(c.strip() for c in code.split(";") if c.strip())
        return Scope(
            role, code, frozenset(), frozenset(), frozenset(), "none", frozenset(),
            facilities=codes,
        )  # fmt: skip
    if kind in ("office", "commune") and code:
        units = _subtree(snap, code)
        hamlets = _hamlets_of(units, snap)
        officers: frozenset[str] = frozenset()
        if kind == "office" and snap.has_table("officers"):
            officers = frozenset(
                r["officer_code"]
                for r in snap.rows(
                    "SELECT officer_code FROM officers WHERE office_code = ?", [code]
                )
            )
        return Scope(
            role,
            code,
            units,
            _collectors_in(hamlets, snap),
            hamlets,
            "office_code" if kind == "office" else "commune_code",
            officers,
            code if snap.has("unit_ancestors") else None,
        )
    if kind == "collector" and code:
        hamlets = frozenset(
            r["hamlet_code"]
            for r in (
                snap.rows("SELECT hamlet_code FROM collectors WHERE collector_code = ?", [code])
                if snap.has_table("collectors")
                else []
            )
        )
        return Scope(role, code, hamlets, frozenset({code}), hamlets, "none", frozenset())
    if kind == "officer" and code:
        return Scope(
            role, code, frozenset(), frozenset(), frozenset(), "officer_code", frozenset({code})
        )
    # the national analyst (kind "nation") and anything unknown: nothing of the province
    return Scope(role, code, frozenset(), frozenset(), frozenset(), "none", frozenset())


# ----------------------------------------------------------------------------- decisions


def may_see(scope: Scope, kind: str, code: str | None, snap: MartSnapshot) -> bool:
    """Whether the scope covers ``code`` of ``kind`` (unit | collector | employer | officer |
    person_hamlet)."""
    if code is None:
        return False
    if kind == "unit":
        return scope.units is None or code in scope.units
    if kind == "collector":
        return scope.collectors is None or code in scope.collectors
    if kind == "officer":
        return scope.officers is None or code in scope.officers
    if kind == "facility":
        return scope.facilities is None or code in scope.facilities
    if kind == "person_hamlet":
        return scope.sees_people and (scope.hamlets is None or code in scope.hamlets)
    if kind == "employer":
        if scope.employer_column is None:
            return True
        if scope.employer_column == "none" or not snap.has("employer_balance"):
            return False
        row = snap.one(
            f"SELECT {scope.employer_column} AS c FROM mart_employer_balance "
            "WHERE employer_code = ?",
            [code],
        )
        return row is not None and row["c"] == scope.code
    return False


def require(scope: Scope, kind: str, code: str | None, snap: MartSnapshot) -> None:
    if not may_see(scope, kind, code, snap):
        raise Forbidden("Đối tượng này nằm ngoài phạm vi được giao cho bạn.")


def require_role(scope: Scope, roles: frozenset[str]) -> None:
    if scope.role not in roles:
        raise Forbidden("Chức năng này không dành cho vai trò của bạn.")


def may_edit_target(scope: Scope, unit_code: str, snap: MartSnapshot) -> bool:
    """Targets set by hand: the province administrator anywhere; office staff for the units
    under their office; commune officials for the hamlets of their commune (never their own
    unit, whose target comes from above)."""
    if scope.role == "province_admin":
        return True
    if scope.role in ("office_staff", "commune_official"):
        return scope.units is not None and unit_code in scope.units and unit_code != scope.code
    return False


def allocation_roots(scope: Scope) -> frozenset[str] | None:
    """Units a user may allocate from (``None``: any)."""
    if scope.role == "province_admin":
        return None
    if scope.role in ("office_staff", "commune_official") and scope.code:
        return frozenset({scope.code})
    return frozenset()


# --------------------------------------------------------------------- SQL conditions


def _in_list(column: str, codes: frozenset[str]) -> tuple[str, list[Any]]:
    if not codes:
        return "FALSE", []
    ordered = sorted(codes)
    return f"{column} IN ({', '.join('?' for _ in ordered)})", list(ordered)


def _subtree_sql(scope: Scope, column: str) -> tuple[str, list[Any]]:
    return (
        f"{column} IN (SELECT unit_code FROM mart_unit_ancestors WHERE ancestor_code = ?)",
        [scope.root],
    )


def unit_condition(scope: Scope, column: str = "unit_code") -> tuple[str, list[Any]]:
    if scope.units is None:
        return "TRUE", []
    if scope.root is not None:
        return _subtree_sql(scope, column)
    return _in_list(column, scope.units)


def facility_condition(scope: Scope, column: str = "facility_code") -> tuple[str, list[Any]]:
    """BHYT claims the scope may see, per row: every facility's for the province roles, an
    appraisal reviewer's own facilities', nobody else's."""
    if scope.facilities is None:
        return "TRUE", []
    return _in_list(column, scope.facilities)


def employer_condition(scope: Scope) -> tuple[str, list[Any]]:
    if scope.employer_column is None:
        return "TRUE", []
    if scope.employer_column == "none":
        return "FALSE", []
    return f"{scope.employer_column} = ?", [scope.code]


def people_condition(
    scope: Scope, hamlet_column: str = "hamlet_code", collector_column: str | None = None
) -> tuple[str, list[Any]]:
    """Named people the scope may see.  A collector sees only the rows assigned to their own
    collector code (``collector_column``), never the other people of a hamlet they share with
    another collector; offices and communes see everyone placed in their area."""
    if not scope.sees_people:
        return "FALSE", []
    if scope.role == "collector":
        if collector_column is None or not scope.code:
            return "FALSE", []
        return f"{collector_column} = ?", [scope.code]
    if scope.hamlets is None:
        return "TRUE", []
    if scope.root is not None:
        return _subtree_sql(scope, hamlet_column)
    return _in_list(hamlet_column, scope.hamlets)
