"""Administration (province administrators): users with their roles and scopes, and the audit
log — who viewed or exported which named list, when, and how many rows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from baophu.app import params
from baophu.app.scope import ADMIN_ROLES, require_role
from baophu.app.web import Page, current
from baophu.operational import OUTCOMES, ROLES, UNSCOPED_KINDS, AuditEvent
from baophu.operational.audit_labels import ACTION_VI, OBJECT_VI, detail_vi, role_vi
from baophu.operational.users import (
    ROLE_VI,
    USERNAME,
    UserError,
    create_user,
    list_users,
    scope_exists,
    set_active,
    set_password,
)
from baophu.vn.masking import mask_text

router = APIRouter()
AUDIT_PAGE = 100
# The only messages the users page shows (``?message=<key>``; ``user`` must be a user name).
USER_MESSAGES: dict[str, tuple[str, bool]] = {
    "created": ("Đã tạo người dùng {user}.", False),
    "updated": ("Đã cập nhật {user}.", False),
    "password_set": ("Đã đặt lại mật khẩu cho {user}.", False),
    "bad_username": ("Tên đăng nhập không hợp lệ (3–64 ký tự a-z, 0-9, . _ -).", True),
    "exists": ("Tên đăng nhập đã có.", True),
    "short_password": ("Mật khẩu cần ít nhất 8 ký tự.", True),
    "long_password": ("Mật khẩu quá dài.", True),
    "bad_role": ("Vai trò không hợp lệ.", True),
    "no_scope": ("Vai trò này cần mã phạm vi (BHXH cơ sở, xã, nhân viên thu hoặc cán bộ).", True),
    "unknown_scope": ("Không có mã phạm vi này trong dữ liệu.", True),
    "unknown_user": ("Không có người dùng này.", True),
    "invalid": ("Không thực hiện được; kiểm tra lại các trường.", True),
}


def _users_url(key: str, user: str = "") -> str:
    query = {"message": key if key in USER_MESSAGES else "invalid"}
    if user and USERNAME.match(user):
        query["user"] = user
    return "/admin/users?" + urlencode(query)


def user_message(key: str | None, user: str | None) -> tuple[str, bool] | None:
    """The alert of the users page for ``?message=`` (None for a key not in the fixed set)."""
    if not key or key not in USER_MESSAGES:
        return None
    text, error = USER_MESSAGES[key]
    if "{user}" in text:
        if not user or not USERNAME.match(user):
            return None
        text = text.format(user=user)
    return text, error


@router.get("/admin/users")
def users_page(
    page: Annotated[Page, Depends(current)],
    message: str | None = None,
    user: str | None = None,
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    shown = user_message(message, user)
    return page.render(
        "users.html",
        users=list_users(page.ctx.db),
        roles=[(r, ROLE_VI[r], ROLES[r]) for r in ROLES],
        message=shown[0] if shown else None,
        error=shown[1] if shown else False,
    )


@router.post("/admin/users")
def users_create(
    page: Annotated[Page, Depends(current)],
    username: Annotated[str, Form()] = "",
    full_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    scope_code: Annotated[str, Form()] = "",
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    name = params.text(full_name, "họ tên", max_length=200) or ""
    scope = params.code(scope_code, "phạm vi") or ""
    login_name = params.text(username, "tên đăng nhập", max_length=64) or ""
    try:
        if role in ROLES and ROLES[role] not in UNSCOPED_KINDS:
            with page.snap.store() as store:
                if not scope_exists(store, role, scope):
                    raise UserError(
                        f"Không có mã {ROLES[role]} {scope} trong dữ liệu", "unknown_scope"
                    )
        created = create_user(page.ctx.db, login_name, name, password, role, scope or None)
    except UserError as exc:
        return RedirectResponse(_users_url(exc.code), status_code=303)
    page.audit(
        "user_create",
        "user",
        detail=f"{created['username']}; vai trò: {ROLE_VI.get(role, role)}; "
        f"phạm vi: {scope or 'toàn tỉnh'}",
    )
    return RedirectResponse(_users_url("created", created["username"]), 303)


@router.post("/admin/users/{username}/active")
def users_active(
    username: str, page: Annotated[Page, Depends(current)], active: Annotated[str, Form()] = ""
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    if username == page.viewer.username:
        raise HTTPException(400, "Không tự khoá tài khoản của mình.")
    on = params.choice(active, ("0", "1"), "trạng thái") == "1"
    try:
        set_active(page.ctx.db, username, on)
    except UserError as exc:
        raise HTTPException(404, "Không có người dùng này.") from exc
    page.ctx.users.forget()
    page.audit("user_enable" if on else "user_disable", "user", detail=username)
    return RedirectResponse(_users_url("updated", username), 303)


@router.post("/admin/users/{username}/password")
def users_password(
    username: str, page: Annotated[Page, Depends(current)], password: Annotated[str, Form()] = ""
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    try:
        set_password(page.ctx.db, username, password)
    except UserError as exc:
        return RedirectResponse(_users_url(exc.code), status_code=303)
    page.ctx.users.forget()
    page.audit("user_password", "user", detail=username)
    return RedirectResponse(_users_url("password_set", username), 303)


@router.get("/admin/audit")
def audit_page(
    page: Annotated[Page, Depends(current)],
    username: str | None = None,
    action: str | None = None,
    object: str | None = None,
    day: str | None = None,
    p: str | None = None,
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    who = params.text(username, "người dùng", max_length=64)
    act = params.text(action, "hành động", max_length=32)
    obj = params.text(object, "đối tượng", max_length=200)
    date = params.iso_date(day, "ngày")
    page_no = params.page(p)
    filters: list[Any] = []
    if who:
        filters.append(AuditEvent.username == who)
    if act:
        filters.append(AuditEvent.action == act)
    if obj:
        filters.append(AuditEvent.object == obj)
    if date:
        start = dt.datetime.combine(date, dt.time())
        filters.append(AuditEvent.at >= start - dt.timedelta(hours=7))
        filters.append(AuditEvent.at < start + dt.timedelta(hours=17))
    with page.ctx.db.session() as s:
        total = s.scalar(select(func.count()).select_from(AuditEvent).where(*filters)) or 0
        pages = max(1, -(-total // AUDIT_PAGE))
        page_no = max(1, min(page_no, pages))
        events = list(
            s.scalars(
                select(AuditEvent)
                .where(*filters)
                .order_by(AuditEvent.id.desc())
                .limit(AUDIT_PAGE)
                .offset((page_no - 1) * AUDIT_PAGE)
            )
        )
        objects = [r[0] for r in s.execute(select(AuditEvent.object).distinct()).all()]
    values = {**OUTCOMES, **_reason_labels()}
    shown = [
        {
            "at": e.at + dt.timedelta(hours=7),
            "username": e.username,
            "role_vi": role_vi(e.role, ROLE_VI),
            "action_vi": ACTION_VI.get(e.action, e.action),
            "object_vi": OBJECT_VI.get(e.object, e.object),
            "unit_code": e.unit_code,
            "rows": e.rows,
            "detail_vi": mask_text(detail_vi(e.detail, values)),
        }
        for e in events
    ]
    return page.render(
        "audit.html",
        events=shown,
        total=total,
        page_no=page_no,
        pages=pages,
        args={
            "username": who or "",
            "action": act or "",
            "object": obj or "",
            "day": date.isoformat() if date else "",
        },
        actions=ACTION_VI,
        objects=sorted((o, OBJECT_VI.get(o, o)) for o in objects),
    )


def _reason_labels() -> dict[str, str]:
    try:
        from baophu.contracts.vocabularies import REASON_VI
    except ImportError:  # pragma: no cover - the lists step not installed
        return {}
    return dict(REASON_VI)
