"""``baophu serve``: the web application on a workspace (FastAPI under uvicorn).

The server reads a private copy of the marts and never keeps the workspace file open, so
``baophu import`` / ``coverage`` / … keep working while it runs (see ``app/marts.py``).
Listen on loopback by default; behind a reverse proxy with HTTPS, pass ``--https-only`` so
the session cookie is marked Secure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from baophu.commands.common import WorkspaceOpt, console, fail


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
) -> None:
    """Chạy ứng dụng web / run the web application."""
    import os

    import uvicorn

    from baophu.app.main import AppSettings, create_app, ensure_secret
    from baophu.operational import open_operational
    from baophu.operational.db import OperationalError
    from baophu.workspace import Workspace, WorkspaceError

    try:
        ws = Workspace.open(workspace)
    except WorkspaceError as exc:
        fail(str(exc), 2)
    console.print(
        f"baophu đang chạy tại / serving at [bold]http://{host}:{port}/[/] "
        f"(không gian làm việc / workspace {ws.root}); Ctrl+C để dừng / to stop"
    )
    if workers > 1:
        try:  # migrations run once, before the workers
            if not os.environ.get("BAOPHU_DATABASE_URL"):
                open_operational(ws).dispose()
        except OperationalError as exc:
            fail(str(exc))
        ensure_secret(ws)
        os.environ["BAOPHU_WORKSPACE"] = str(ws.root)
        os.environ["BAOPHU_HTTPS_ONLY"] = "1" if https_only else "0"
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
    try:
        url = os.environ.get("BAOPHU_DATABASE_URL")  # another operational database (benchmarks)
        if url:
            from baophu.operational.db import OperationalDB

            app = create_app(ws, AppSettings(https_only=https_only), db=OperationalDB.connect(url))
        else:
            app = create_app(ws, AppSettings(https_only=https_only))
    except OperationalError as exc:
        fail(str(exc))
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)
