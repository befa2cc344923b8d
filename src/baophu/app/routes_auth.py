"""Login, logout and the start page (each role lands on its own dashboard)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from baophu.app.auth import (
    NotAuthenticated,
    attempt_login,
    client_address,
    csrf_token,
    end_session,
    login_message,
    start_session,
)
from baophu.app.web import Page, current, home_url
from baophu.operational.audit_labels import ANONYMOUS_ROLE

# Why a login failed, as the audit log's detail says it.
FAILURE_VI = {
    "invalid": "sai tên đăng nhập hoặc mật khẩu",
    "slow_down": "thử lại trước thời gian chờ",
    "ip_blocked": "địa chỉ bị chặn tạm thời",
}


def throttle_name(username: str) -> str:
    """The name a failed login is audited under (cut to the column's width)."""
    return username.strip()[:64] or "?"


router = APIRouter()


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never another host) may follow a login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    ctx = request.app.state.ctx
    return ctx.templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "login.html",
        {"csrf": csrf_token(request), "next": _safe_next(next) or "", "error": None},
    )


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    ctx = request.app.state.ctx
    ip = client_address(request, ctx.settings.proxy_networks)
    username = username[:200]
    result = attempt_login(ctx.db, ctx.throttle, username, password[:1024], ip)
    if not result.ok or result.user is None:
        ctx.db.audit(
            throttle_name(username),
            "login_failed",
            "session",
            role=ANONYMOUS_ROLE,
            detail=f"{FAILURE_VI.get(result.reason, result.reason)}; địa chỉ {ip}",
        )
        status = 429 if result.reason in ("ip_blocked", "slow_down") else 401
        return ctx.templates.TemplateResponse(  # type: ignore[no-any-return]
            request,
            "login.html",
            {
                "csrf": csrf_token(request),
                "next": _safe_next(next) or "",
                "error": login_message(result),
                "username": username,
            },
            status_code=status,
        )
    start_session(request, result.user)
    ctx.users.forget(result.user.id)
    ctx.db.audit(
        result.user.username,
        "login",
        "session",
        role=result.user.role,
        detail=f"địa chỉ {ip}",
    )
    return RedirectResponse(_safe_next(next) or "/", status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    ctx = request.app.state.ctx
    uid = request.session.get("uid")
    if isinstance(uid, int):
        user = ctx.users.get(uid)
        if user is not None:
            ctx.db.audit(user.username, "logout", "session", role=user.role)
    end_session(request, ctx.db)
    if isinstance(uid, int):
        ctx.users.forget(uid)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(page: Annotated[Page, Depends(current)]) -> Response:
    return RedirectResponse(page.home_url(), status_code=303)


@router.get("/healthz")
def healthz(request: Request) -> Response:
    """Liveness for a load balancer: says nothing about the data."""
    return PlainTextResponse("ok")


__all__ = ["NotAuthenticated", "home_url", "router"]
