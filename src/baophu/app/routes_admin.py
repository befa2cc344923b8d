"""Administration (province administrators): users with their roles and scopes, and the audit
log — who viewed or exported which named list, when, and how many rows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from baophu.app.scope import ADMIN_ROLES, require_role
from baophu.app.web import Page, current
from baophu.operational import ROLES, AuditEvent
from baophu.operational.users import (
    ROLE_VI,
    UserError,
    create_user,
    list_users,
    scope_exists,
    set_active,
    set_password,
)

router = APIRouter()
AUDIT_PAGE = 100
ACTION_VI = {
    "view": "Xem",
    "export": "Tải về",
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "logout": "Đăng xuất",
    "record": "Ghi kết quả",
    "target_set": "Giao chỉ tiêu",
    "target_remove": "Xoá chỉ tiêu",
    "allocate": "Phân bổ chỉ tiêu",
    "import": "Nhập dữ liệu",
    "import_upload": "Tải tệp lên",
    "recompute": "Tính lại số liệu",
    "user_create": "Tạo người dùng",
    "user_disable": "Khoá người dùng",
    "user_enable": "Mở khoá người dùng",
    "user_password": "Đặt lại mật khẩu",
}


def _users_url(message: str, error: bool = False) -> str:
    return "/admin/users?" + urlencode({"message": message, "error": "1" if error else ""})


@router.get("/admin/users")
def users_page(
    page: Annotated[Page, Depends(current)], message: str | None = None, error: str = ""
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    return page.render(
        "users.html",
        users=list_users(page.ctx.db),
        roles=[(r, ROLE_VI[r], ROLES[r]) for r in ROLES],
        message=message,
        error=bool(error),
    )


@router.post("/admin/users")
def users_create(
    page: Annotated[Page, Depends(current)],
    username: Annotated[str, Form()],
    full_name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    scope_code: Annotated[str, Form()] = "",
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    scope_code = scope_code.strip()
    try:
        if role in ROLES and ROLES[role] != "province":
            with page.snap.store() as store:
                if not scope_exists(store, role, scope_code):
                    raise UserError(f"Không có mã {ROLES[role]} {scope_code} trong dữ liệu")
        created = create_user(page.ctx.db, username, full_name, password, role, scope_code or None)
    except UserError as exc:
        return RedirectResponse(_users_url(str(exc).split(" / ")[0], True), status_code=303)
    page.audit("user_create", "user", detail=f"{created['username']} {role} {scope_code}")
    return RedirectResponse(_users_url(f"Đã tạo người dùng {created['username']}."), 303)


@router.post("/admin/users/{username}/active")
def users_active(
    username: str, page: Annotated[Page, Depends(current)], active: Annotated[str, Form()]
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    if username == page.viewer.username:
        raise HTTPException(400, "Không tự khoá tài khoản của mình.")
    try:
        set_active(page.ctx.db, username, active == "1")
    except UserError as exc:
        raise HTTPException(404, str(exc)) from exc
    page.ctx.users.forget()
    page.audit("user_enable" if active == "1" else "user_disable", "user", detail=username)
    return RedirectResponse(_users_url(f"Đã cập nhật {username}."), 303)


@router.post("/admin/users/{username}/password")
def users_password(
    username: str, page: Annotated[Page, Depends(current)], password: Annotated[str, Form()]
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    try:
        set_password(page.ctx.db, username, password)
    except UserError as exc:
        return RedirectResponse(_users_url(str(exc).split(" / ")[0], True), status_code=303)
    page.ctx.users.forget()
    page.audit("user_password", "user", detail=username)
    return RedirectResponse(_users_url(f"Đã đặt lại mật khẩu cho {username}."), 303)


@router.get("/admin/audit")
def audit_page(
    page: Annotated[Page, Depends(current)],
    username: str | None = None,
    action: str | None = None,
    object: str | None = None,
    day: str | None = None,
    p: int = 1,
) -> Response:
    require_role(page.scope, ADMIN_ROLES)
    filters: list[Any] = []
    if username:
        filters.append(AuditEvent.username == username.strip())
    if action:
        filters.append(AuditEvent.action == action)
    if object:
        filters.append(AuditEvent.object == object)
    if day:
        try:
            d = dt.date.fromisoformat(day)
        except ValueError:
            raise HTTPException(400, "Ngày không hợp lệ.") from None
        start = dt.datetime.combine(d, dt.time())
        filters.append(AuditEvent.at >= start - dt.timedelta(hours=7))
        filters.append(AuditEvent.at < start + dt.timedelta(hours=17))
    with page.ctx.db.session() as s:
        total = s.scalar(select(func.count()).select_from(AuditEvent).where(*filters)) or 0
        pages = max(1, -(-total // AUDIT_PAGE))
        p = max(1, min(p, pages))
        events = list(
            s.scalars(
                select(AuditEvent)
                .where(*filters)
                .order_by(AuditEvent.id.desc())
                .limit(AUDIT_PAGE)
                .offset((p - 1) * AUDIT_PAGE)
            )
        )
        objects = [r[0] for r in s.execute(select(AuditEvent.object).distinct()).all()]
    return page.render(
        "audit.html",
        events=events,
        total=total,
        page_no=p,
        pages=pages,
        args={
            "username": username or "",
            "action": action or "",
            "object": object or "",
            "day": day or "",
        },
        actions=ACTION_VI,
        objects=sorted(objects),
        roles_vi=ROLE_VI,
        local=lambda at: at + dt.timedelta(hours=7),
    )
