"""Users of the web application: creation, passwords, roles and scopes, demo accounts.

Passwords are hashed with Argon2id; nothing stores or prints a password except
``seed_demo_users``, whose fixed passwords are for the synthetic demo province only.
A user's scope is a code of the kind their role needs (``models.ROLES``): an office or a
commune (``units``), a collector (``collectors``) or a case officer (``officers``); the
province roles need none.
"""

from __future__ import annotations

import functools
import os
import re
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from sqlalchemy import select

from baophu.operational.db import OperationalDB
from baophu.operational.models import ROLES, UNSCOPED_KINDS, User

if TYPE_CHECKING:
    from baophu.workspace import Workspace

ROLE_VI: dict[str, str] = {
    "province_admin": "Quản trị cấp tỉnh",
    "province_analyst": "Chuyên viên phân tích cấp tỉnh",
    "office_staff": "Cán bộ BHXH cơ sở",
    "commune_official": "Cán bộ xã, phường",
    "collector": "Nhân viên thu",
    "case_officer": "Cán bộ chuyên quản",
    "appraisal_reviewer": "Giám định viên BHYT",
    "national_analyst": "Chuyên viên cấp trung ương",
}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
DEMO_PASSWORD = "baophu-demo"  # demo province only: printed by `make demo`, never for real data


@functools.cache
def password_hasher() -> PasswordHasher:
    """Argon2id with the library's recommended costs; ``BAOPHU_PASSWORD_HASH=fast`` (the test
    suite only) lowers them so that hundreds of logins take seconds, not minutes."""
    if os.environ.get("BAOPHU_PASSWORD_HASH") == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


class UserError(Exception):
    """A user cannot be created or changed (message in Vietnamese and English; ``code`` says
    which rule, for the web's fixed messages)."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(
            f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự / the password needs at least "
            f"{MIN_PASSWORD} characters",
            "short_password",
        )
    if len(password) > MAX_PASSWORD:
        raise UserError(
            f"Mật khẩu dài quá {MAX_PASSWORD} ký tự / the password is longer than "
            f"{MAX_PASSWORD} characters",
            "long_password",
        )


def check_role_scope(role: str, scope_code: str | None) -> None:
    if role not in ROLES:
        raise UserError(
            f"Vai trò không hợp lệ: {role} / unknown role {role!r} ({', '.join(ROLES)})",
            "bad_role",
        )
    if ROLES[role] not in UNSCOPED_KINDS and not scope_code:
        raise UserError(
            f"Vai trò {role} cần phạm vi (mã {ROLES[role]}) / role {role} needs a scope "
            f"({ROLES[role]} code)",
            "no_scope",
        )


def scope_exists(store: Any, role: str, scope_code: str | None) -> bool:
    """Whether ``scope_code`` names a unit, collector or officer of the kind ``role`` needs
    (``store``: a workspace store or a snapshot store)."""
    kind = ROLES[role]
    if kind in UNSCOPED_KINDS:
        return True
    if kind in ("office", "commune"):
        t = store.table("units")
        expr = t.filter((t.unit_code == scope_code) & (t.level == kind))
    elif kind == "collector":
        t = store.table("collectors")
        expr = t.filter(t.collector_code == scope_code)
    elif kind == "facility":
        codes = facility_codes(scope_code)
        t = store.table("facilities")
        found = t.filter(t.facility_code.isin(codes)).count().to_pyarrow().as_py()
        return bool(codes) and int(found) == len(codes)
    else:
        t = store.table("officers")
        expr = t.filter(t.officer_code == scope_code)
    return bool(expr.count().to_pyarrow().as_py())


def facility_codes(scope_code: str | None) -> list[str]:
    """An appraisal reviewer's facilities: MA_CSKCB codes joined by ";"."""
    return sorted({c.strip() for c in (scope_code or "").split(";") if c.strip()})


def user_dict(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "full_name": u.full_name,
        "role": u.role,
        "role_vi": ROLE_VI.get(u.role, u.role),
        "scope_code": u.scope_code,
        "active": u.active,
        "locked_until": u.locked_until,
        "created_at": u.created_at,
    }


