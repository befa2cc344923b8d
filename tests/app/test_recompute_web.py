"""The web's recompute runs the declared pipeline (``engine.pipeline``), not a list of its own:
on a province the demo has just computed, every step is current and nothing is recomputed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import login, page_csrf


def _wait(app: Any) -> Any:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        jobs = app.state.ctx.jobs.recent("recompute")
        if jobs and all(j.finished for j in jobs):
            return jobs[0]
        time.sleep(0.2)
    raise AssertionError("the recompute did not finish")


def test_recompute_runs_the_declared_pipeline(province_dir: Path, tmp_path: Path) -> None:
    from baophu.app.main import AppSettings, create_app
    from baophu.engine.pipeline import step_names
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users
    from baophu.workspace import Workspace

    root = tmp_path / "ws"
    shutil.copytree(province_dir, root)
    ws = Workspace.open(root)
    with ws.store() as store:
        before = {m["mart"]: m["computed_at"] for m in store.marts()}
    db = OperationalDB.connect(f"sqlite:///{tmp_path / 'op.sqlite'}")
    seed_demo_users(ws, db=db)
    app = create_app(ws, AppSettings(watch=False, secret_key="t"), db=db)
    with TestClient(app, follow_redirects=False) as client:
        assert login(client, "quantri").status_code == 303
        token = page_csrf(client, "/imports")
        r = client.post("/imports/recompute", data={"csrf_token": token})
        assert r.status_code == 303
        job = _wait(app)
    assert job.status == "done", job.error
    assert list(job.result) == step_names()
    assert set(job.result.values()) == {"current"}
    with ws.store() as store:
        after = {m["mart"]: m["computed_at"] for m in store.marts()}
    assert after == before
