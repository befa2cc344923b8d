"""``baophu users …``: people who log in to the web application, their roles and scopes.

``baophu users logout NAME`` ends every session of a user (a lost phone).

Roles: province_admin, province_analyst (whole province), office_staff (an office code),
commune_official (a commune code), collector (a collector code), case_officer (an officer
code), appraisal_reviewer (facility codes joined by ";"), national_analyst (the nation's
figures in a national workspace, no code).  Passwords are asked for without echo unless
``--password`` is given (scripts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from baophu.commands.common import console, failing_on, open_workspace, operational_db, print_json
from baophu.commands.options import JsonOpt, WorkspaceOpt

users_app = typer.Typer(
    help="Người dùng ứng dụng web / web application users",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _password(password: str | None) -> str:
    if password:
        return password
    return str(typer.prompt("Mật khẩu / password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập / username")],
    role: Annotated[
        str,
        typer.Option(
            help="province_admin | province_analyst | office_staff | commune_official | "
            "collector | case_officer | appraisal_reviewer | national_analyst"
        ),
    ],
    scope: Annotated[
        str | None, typer.Option(help="Mã phạm vi / scope code (office, commune, collector…)")
    ] = None,
    full_name: Annotated[str, typer.Option("--name", help="Họ tên / full name")] = "",
    password: Annotated[
        str | None, typer.Option(help="Mật khẩu (mặc định: hỏi) / password (default: prompt)")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Ghi đè người dùng đã có / reset")] = False,
    workspace: WorkspaceOpt = Path("."),
    json_out: JsonOpt = False,
) -> None:
    """Thêm người dùng / add a user."""
    from baophu.operational.models import ROLES, UNSCOPED_KINDS
    from baophu.operational.users import UserError, create_user, scope_exists

    ws = open_workspace(workspace)
    with operational_db(ws, (UserError,), code=2) as db:
        if role in ROLES and ROLES[role] not in UNSCOPED_KINDS and scope:
            with ws.store() as store:
                if not scope_exists(store, role, scope):
                    raise UserError(
                        f"Không có mã {ROLES[role]} {scope} trong dữ liệu / no "
                        f"{ROLES[role]} {scope} in the workspace"
                    )
        user = create_user(
            db,
            username,
            full_name or username,
            _password(password),
            role,
            scope,
            replace=replace,
        )
    if json_out:
        print_json(user)
        return
    console.print(
        f"Đã thêm / added [bold]{user['username']}[/] — {user['role_vi']}"
        + (f" — {user['scope_code']}" if user["scope_code"] else "")
    )


@users_app.command("list")
def list_cmd(workspace: WorkspaceOpt = Path("."), json_out: JsonOpt = False) -> None:
    """Danh sách người dùng / list users."""
    from baophu.operational.users import list_users

    with operational_db(workspace) as db:
        users = list_users(db)
    if json_out:
        print_json(users)
        return
    table = Table(title="Người dùng / users")
    for col in ("Tên đăng nhập", "Họ tên", "Vai trò", "Phạm vi", "Trạng thái"):
        table.add_column(col)
    for u in users:
        table.add_row(
            u["username"],
            u["full_name"],
            u["role_vi"],
            u["scope_code"] or "Toàn tỉnh",
            "đang dùng" if u["active"] else "đã khoá",
        )
    console.print(table)


@users_app.command("logout")
def logout_cmd(
    username: Annotated[str, typer.Argument()], workspace: WorkspaceOpt = Path(".")
) -> None:
    """Kết thúc mọi phiên đăng nhập của người dùng / end every session of a user."""
    from baophu.operational.users import UserError, end_sessions

    with operational_db(workspace, (UserError,), code=2) as db:
        end_sessions(db, username)
        db.audit(username, "logout", "session", detail="mọi phiên, từ dòng lệnh")
    console.print(f"Đã kết thúc mọi phiên / every session ended: [bold]{username}[/]")


@users_app.command("passwd")
def passwd(
    username: Annotated[str, typer.Argument()],
    password: Annotated[str | None, typer.Option(help="Mật khẩu mới / new password")] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Đặt lại mật khẩu (và mở khoá) / reset a password (and lift a lock)."""
    from baophu.operational.users import UserError, set_password

    with operational_db(workspace, (UserError,), code=2) as db:
        set_password(db, username, _password(password))
    console.print(f"Đã đặt lại mật khẩu / password reset: [bold]{username}[/]")


@users_app.command("disable")
def disable(
    username: Annotated[str, typer.Argument()], workspace: WorkspaceOpt = Path(".")
) -> None:
    """Khoá người dùng / disable a user (ends their sessions)."""
    from baophu.operational.users import UserError, set_active

    with operational_db(workspace, (UserError,), code=2) as db:
        set_active(db, username, False)
    console.print(f"Đã khoá / disabled: [bold]{username}[/]")


@users_app.command("enable")
def enable(username: Annotated[str, typer.Argument()], workspace: WorkspaceOpt = Path(".")) -> None:
    """Mở khoá người dùng / enable a user."""
    from baophu.operational.users import UserError, set_active

    with operational_db(workspace, (UserError,), code=2) as db:
        set_active(db, username, True)
    console.print(f"Đã mở khoá / enabled: [bold]{username}[/]")


@users_app.command("demo")
def demo(workspace: WorkspaceOpt = Path("."), json_out: JsonOpt = False) -> None:
    """Tạo người dùng mẫu cho tỉnh giả lập / demo users (synthetic data only)."""
    from baophu.operational.users import UserError, seed_demo_users
    from baophu.workspace import Workspace, WorkspaceError

    with failing_on((WorkspaceError, UserError), 2):
        ws = Workspace.open(workspace)
        users = seed_demo_users(ws)
    if json_out:
        print_json(users)
        return
    print_demo_users(users)


def print_demo_users(users: list[dict[str, Any]], address: str = "http://127.0.0.1:8000/") -> None:
    """The demo logins, one per role (what ``make demo`` prints at its end)."""
    table = Table(title=f"Đăng nhập thử / demo logins — {address} (chỉ cho dữ liệu giả lập)")
    for col in ("Vai trò / role", "Tên đăng nhập", "Mật khẩu", "Phạm vi / scope"):
        table.add_column(col)
    for u in users:
        scope = u["scope_name"] if not u["scope_code"] else f"{u['scope_name']} ({u['scope_code']})"
        table.add_row(u["role_vi"], u["username"], u["password"], scope)
    console.print(table)
