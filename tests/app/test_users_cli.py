"""``baophu users …`` and the demo users ``make demo`` prints."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from baophu.cli import app

runner = CliRunner()


def test_users_add_list_passwd_disable(workspace: Any) -> None:
    ws = str(workspace.root)
    from baophu.operational.users import demo_scopes

    with workspace.store() as store:
        office = demo_scopes(store)["office_staff"]["code"]
    r = runner.invoke(
        app,
        [
            "users",
            "add",
            "lan.nt",
            "--role",
            "office_staff",
            "--scope",
            office,
            "--name",
            "Nguyễn Thị Lan",
            "--password",
            "mat-khau-dai",
            "-w",
            ws,
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["role_vi"] == "Cán bộ BHXH cơ sở"
    again = runner.invoke(
        app,
        [
            "users",
            "add",
            "lan.nt",
            "--role",
            "office_staff",
            "--scope",
            office,
            "--password",
            "mat-khau-dai",
            "-w",
            ws,
        ],
    )
    assert again.exit_code == 2 and "đã có" in again.output
    bad = runner.invoke(
        app,
        [
            "users",
            "add",
            "x.y",
            "--role",
            "commune_official",
            "--scope",
            "NOPE",
            "--password",
            "mat-khau-dai",
            "-w",
            ws,
        ],
    )
    assert bad.exit_code == 2 and "NOPE" in bad.output
    short = runner.invoke(
        app, ["users", "add", "x.z", "--role", "province_analyst", "--password", "ngan", "-w", ws]
    )
    assert short.exit_code == 2 and "8" in short.output
    listed = json.loads(runner.invoke(app, ["users", "list", "-w", ws, "--json"]).stdout)
    assert [u["username"] for u in listed if u["username"] == "lan.nt"] == ["lan.nt"]
    assert (
        runner.invoke(
            app, ["users", "passwd", "lan.nt", "--password", "mat-khau-moi", "-w", ws]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["users", "disable", "lan.nt", "-w", ws]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["users", "list", "-w", ws, "--json"]).stdout)
    assert next(u for u in listed if u["username"] == "lan.nt")["active"] is False
    assert "password_hash" not in json.dumps(listed)


def test_demo_users_one_per_role_same_every_time(workspace: Any) -> None:
    from baophu.operational import ROLES
    from baophu.operational.users import seed_demo_users

    first = seed_demo_users(workspace)
    second = seed_demo_users(workspace)
    # one per role of a province (the national analyst's is a national workspace's alone)
    assert [u["role"] for u in first] == [r for r, kind in ROLES.items() if kind != "nation"]
    assert first == second
    r = runner.invoke(app, ["users", "demo", "-w", str(workspace.root)], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "quantri" in r.output and "baophu-demo" in r.output


def test_serve_help() -> None:
    r = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "--port" in r.output and "--https-only" in r.output


def test_users_logout_ends_every_session(app: Any, workspace: Any, sqlite_db: Any) -> None:
    """``baophu users logout`` (a lost phone): the sessions opened before stop working."""
    from fastapi.testclient import TestClient
    from web_helpers import login

    from baophu.operational.users import create_user, end_sessions

    create_user(sqlite_db, "mat.may", "Người mất máy", "mat-khau-dai", "province_analyst")
    c = TestClient(app, follow_redirects=False)
    assert login(c, "mat.may", "mat-khau-dai").status_code == 303
    assert c.get("/units/75").status_code == 200
    end_sessions(sqlite_db, "mat.may")  # what the command does, on the app's database
    app.state.ctx.users.forget()
    assert c.get("/units/75").status_code == 303
    from baophu.cli import app as cli

    r = runner.invoke(cli, ["users", "logout", "khong-co", "-w", str(workspace.root)])
    assert r.exit_code == 2 and "Không có người dùng" in r.output
