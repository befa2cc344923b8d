"""The web application: ``create_app(workspace)`` gives the FastAPI (ASGI) application.

Server-rendered Jinja2 pages in Vietnamese, HTMX for the parts that change in place
(filters, paging, recording an outcome), ECharts for the charts — both served from
``static/vendor`` (nothing loads from outside the machine; the Content-Security-Policy says
so to the browser too).  Routes are plain functions run in the thread pool; each one goes
through ``scope.require`` for what it shows, and every POST is checked for the session's CSRF
token before it runs (``auth.check_csrf``, a dependency of the whole application).

State shared by the routes lives in ``AppContext`` (``app.state.ctx``): the workspace, the
operational database, the copy of the marts (``marts.MartCache``), the login throttle and the
background jobs (imports and recomputations, which need the workspace file read-write).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baophu.app import fmt, labels
from baophu.app.auth import (
    SESSION_MAX_AGE,
    CsrfError,
    Forbidden,
    LoginThrottle,
    NotAuthenticated,
    UserCache,
    check_csrf,
    parse_networks,
)
from baophu.app.config import read_web_config
from baophu.app.jobs import Jobs
from baophu.app.marts import MartCache, MartsUnavailable
from baophu.app.params import check_request
from baophu.operational import OUTCOMES, open_operational
from baophu.operational.db import OperationalDB
from baophu.vn.masking import mask_text
from baophu.workspace import Workspace

HERE = Path(__file__).parent
SECRET_FILE = ".web_secret"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass
class AppSettings:
    """How the server runs (``baophu serve`` options and environment)."""

    https_only: bool = False  # mark the session cookie Secure (behind HTTPS)
    secret_key: str | None = None  # default: BAOPHU_SECRET_KEY, else a file in the workspace
    poll_seconds: float = 1.0  # how often the marts' file is looked at
    watch: bool = True  # run the watcher thread (tests refresh by hand)
    threads: int = int(os.environ.get("BAOPHU_WEB_THREADS", "4"))  # threads serving pages
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks); added to
    # ``[web] trusted_proxies`` of baophu.toml.
    trusted_proxies: tuple[str, ...] = ()
    # Host names the server answers; None: those of ``[web] trusted_hosts`` (any host when
    # that is empty too).  ``baophu serve`` passes the loopback names when it listens there.
    trusted_hosts: tuple[str, ...] | None = None
    proxy_networks: tuple[Any, ...] = field(default=(), repr=False)  # parsed, set by create_app


@dataclass
class AppContext:
    workspace: Workspace
    db: OperationalDB
    marts: MartCache
    users: UserCache
    throttle: LoginThrottle
    templates: Jinja2Templates
    settings: AppSettings
    jobs: Jobs
    extra: dict[str, Any] = field(default_factory=dict)


def _secret(workspace: Workspace, settings: AppSettings) -> str:
    if settings.secret_key:
        return settings.secret_key
    env = os.environ.get("BAOPHU_SECRET_KEY")
    if env:
        return env
    path = workspace.root / SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(fmt.FILTERS)
    env.globals["mask_id"] = fmt.mask_id
    env.globals["outcome_vi"] = dict(OUTCOMES)
    env.globals["table_vi"] = labels.table_vi
    env.globals["status_vi"] = labels.STATUS_VI
    env.globals["vi"] = labels.vi_half
    return Jinja2Templates(env=env)


SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
)


class HostGuard:
    """Answers only requests whose ``Host`` is one of ``allowed`` (a name, or ``*.name`` for
    its subdomains; the port is ignored); others get 400 with a Vietnamese page.  Without a
    trusted host name a forged ``Host`` could end up in links and redirects."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = tuple(h.lower() for h in allowed)
        self.any = not allowed or "*" in allowed

    def ok(self, host: str) -> bool:
        if self.any:
            return True
        name = host.lower()
        if name.startswith("["):  # [::1]:8000
            name = name[1 : name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        for allowed in self.allowed:
            if name == allowed or (allowed.startswith("*.") and name.endswith(allowed[1:])):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.any:
            await self.app(scope, receive, send)
            return
        host = ""
        for key, value in scope.get("headers", []):
            if key == b"host":
                host = value.decode("latin-1")
                break
        if self.ok(host):
            await self.app(scope, receive, send)
            return
        body = (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Yêu cầu '
            "không hợp lệ</title></head><body><h1>Yêu cầu không hợp lệ</h1><p>Tên máy chủ "
            "trong yêu cầu không được phép (cấu hình trusted_hosts).</p></body></html>"
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Headers on every response: no framing, no sniffing, a strict CSP, and no caching of
    pages (they hold named lists) — static files may be cached; ``Server-Timing`` says how
    long the application took (the load benchmark separates it from queueing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")
        started = time.perf_counter()

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                took = (time.perf_counter() - started) * 1000
                headers += [
                    (b"server-timing", f"app;dur={took:.1f}".encode()),
                    *SECURITY_HEADERS,
                ]
                if static:
                    headers.append((b"cache-control", b"public, max-age=3600"))
                else:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


def create_app(
    workspace: Workspace | Path | str,
    settings: AppSettings | None = None,
    db: OperationalDB | None = None,
) -> FastAPI:
    """The application for ``workspace`` (its operational database unless ``db`` is given)."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(Path(workspace))
    settings = settings or AppSettings()
    web = read_web_config(ws.root)
    settings.proxy_networks = parse_networks((*settings.trusted_proxies, *web.trusted_proxies))
    hosts = (
        (*settings.trusted_hosts, *web.trusted_hosts)
        if settings.trusted_hosts is not None
        else web.trusted_hosts
    )
    opdb = db or open_operational(ws)
    marts = MartCache(ws, poll_seconds=settings.poll_seconds)
    ctx = AppContext(
        workspace=ws,
        db=opdb,
        marts=marts,
        users=UserCache(opdb),
        throttle=LoginThrottle(),
        templates=_templates(),
        settings=settings,
        jobs=Jobs(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # Pages are CPU-bound Python with short database calls: a few threads serve them
        # faster than forty fighting over the interpreter lock.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        await anyio.to_thread.run_sync(marts.refresh, True)
        if settings.watch:
            marts.start()
        try:
            yield
        finally:
            marts.stop()
            ctx.jobs.shutdown()
            if db is None:
                opdb.dispose()

    app = FastAPI(
        title="baophu",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_request), Depends(check_csrf)],
    )
    app.state.ctx = ctx
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from baophu.app import (
        routes_admin,
        routes_auth,
        routes_claims,
        routes_collectors,
        routes_employers,
        routes_imports,
        routes_nation,
        routes_reports,
        routes_risk,
        routes_targets,
        routes_units,
    )

    for module in (
        routes_auth,
        routes_units,
        routes_targets,
        routes_collectors,
        routes_employers,
        routes_claims,
        routes_reports,
        routes_risk,
        routes_nation,
        routes_imports,
        routes_admin,
    ):
        app.include_router(module.router)

    _handlers(app, ctx)
    app.add_middleware(
        SessionMiddleware,
        secret_key=_secret(ws, settings),
        session_cookie="baophu_session",
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HostGuard, allowed=tuple(hosts))
    return app


def _error_page(
    ctx: AppContext, request: Request, status: int, title: str, message: str
) -> Response:
    """An error as a page of the application: Vietnamese, with the menu of the logged-in
    user (a 403, 404 or 500 never leaves them without navigation); a fragment for HTMX."""
    if request.headers.get("hx-request"):
        return HTMLResponse(
            f'<div class="alert alert-error" role="alert">{_escape(message)}</div>',
            status_code=status,
        )
    context: dict[str, Any] = {"viewer": None}
    try:
        from baophu.app.web import Page

        context = Page(request).context()
    except Exception:  # not logged in, or the error is in the session or the marts
        context = {"viewer": None}
    context.update({"title": title, "message": message, "status": status})
    return ctx.templates.TemplateResponse(request, "error.html", context, status_code=status)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _handlers(app: FastAPI, ctx: AppContext) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        if request.method == "GET":
            from urllib.parse import quote

            target = request.url.path
            if request.url.query:
                target += "?" + request.url.query
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return await run_in_threadpool(
            _error_page, ctx, request, 401, "Chưa đăng nhập", "Vui lòng đăng nhập lại."
        )

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return await run_in_threadpool(
            _error_page, ctx, request, 403, "Không có quyền truy cập", exc.message
        )

    @app.exception_handler(CsrfError)
    async def csrf(request: Request, exc: CsrfError) -> Response:
        return await run_in_threadpool(
            _error_page,
            ctx,
            request,
            403,
            "Yêu cầu không hợp lệ",
            "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; hãy tải lại trang và thử lại.",
        )

    @app.exception_handler(MartsUnavailable)
    async def unavailable(request: Request, exc: MartsUnavailable) -> Response:
        return await run_in_threadpool(
            _error_page,
            ctx,
            request,
            503,
            "Dữ liệu đang bận",
            "Không gian làm việc đang được cập nhật (nhập dữ liệu hoặc tính toán); "
            "vui lòng thử lại sau ít phút.",
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        names = sorted({str(e.get("loc", ["", ""])[-1]) for e in exc.errors()})
        return await run_in_threadpool(
            _error_page,
            ctx,
            request,
            400,
            "Yêu cầu không hợp lệ",
            "Tham số của yêu cầu không hợp lệ hoặc bị thiếu"
            + (f": {', '.join(names)}." if names else "."),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else ""
        messages = {
            404: ("Không tìm thấy", "Không tìm thấy trang hoặc đối tượng được yêu cầu."),
            405: ("Không hỗ trợ", "Phương thức không được hỗ trợ."),
            400: ("Yêu cầu không hợp lệ", detail or "Yêu cầu không hợp lệ."),
            409: ("Đang bận", detail or "Đối tượng đang được thay đổi."),
            413: ("Tệp quá lớn", detail or "Tệp quá lớn."),
        }
        title, message = messages.get(exc.status_code, ("Lỗi", detail or "Đã có lỗi xảy ra."))
        if exc.status_code == 404 and detail and detail != "Not Found":
            message = detail
        return await run_in_threadpool(
            _error_page, ctx, request, exc.status_code, title, mask_text(message)
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        """Anything unexpected: a Vietnamese page with the menu (the details go to the
        server's log, never to the page)."""
        try:
            response = await run_in_threadpool(
                _error_page,
                ctx,
                request,
                500,
                "Lỗi hệ thống",
                "Đã có lỗi không mong muốn khi xử lý yêu cầu; lỗi đã được ghi lại. "
                "Vui lòng thử lại hoặc báo cho quản trị viên.",
            )
        except Exception:  # the page itself failed: plain Vietnamese text
            response = HTMLResponse(
                '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi hệ thống'
                "</title><h1>Lỗi hệ thống</h1><p>Đã có lỗi không mong muốn; vui lòng thử lại."
                '</p><p><a href="/">Về trang chính</a></p></html>',
                status_code=500,
            )
        response.headers["cache-control"] = "no-store"
        for key, value in SECURITY_HEADERS:
            response.headers[key.decode()] = value.decode()
        return response


def app_from_env() -> FastAPI:
    """The application for ``uvicorn --factory`` with several worker processes: the workspace
    from ``BAOPHU_WORKSPACE``, the operational database from the workspace's configuration
    or ``BAOPHU_DATABASE_URL``; ``BAOPHU_HTTPS_ONLY=1`` for a Secure cookie;
    ``BAOPHU_TRUSTED_PROXIES`` / ``BAOPHU_TRUSTED_HOSTS`` (comma-separated) as ``baophu serve``
    passes them."""
    ws = Workspace.open(Path(os.environ["BAOPHU_WORKSPACE"]))
    proxies = tuple(p for p in os.environ.get("BAOPHU_TRUSTED_PROXIES", "").split(",") if p)
    hosts_env = os.environ.get("BAOPHU_TRUSTED_HOSTS")
    settings = AppSettings(
        https_only=os.environ.get("BAOPHU_HTTPS_ONLY") == "1",
        trusted_proxies=proxies,
        trusted_hosts=None if hosts_env is None else tuple(h for h in hosts_env.split(",") if h),
    )
    url = os.environ.get("BAOPHU_DATABASE_URL")
    if url:
        from baophu.operational.db import OperationalDB

        return create_app(ws, settings, db=OperationalDB.connect(url))
    return create_app(ws, settings)


def ensure_secret(workspace: Workspace) -> None:
    """Create the session secret before worker processes start (they must share it)."""
    _secret(workspace, AppSettings())
