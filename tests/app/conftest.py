"""Fixtures of the web tests: one small province built once (and cached between runs while
the engine's code is unchanged), an application per operational back end, logged-in clients.

The province is built by ``province_build.build`` into ``.pytest_cache/baophu-builds/web-<hash>``,
the hash covering every file of ``src/baophu`` outside ``app/``, the build script and the
pinned rules, so a change to the engine, the rules or the generator rebuilds it; each test session works on a
copy.  Demo users (one per role, password ``baophu-demo``) are created in each operational
database.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, login

# Argon2 with low costs in the tests only (hundreds of logins); production keeps the defaults.
os.environ.setdefault("BAOPHU_PASSWORD_HASH", "fast")


def built_province() -> Path:
    """The built province's folder (``province_build.built_province``)."""
    from province_build import built_province as cached

    return cached()


@pytest.fixture(scope="session")
def province_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built province workspace for this session."""
    cached = built_province()
    target = tmp_path_factory.mktemp("province") / "workspace"
    shutil.copytree(cached / "workspace", target, ignore=shutil.ignore_patterns("*.sqlite*"))
    return target


def _files_state(root: Path) -> list[tuple[str, int, int]]:
    """Name, size and modification time of the workspace's DuckDB file and its WAL."""
    return [
        (p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.glob("*.duckdb*"))
    ]


@pytest.fixture(autouse=True)
def _session_province_unchanged(request: pytest.FixtureRequest) -> Iterator[None]:
    """A web test leaves the session's copy of the province as it found it: every web test on
    the same worker reads that copy, in whatever order pytest-xdist hands the files out, so a
    test that writes marts (an allocation confirmed, an import, a recompute) works on its own
    copy (``shutil.copytree(province_dir, tmp_path / "ws")``).  Checked on the DuckDB file."""
    if "province_dir" not in request.fixturenames:
        yield
        return
    root: Path = request.getfixturevalue("province_dir")
    before = _files_state(root)
    yield
    assert _files_state(root) == before, (
        f"{request.node.nodeid} changed the session's province ({root}); work on a copy"
    )


@pytest.fixture(scope="session")
def workspace(province_dir: Path) -> Any:
    from baophu.workspace import Workspace

    return Workspace.open(province_dir)


def make_db(url: str) -> Any:
    from baophu.operational.db import OperationalDB

    return OperationalDB.connect(url)


@pytest.fixture(scope="session")
def sqlite_db(workspace: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db = make_db(f"sqlite:///{tmp_path_factory.mktemp('op') / 'operational.sqlite'}")
    from baophu.operational.users import seed_demo_users

    seed_demo_users(workspace, db=db)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def demo_users(workspace: Any, sqlite_db: Any) -> dict[str, dict[str, Any]]:
    """role → the demo user of that role (username, scope_code, …), and a national analyst
    (a province's demo has none): on a province's server it must see nothing."""
    from baophu.operational.users import create_user, seed_demo_users

    users = {u["role"]: u for u in seed_demo_users(workspace, db=sqlite_db)}
    national = ("toanquoc", "Vũ Quốc Trung", "national_analyst")
    create_user(sqlite_db, national[0], national[1], PASSWORD, national[2], None, replace=True)
    users[national[2]] = {"username": national[0], "role": national[2], "scope_code": None}
    return users


@pytest.fixture(scope="session")
def app(workspace: Any, sqlite_db: Any, demo_users: Any) -> Iterator[Any]:
    """The application on the SQLite operational database, shared by the read-only tests."""
    from fastapi.testclient import TestClient

    from baophu.app.main import AppSettings, create_app

    application = create_app(
        workspace, AppSettings(watch=False, secret_key="test-secret"), db=sqlite_db
    )
    with TestClient(application) as client:  # the lifespan runs for the whole session
        client.get("/healthz")
        yield application


@pytest.fixture(scope="session")
def clients(app: Any, demo_users: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """role → a TestClient logged in as the demo user of that role."""
    from fastapi.testclient import TestClient

    out: dict[str, Any] = {}
    for role, user in demo_users.items():
        c = TestClient(app, follow_redirects=False)
        r = login(c, user["username"])
        assert r.status_code == 303, r.text
        out[role] = c
    yield out
    for c in out.values():
        c.close()
