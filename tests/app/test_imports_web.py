"""Imports on the web: an uploaded file goes through the all-or-nothing import in a background
job; the validation results, the rejected rows and the snapshot history are shown."""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import login, page_csrf


def _wait(app: Any) -> Any:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        jobs = app.state.ctx.jobs.recent()
        if jobs and all(j.finished for j in jobs):
            return jobs[0]
        time.sleep(0.2)
    raise AssertionError("the import did not finish")


def test_upload_validate_reject_and_history(province_dir: Path, tmp_path: Path) -> None:
    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users
    from baophu.workspace import Workspace

    root = tmp_path / "ws"
    shutil.copytree(province_dir, root)
    ws = Workspace.open(root)
    with ws.store() as store:
        officers = store.table("officers").to_pyarrow().to_pylist()
    lines = ["Mã cán bộ,Họ và tên,Mã BHXH cơ sở,Thư điện tử"]
    lines += [f"{o['officer_code']},{o['full_name']},{o['office_code']}," for o in officers]
    lines.append("CB-SAI,Nguyễn Văn Sai,KHONGCO,")  # an office that does not exist
    upload = "\n".join(lines).encode("utf-8")

    db = OperationalDB.connect(f"sqlite:///{tmp_path / 'op.sqlite'}")
    seed_demo_users(ws, db=db)
    app = create_app(ws, AppSettings(watch=False, secret_key="t"), db=db)
    with TestClient(app, follow_redirects=False) as client:
        assert login(client, "quantri").status_code == 303
        token = page_csrf(client, "/imports")
        r = client.post(
            "/imports",
            data={"csrf_token": token},
            files={"files": ("Cán bộ chuyên quản.csv", upload, "text/csv")},
        )
        assert r.status_code == 303
        job = _wait(app)
        assert job.status == "done", job.error
        (result,) = job.result["files"]
        assert result["table"] == "officers" and result["rows_rejected"] == 1
        page = client.get("/imports")
        assert page.status_code == 200
        # table names in Vietnamese (the contract's title), never the code
        assert "Cán bộ chuyên quản" in page.text and "Can_bo_chuyen_quan.csv" in page.text
        assert ">officers<" not in page.text
        rejects = re.search(r'/imports/rejects\?file=([^"&]+)', page.text)
        assert rejects
        view = client.get(f"/imports/rejects?file={rejects.group(1)}")
        assert view.status_code == 200 and "KHONGCO" in view.text
        assert client.get("/imports/rejects?file=../baophu.toml").status_code == 404
        # the marts were computed from the earlier state: the pages say so
        app.state.ctx.marts.refresh(force=True)
        assert "chưa được tính lại" in client.get("/units/75").text
        # a file whose header is wrong fails the whole batch, and says why in Vietnamese
        r = client.post(
            "/imports",
            data={"csrf_token": token},
            files={"files": ("officers.csv", b"a,b\n1,2\n", "text/csv")},
        )
        job = _wait(app)
        assert job.status == "failed" and job.error
    db.dispose()


def test_two_uploads_in_the_same_second_keep_their_own_folders(
    province_dir: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Two uploads in the same second shared a folder and each job imported both files."""
    import datetime as dt

    from baophu.app import routes_imports
    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users
    from baophu.workspace import Workspace

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:  # every upload in the same second
            return dt.datetime(2026, 12, 1, 8, 30, 0)

    monkeypatch.setattr(routes_imports.dt, "datetime", Frozen)
    root = tmp_path / "ws"
    shutil.copytree(province_dir, root)
    ws = Workspace.open(root)
    with ws.store() as store:
        officers = store.table("officers").to_pyarrow().to_pylist()
        agents = store.table("agents").to_pyarrow().to_pylist()
    officers_csv = "Mã cán bộ,Họ và tên,Mã BHXH cơ sở,Thư điện tử\n" + "\n".join(
        f"{o['officer_code']},{o['full_name']},{o['office_code']}," for o in officers
    )
    columns = list(agents[0])
    agents_csv = (
        ",".join(c for c in columns if not c.startswith("_"))
        + "\n"
        + "\n".join(
            ",".join(str(a[c] or "") for c in columns if not c.startswith("_")) for a in agents
        )
    )
    db = OperationalDB.connect(f"sqlite:///{tmp_path / 'op.sqlite'}")
    seed_demo_users(ws, db=db)
    app = create_app(ws, AppSettings(watch=False, secret_key="t"), db=db)
    release = threading.Event()
    with TestClient(app, follow_redirects=False) as client:
        # hold the job thread so that both uploads are saved before the first job runs
        app.state.ctx.jobs.submit("hold", "chờ", "quantri", lambda job: {"w": release.wait(30)})
        assert login(client, "quantri").status_code == 303
        token = page_csrf(client, "/imports")
        for name, content in (("officers.csv", officers_csv), ("agents.csv", agents_csv)):
            r = client.post(
                "/imports",
                data={"csrf_token": token},
                files={"files": (name, content.encode("utf-8"), "text/csv")},
            )
            assert r.status_code == 303
        release.set()
        _wait(app)
        jobs = [j for j in app.state.ctx.jobs.recent("import")]
        assert len(jobs) == 2
        for job in jobs:
            files = [f["path"].split("/")[-1] for f in job.result.get("files", [])]
            assert len(files) == 1, (job.title, files, job.error)
        folders = sorted(p.name for p in (root / "uploads").iterdir())
        assert len(folders) == 2 and all(f.startswith("20261201T083000-") for f in folders)
    db.dispose()
