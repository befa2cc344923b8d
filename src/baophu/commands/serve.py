"""``baophu serve``: the web application on a workspace (FastAPI under uvicorn).

The server reads a private copy of the marts and never keeps the workspace file open, so
``baophu import`` / ``coverage`` / … keep working while it runs (see ``app/marts.py``).
Listen on loopback by default; behind a reverse proxy with HTTPS, pass ``--https-only`` so
the session cookie is marked Secure, ``--trusted-proxy`` with the proxy's address (its
``X-Forwarded-For`` then names the client, for the login throttle and the audit log) and
``--trusted-host`` with the name users type (any other ``Host`` is refused).  Both can be set
once for all in ``baophu.toml`` (``[web] trusted_proxies`` / ``trusted_hosts``).  Listening on
loopback with no host names configured, the server answers ``localhost``, ``127.0.0.1`` and
``::1`` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from baophu.commands.common import console, failing_on
from baophu.commands.options import WorkspaceOpt


def serve(
    workspace: WorkspaceOpt = Path("."),
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe / listen address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng / port")] = 8000,
    https_only: Annotated[
        bool,
        typer.Option("--https-only", help="Cookie phiên chỉ gửi qua HTTPS / Secure cookie"),
    ] = False,
    workers: Annotated[
        int, typer.Option(help="Số tiến trình / worker processes (2 on two cores)")
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "warning",
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Máy chủ trung gian tin cậy (địa chỉ hoặc mạng) / trusted reverse proxy "
            "(address or network); repeatable",
        ),
    ] = None,
    trusted_host: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-host",
            help="Tên máy chủ được phép / allowed Host name (e.g. baophu.bhxh.gov.vn, "
            "*.example.vn, * for any); repeatable",
        ),
    ] = None,
) -> None:
    """Chạy ứng dụng web / run the web application."""
    import os

    import uvicorn

    from baophu.app.auth import parse_networks
    from baophu.app.config import WebConfigError, read_web_config
    from baophu.app.main import AppSettings, create_app, ensure_secret
    from baophu.operational import open_operational
    from baophu.operational.db import OperationalError
    from baophu.workspace import Workspace, WorkspaceError

    with failing_on((WorkspaceError, WebConfigError, ValueError), 2):
        ws = Workspace.open(workspace)
        web = read_web_config(ws.root)
        proxies = tuple(trusted_proxy or ())
        parse_networks((*proxies, *web.trusted_proxies))
    hosts = _allowed_hosts(host, tuple(trusted_host or ()), web.trusted_hosts)
    if "*" in hosts:
        console.print(
            "[yellow]Chưa cấu hình tên máy chủ được phép: mọi Host đều được trả lời / no "
            "trusted host names: any Host is answered (set [web] trusted_hosts)[/]"
        )
    console.print(
        f"baophu đang chạy tại / serving at [bold]http://{host}:{port}/[/] "
        f"(không gian làm việc / workspace {ws.root}); Ctrl+C để dừng / to stop"
    )
    if workers > 1:
        with failing_on((OperationalError,)):  # migrations run once, before the workers
            if not os.environ.get("BAOPHU_DATABASE_URL"):
                open_operational(ws).dispose()
        ensure_secret(ws)
        os.environ["BAOPHU_WORKSPACE"] = str(ws.root)
        os.environ["BAOPHU_HTTPS_ONLY"] = "1" if https_only else "0"
        os.environ["BAOPHU_TRUSTED_PROXIES"] = ",".join(proxies)
        os.environ["BAOPHU_TRUSTED_HOSTS"] = ",".join(hosts)
        uvicorn.run(
            "baophu.app.main:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            proxy_headers=False,
        )
        return
    settings = AppSettings(https_only=https_only, trusted_proxies=proxies, trusted_hosts=hosts)
    with failing_on((OperationalError,)):
        url = os.environ.get("BAOPHU_DATABASE_URL")  # another operational database (benchmarks)
        if url:
            from baophu.operational.db import OperationalDB

            app = create_app(ws, settings, db=OperationalDB.connect(url))
        else:
            app = create_app(ws, settings)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _allowed_hosts(
    listen: str, given: tuple[str, ...], configured: tuple[str, ...]
) -> tuple[str, ...]:
    """Host names to answer: those given and configured; with none, the loopback names when
    listening on loopback (plus the listen address), any host otherwise."""
    hosts = (*given, *configured)
    if hosts:
        return tuple(dict.fromkeys((*hosts, *LOOPBACK)))
    if listen in LOOPBACK:
        return LOOPBACK
    if listen in ("0.0.0.0", "::", ""):
        return ("*",)
    return (listen, *LOOPBACK)