def create_user(
    db: OperationalDB,
    username: str,
    full_name: str,
    password: str,
    role: str,
    scope_code: str | None = None,
    *,
    replace: bool = False,
) -> dict[str, Any]:
    """Create a user (or, with ``replace``, reset an existing one's name, password, role and
    scope and re-enable it)."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise UserError(
            f"Tên đăng nhập không hợp lệ: {username!r} (3–64 ký tự a-z, 0-9, . _ -) / invalid "
            "username (3–64 characters a-z, 0-9, . _ -)",
            "bad_username",
        )
    check_role_scope(role, scope_code)
    check_password_rules(password)
    if ROLES[role] in UNSCOPED_KINDS:
        scope_code = scope_code or None
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        if user is not None and not replace:
            raise UserError(
                f"Tên đăng nhập đã có: {username} / username already exists: {username}",
                "exists",
            )
        if user is None:
            user = User(username=username)
            s.add(user)
        user.full_name = full_name.strip() or username
        user.password_hash = hash_password(password)
        user.role = role
        user.scope_code = scope_code
        user.active = True
        user.failed_logins = 0
        user.locked_until = None
        s.flush()
        return user_dict(user)


def list_users(db: OperationalDB) -> list[dict[str, Any]]:
    with db.session() as s:
        return [user_dict(u) for u in s.scalars(select(User).order_by(User.username))]


def _get(s: Any, username: str) -> User:
    user = s.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise UserError(f"Không có người dùng {username} / no user {username}", "unknown_user")
    return user  # type: ignore[no-any-return]


def set_password(db: OperationalDB, username: str, password: str) -> None:
    """A new password (ends the user's sessions); the login delays of the name are lifted."""
    from sqlalchemy import delete

    from baophu.operational.models import LoginThrottle

    check_password_rules(password)
    with db.session() as s:
        user = _get(s, username)
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        s.execute(delete(LoginThrottle).where(LoginThrottle.username == user.username))


def end_sessions(db: OperationalDB, username: str) -> None:
    """End every session of the user (a lost phone, a shared computer): their session
    generation moves on, so no cookie opened before works any more."""
    with db.session() as s:
        user = _get(s, username)
        user.session_generation = int(user.session_generation or 0) + 1


def set_active(db: OperationalDB, username: str, active: bool) -> None:
    with db.session() as s:
        _get(s, username).active = active


# ------------------------------------------------------------------------------- demo


def demo_scopes(store: Any) -> dict[str, dict[str, str]]:
    """One coherent set of scopes for the demo accounts: the first office (by code), its
    first commune, a collector working in that commune and the case officer of that office
    with the most employers.  Returns role → {"code", "name"}.

    A national workspace (``baophu nation build``: the nation's marts, no units of its own)
    has one demo account, the national analyst; a province's has none of that role."""
    if store.has_mart("nation_provinces"):  # engine.nation's MART_PROVINCES
        return {"national_analyst": {"code": "", "name": "Toàn quốc"}}
    units = store.table("units").select("unit_code", "unit_name", "level", "parent_code")
    rows = units.to_pyarrow().to_pylist()
    by_level: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_level.setdefault(r["level"], []).append(r)
    if not by_level.get("office") or not by_level.get("commune"):
        raise UserError(
            "Không gian làm việc chưa có danh mục đơn vị; nhập dữ liệu trước / the workspace "
            "has no units yet; import first"
        )
    province = sorted(by_level.get("province", []), key=lambda r: r["unit_code"])
    office = min(by_level["office"], key=lambda r: r["unit_code"])
    communes = sorted(
        (r for r in by_level["commune"] if r["parent_code"] == office["unit_code"]),
        key=lambda r: r["unit_code"],
    )
    commune = communes[0] if communes else min(by_level["commune"], key=lambda r: r["unit_code"])
    hamlets = {
        r["unit_code"]
        for r in by_level.get("hamlet", [])
        if r["parent_code"] == commune["unit_code"]
    }
    collectors = store.table("collectors").to_pyarrow().to_pylist()
    mine = sorted(
        (c for c in collectors if c["hamlet_code"] in hamlets), key=lambda c: c["collector_code"]
    ) or sorted(collectors, key=lambda c: c["collector_code"])
    officers = store.table("officers").to_pyarrow().to_pylist()
    employers = store.table("employers").select("officer_code").to_pyarrow().to_pylist()
    counts: dict[str, int] = {}
    for e in employers:
        if e["officer_code"]:
            counts[e["officer_code"]] = counts.get(e["officer_code"], 0) + 1
    office_officers = [o for o in officers if o["office_code"] == office["unit_code"]] or officers
    out: dict[str, dict[str, str]] = {
        "province_admin": {
            "code": province[0]["unit_code"] if province else "",
            "name": province[0]["unit_name"] if province else "",
        },
        "office_staff": {"code": office["unit_code"], "name": office["unit_name"]},
        "commune_official": {"code": commune["unit_code"], "name": commune["unit_name"]},
    }
    out["province_analyst"] = out["province_admin"]
    if mine:
        out["collector"] = {"code": mine[0]["collector_code"], "name": mine[0]["full_name"]}
    if office_officers:
        officer = max(
            sorted(office_officers, key=lambda o: o["officer_code"]),
            key=lambda o: counts.get(o["officer_code"], 0),
        )
        out["case_officer"] = {"code": officer["officer_code"], "name": officer["full_name"]}
    facilities = sorted(
        store.table("facilities").select("facility_code", "facility_name", "commune_code")
        .to_pyarrow().to_pylist(),
        key=lambda f: f["facility_code"],
    )  # fmt: skip
    # the appraisal reviewer: the facilities of the demo office's area (else the first)
    area = {r["unit_code"] for r in by_level["commune"] if r["parent_code"] == office["unit_code"]}
    near = [f for f in facilities if f["commune_code"] in area] or facilities[:1]
    if near:
        out["appraisal_reviewer"] = {
            "code": ";".join(f["facility_code"] for f in near[:3]),
            "name": near[0]["facility_name"],
        }
    return out


DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    # username, role, full name (collector and case officer take the real person's name)
    ("quantri", "province_admin", "Trần Minh Quang"),
    ("phantich", "province_analyst", "Lê Thu Hà"),
    ("coso", "office_staff", "Phạm Văn Bình"),
    ("canboxa", "commune_official", "Nguyễn Thị Lan"),
    ("nhanvienthu", "collector", ""),
    ("chuyenquan", "case_officer", ""),
    ("giamdinh", "appraisal_reviewer", "Đỗ Thị Hạnh"),
    ("toanquoc", "national_analyst", "Vũ Quốc Trung"),
)


