"""Login, logout and the start page (each role lands on its own dashboard)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from baophu.app.auth import (
    LOGIN_MESSAGES,
    NotAuthenticated,
    attempt_login,
    csrf_token,
    end_session,
    start_session,
)
from baophu.app.web import Page, current, home_url

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
    ip = request.client.host if request.client else "?"
    result = attempt_login(ctx.db, ctx.throttle, username, password, ip)
    if not result.ok or result.user is None:
        ctx.db.audit(
            username.strip()[:64] or "?",
            "login_failed",
            "session",
            detail=f"{result.reason}; ip={ip}",
        )
        status = 429 if result.reason in ("ip_blocked", "locked") else 401
        return ctx.templates.TemplateResponse(  # type: ignore[no-any-return]
            request,
            "login.html",
            {
                "csrf": csrf_token(request),
                "next": _safe_next(next) or "",
                "error": LOGIN_MESSAGES.get(result.reason, LOGIN_MESSAGES["invalid"]),
                "username": username,
            },
            status_code=status,
        )
    start_session(request, result.user)
    ctx.users.forget(result.user.id)
    ctx.db.audit(result.user.username, "login", "session", role=result.user.role, detail=ip)
    return RedirectResponse(_safe_next(next) or "/", status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    uid = request.session.get("uid")
    if uid is not None:
        ctx = request.app.state.ctx
        user = ctx.users.get(uid)
        if user is not None:
            ctx.db.audit(user.username, "logout", "session", role=user.role)
    end_session(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(page: Annotated[Page, Depends(current)]) -> Response:
    return RedirectResponse(page.home_url(), status_code=303)


@router.get("/healthz")
def healthz(request: Request) -> Response:
    """Liveness for a load balancer: says nothing about the data."""
    return PlainTextResponse("ok")


__all__ = ["NotAuthenticated", "home_url", "router"]