def seed_demo_users(workspace: Workspace, db: OperationalDB | None = None) -> list[dict[str, Any]]:
    """One demo user per role, scoped to units, a collector and a case officer of the
    workspace (the same ones every time for the same data), all with the demo password
    ``DEMO_PASSWORD``; existing demo users are reset.  Returns what ``make demo`` prints:
    username, password, role, role_vi, scope_code, scope_name, full_name.  ``db``: another
    operational database than the workspace's (tests)."""
    from baophu.operational.db import open_operational

    with workspace.store() as store:
        scopes = demo_scopes(store)
    own = db is None
    db = db or open_operational(workspace)
    out: list[dict[str, Any]] = []
    try:
        for username, role, name in DEMO_USERS:
            scope = scopes.get(role)
            if scope is None:
                continue
            kind = ROLES[role]
            full_name = name or scope["name"]
            create_user(
                db,
                username,
                full_name,
                DEMO_PASSWORD,
                role,
                None if kind in UNSCOPED_KINDS else scope["code"],
                replace=True,
            )
            out.append(
                {
                    "username": username,
                    "password": DEMO_PASSWORD,
                    "role": role,
                    "role_vi": ROLE_VI[role],
                    "scope_code": None if kind in UNSCOPED_KINDS else scope["code"],
                    "scope_name": scope["name"],
                    "full_name": full_name,
                }
            )
    finally:
        if own:
            db.dispose()
    return out
